using System.Net;

namespace FlexAgentPlugin.Sandbox.Emulator;

/// <summary>An error the emulator answers the way Twilio would: HTTP status plus Twilio error code.</summary>
public sealed class EmulatorException(HttpStatusCode status, int code, string message) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;

    public int Code { get; } = code;

    public static EmulatorException NotFound(string what) =>
        new(HttpStatusCode.NotFound, 20404, $"The requested resource {what} was not found");

    public static EmulatorException Invalid(string parameter, string why) =>
        new(HttpStatusCode.BadRequest, 20001, $"Invalid {parameter}: {why}");

    public static EmulatorException Closed() =>
        new(HttpStatusCode.BadRequest, 50377, "Conversation state is 'closed' so it can't be used for chatting anymore");
}
