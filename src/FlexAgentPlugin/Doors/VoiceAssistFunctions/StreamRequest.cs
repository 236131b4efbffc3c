using System.Text;
using System.Text.Json;
using FlexAgentPlugin.Core.Users;
using FlexAgentPlugin.Hosting.Requests;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace FlexAgentPlugin.Doors.VoiceAssistFunctions;

/// <summary>
/// The body of <c>POST /stream</c>: <c>action</c> (<c>start</c> or <c>stop</c>), <c>callSid</c> and <c>Token</c> (the agent's
/// Flex token), as JSON or as a form, the two ways a Twilio Function takes its parameters. Members the plugin may add
/// are ignored; the body is read at most <see cref="MaxBodyBytes"/>.
/// </summary>
public sealed record StreamRequest(string? Action, string? CallSid, string? Token)
{
    public const int MaxBodyBytes = 64 * 1024;

    private const string Shape = """{"action": "start" or "stop", "callSid": "CA…", "Token": "<the agent's Flex token>"}""";

    private static readonly JsonSerializerOptions Lenient = new(JsonSerializerDefaults.Web);

    public static async ValueTask<StreamRequest?> BindAsync(HttpContext context)
    {
        var request = context.Request;
        var isForm = request.HasFormContentType;
        if (!isForm && !request.HasJsonContentType())
        {
            throw RequestRejectedException.MediaType($"Send the body as application/json ({Shape}) or as application/x-www-form-urlencoded with the same fields.");
        }

        var body = await BoundedBody.ReadAsync(request, MaxBodyBytes, context.RequestAborted);
        if (isForm)
        {
            var form = new FormReader(Encoding.UTF8.GetString(body)).ReadForm();
            return new StreamRequest(Field(form, "action"), Field(form, "callSid"), Field(form, "Token"));
        }

        try
        {
            return JsonSerializer.Deserialize<StreamRequest>(body, Lenient) ?? throw new JsonException("null");
        }
        catch (JsonException)
        {
            throw new InvalidInputException("body", $"The body must be a JSON object: {Shape}.");
        }
    }

    private static string? Field(Dictionary<string, StringValues> form, string name) =>
        form.FirstOrDefault(pair => string.Equals(pair.Key, name, StringComparison.OrdinalIgnoreCase)).Value.ToString() is { Length: > 0 } value ? value : null;
}
