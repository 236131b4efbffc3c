using System.Text.Json;
using System.Text.Json.Serialization;
using FlexAgentPlugin.Core.Users;
using FlexAgentPlugin.Hosting.Requests;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Doors.GptAction;

/// <summary>
/// The body of <c>POST /send/{username}</c>: a JSON object with exactly one member, <c>msg</c>. The serializer refuses
/// unknown, duplicate and mistyped members; the body is read at most 64 KB, whatever its framing. Every mistake is
/// an <see cref="InvalidInputException"/> naming the field, before anything reaches the store or Twilio.
/// </summary>
public sealed record SendBody([property: JsonPropertyName("msg")] string Msg)
{
    public const int MaxBodyBytes = 64 * 1024;

    private static readonly JsonSerializerOptions Strict = new()
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowDuplicateProperties = false,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    /// <summary>Binds the request's body, then cleans and checks the message (MAX_MESSAGE_LENGTH).</summary>
    public static async ValueTask<SendBody?> BindAsync(HttpContext context)
    {
        if (!context.Request.HasJsonContentType())
        {
            throw RequestRejectedException.MediaType("""Send the message as JSON with the header Content-Type: application/json, for example {"msg": "Hello"}.""");
        }

        var body = await BoundedBody.ReadAsync(context.Request, MaxBodyBytes, context.RequestAborted);
        SendBody? request;
        try
        {
            request = JsonSerializer.Deserialize<SendBody>(body, Strict);
        }
        catch (JsonException error)
        {
            throw Explain(error);
        }

        if (request is null)
        {
            throw new InvalidInputException("body", """The body must be a JSON object such as {"msg": "Hello"}.""");
        }

        var maxLength = context.RequestServices.GetRequiredService<IOptions<MessageOptions>>().Value.MaxMessageLength;
        return request with { Msg = UserMessages.Check(request.Msg, maxLength) };
    }

    /// <summary>The serializer's complaint as a sentence about the field it names (its JSON path).</summary>
    private static InvalidInputException Explain(JsonException error)
    {
        var field = error.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? Printable(path[2..]) : null;
        return (field, error.Message) switch
        {
            (null, var message) when message.Contains("missing required properties", StringComparison.Ordinal) =>
                new("msg", "The msg field is required: the message for the agent."),
            (null, var message) when message.Contains("could not be converted", StringComparison.Ordinal) =>
                new("body", """The body must be a JSON object such as {"msg": "Hello"}."""),
            (null, _) => new("body", $"The body is not valid JSON ({error.Message.Split(" Path:")[0]})."),
            (_, var message) when message.Contains("could not be mapped", StringComparison.Ordinal) =>
                new(field, $"Unknown field '{field}': the body has one field, msg."),
            (_, var message) when message.Contains("Duplicate property", StringComparison.Ordinal) =>
                new(field, $"The field '{field}' appears more than once; send it once."),
            ("msg", _) => new("msg", "msg must be a string of valid Unicode text."),
            _ => new(field, $"{field} is not valid here."),
        };
    }

    /// <summary>A field name as it may be echoed back: short, without control characters.</summary>
    private static string Printable(string name) => new([.. UserMessages.Clean(name).Take(40)]);
}
