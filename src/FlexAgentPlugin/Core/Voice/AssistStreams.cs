using System.Net;
using System.Text.RegularExpressions;
using FlexAgentPlugin.Core.Callbacks;
using FlexAgentPlugin.Core.Services;
using FlexAgentPlugin.Core.Users;

namespace FlexAgentPlugin.Core.Voice;

/// <summary>
/// Starting and stopping assist on a call in progress: Twilio streams the call's audio to <see cref="StreamPath"/> as
/// the stream named <see cref="StreamName"/>, with the call's ticket (<see cref="StreamTickets"/>). Every door that
/// offers it comes here.
/// </summary>
public sealed partial class AssistStreams(ICallStreams voice, TwilioCallbacks callbacks, StreamTickets tickets, AssistFeed feed)
{
    public const string StreamPath = "/voice/stream";
    public const string StreamName = "flex-assist";

    /// <summary>The stream's address as Twilio must call it (the callback base when known, else <paramref name="requestBaseUrl"/>).</summary>
    public string StreamUrl(string requestBaseUrl) => callbacks.SocketUrl(requestBaseUrl, StreamPath);

    /// <summary>Starts the call's stream, or null when Twilio knows no call in progress with this SID.</summary>
    public async Task<AssistState?> StartAsync(string callSid, string requestBaseUrl, CancellationToken cancellationToken)
    {
        CheckCallSid(callSid);
        try
        {
            var stream = await voice.StartStreamAsync(callSid, StreamUrl(requestBaseUrl), StreamName,
                new(StreamTickets.Parameter, tickets.Issue(callSid)), cancellationToken);

            // The agent who started it may follow the call's events at once, before Twilio opens the stream.
            await feed.StartedAsync(callSid, CancellationToken.None);
            return new AssistState(callSid, stream.Sid, "started");
        }
        catch (ServiceRefusedException error) when (error.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Stops the call's stream, or null when none runs (or Twilio knows no such call).</summary>
    public async Task<AssistState?> StopAsync(string callSid, CancellationToken cancellationToken)
    {
        CheckCallSid(callSid);
        try
        {
            var stream = await voice.StopStreamAsync(callSid, StreamName, cancellationToken);
            return new AssistState(callSid, stream.Sid, "stopped");
        }
        catch (ServiceRefusedException error) when (error.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>A call SID or a 400 naming <paramref name="name"/>.</summary>
    public static void CheckCallSid(string? callSid, string name = "callSid")
    {
        if (callSid is null || !CallSidPattern().IsMatch(callSid))
        {
            throw new InvalidInputException(name, $"{name} must be a Twilio call SID: CA followed by 32 hexadecimal characters.");
        }
    }

    [GeneratedRegex("^CA[0-9a-fA-F]{32}$")]
    private static partial Regex CallSidPattern();
}

/// <summary>A call's assist as the agent endpoints answer it.</summary>
public sealed record AssistState(string CallSid, string StreamSid, string Status);
