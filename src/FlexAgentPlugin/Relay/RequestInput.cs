using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FlexAgentPlugin.Relay;

/// <summary>
/// Reads and checks what callers send (username, message, query values). Every mistake becomes a ProblemDetails
/// that names the field, before anything touches SQLite or Twilio.
/// </summary>
public static class RequestInput
{
    public const int MaxUsernameLength = 128;

    public static ProblemHttpResult? CheckUsername(string username) =>
        username.Length is 0 or > MaxUsernameLength || !username.All(IsUsernameChar)
            ? Invalid("username", $"username must be 1 to {MaxUsernameLength} letters, digits or - _ . @ : characters, for example a random 16-character string.")
            : null;

    /// <summary>
    /// The message: a JSON object with exactly one field, <c>msg</c>, a string of 1 to <paramref name="maxLength"/>
    /// characters once trimmed and stripped of control characters (newlines and tabs stay). The body is read up to
    /// <see cref="RelayOptions.MaxBodyBytes"/>.
    /// </summary>
    public static async Task<(string? Message, ProblemHttpResult? Problem)> ReadMessageAsync(HttpRequest request, int maxLength, CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType())
        {
            return (null, TypedResults.Problem(
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported content type",
                detail: """Send the message as JSON with the header Content-Type: application/json, for example {"msg": "Hello"}."""));
        }

        var body = await ReadLimitedAsync(request, cancellationToken);
        if (body is null)
        {
            return (null, TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]>
            {
                ["body"] = [$"The body must be at most {RelayOptions.MaxBodyBytes / 1024} KB."],
            })
            {
                Status = StatusCodes.Status413PayloadTooLarge,
                Title = "Body too large",
                Detail = $"The body must be at most {RelayOptions.MaxBodyBytes / 1024} KB.",
            }));
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            return (null, Invalid("body", $"The body is not valid JSON ({ex.Message})."));
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, Invalid("body", """The body must be a JSON object such as {"msg": "Hello"}."""));
            }

            if (document.RootElement.EnumerateObject().Select(p => p.Name).FirstOrDefault(name => name != "msg") is { } unknown)
            {
                return (null, Invalid(Printable(unknown), $"Unknown field '{Printable(unknown)}': the body has one field, msg."));
            }

            if (!document.RootElement.TryGetProperty("msg", out var msg))
            {
                return (null, Invalid("msg", "The msg field is required: the message for the agent."));
            }

            if (msg.ValueKind != JsonValueKind.String)
            {
                return (null, Invalid("msg", "msg must be a string."));
            }

            string text;
            try
            {
                text = Clean(msg.GetString()!);
            }
            catch (InvalidOperationException)
            {
                return (null, Invalid("msg", "msg must be valid Unicode text (it holds a broken surrogate pair)."));
            }

            return text.Length switch
            {
                0 => (null, Invalid("msg", "msg must not be empty.")),
                _ when text.Length > maxLength => (null, Invalid("msg", $"msg must be at most {maxLength} characters; it has {text.Length}.")),
                _ => (text, null),
            };
        }
    }

    /// <summary>Trims, and removes control characters other than newline and tab (a CR of CRLF included).</summary>
    public static string Clean(string text) =>
        string.Concat(text.Where(c => !char.IsControl(c) || c is '\n' or '\t')).Trim();

    private static async Task<byte[]?> ReadLimitedAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > RelayOptions.MaxBodyBytes)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > RelayOptions.MaxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>A field name as it may be echoed back: short, without control characters.</summary>
    private static string Printable(string name) => new(Clean(name).Take(40).ToArray());

    private static bool IsUsernameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '@' or ':';

    public static ProblemHttpResult Invalid(string field, string error) =>
        TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [error] })
        {
            Status = StatusCodes.Status400BadRequest,
            Title = $"Invalid {field}",
            Detail = error,
        });
}
