using System.Net;
using System.Text.RegularExpressions;
using FlexAgentPlugin.Backends.Twilio;
using FlexAgentPlugin.Core.Callbacks;
using FlexAgentPlugin.Core.Users;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Core.Voice;

/// <summary>
/// Starting and stopping assist on a call in progress: Twilio streams the call's audio to <see cref="StreamPath"/> as
/// the stream named <see cref="StreamName"/>, with the call's ticket (<see cref="StreamTickets"/>). Every door that
/// offers it comes here.
/// </summary>
public sealed partial class AssistStreams(VoiceClient voice, TwilioCallbacks callbacks, StreamTickets tickets, AssistFeed feed, IOptions<TwilioOptions> twilio)
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
            var stream = await voice.StartStreamAsync(AccountSid(), callSid, StreamUrl(requestBaseUrl), StreamName,
                new(StreamTickets.Parameter, tickets.Issue(callSid)), cancellationToken);

            // The agent who started it may follow the call's events at once, before Twilio opens the stream.
            await feed.StartedAsync(callSid, CancellationToken.None);
            return new AssistState(callSid, stream.Sid, "started");
        }
        catch (TwilioApiException error) when (error.Status == HttpStatusCode.NotFound)
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
            var stream = await voice.StopStreamAsync(AccountSid(), callSid, StreamName, cancellationToken);
            return new AssistState(callSid, stream.Sid, "stopped");
        }
        catch (TwilioApiException error) when (error.Status == HttpStatusCode.NotFound)
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

    private string AccountSid() =>
        twilio.Value.AccountSid?.Trim() is { Length: > 0 } account ? account : throw new TwilioNotConfiguredException();

    [GeneratedRegex("^CA[0-9a-fA-F]{32}$")]
    private static partial Regex CallSidPattern();
}

/// <summary>A call's assist as the agent endpoints answer it.</summary>
public sealed record AssistState(string CallSid, string StreamSid, string Status);
