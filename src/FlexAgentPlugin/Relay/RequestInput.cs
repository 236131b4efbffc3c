using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FlexAgentPlugin.Relay;

/// <summary>
/// Reads and checks what callers send (username, message, query values). Every mistake becomes a ProblemDetails
/// that names the field, before anything touches SQLite or Twilio.
/// </summary>
public static class RequestInput
{
    /// <summary>Twilio's limit for a message body.</summary>
    public const int MaxMessageLength = 1600;

    public const int MaxUsernameLength = 128;

    public static ProblemHttpResult? CheckUsername(string username) =>
        username.Length is 0 or > MaxUsernameLength || !username.All(IsUsernameChar)
            ? Invalid("username", $"username must be 1 to {MaxUsernameLength} letters, digits or - _ . @ : characters, for example a random 16-character string.")
            : null;

    /// <summary>The trimmed message, or the problem with the request body.</summary>
    public static async Task<(string? Message, ProblemHttpResult? Problem)> ReadMessageAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType())
        {
            return (null, TypedResults.Problem(
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported content type",
                detail: """Send the message as JSON with the header Content-Type: application/json, for example {"msg": "Hello"}."""));
        }

        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
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

            if (!document.RootElement.TryGetProperty("msg", out var msg))
            {
                return (null, Invalid("msg", "The msg field is required: the message for the agent."));
            }

            if (msg.ValueKind != JsonValueKind.String)
            {
                return (null, Invalid("msg", "msg must be a string."));
            }

            var text = msg.GetString()!.Trim();
            return text.Length switch
            {
                0 => (null, Invalid("msg", "msg must not be empty.")),
                > MaxMessageLength => (null, Invalid("msg", $"msg must be at most {MaxMessageLength} characters; it has {text.Length}.")),
                _ => (text, null),
            };
        }
    }

    private static bool IsUsernameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '@' or ':';

    public static ProblemHttpResult Invalid(string field, string error) =>
        TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [error] })
        {
            Status = StatusCodes.Status400BadRequest,
            Title = $"Invalid {field}",
            Detail = error,
        });
}
