using FlexAgentPlugin.Core.Voice;
using Microsoft.Extensions.Options;
using Twilio.Rest.Api.V2010.Account.Call;

namespace FlexAgentPlugin.Backends.Twilio;

/// <summary>
/// The part of the Voice API (2010-04-01) voice assist uses, through the SDK: starting and stopping a call's media
/// stream (<c>Calls/{CallSid}/Streams</c>), for calls already in progress.
/// </summary>
public sealed class VoiceClient(TwilioApi api, IOptions<TwilioOptions> twilio) : ICallStreams
{
    /// <summary>
    /// Starts streaming the call's audio (both tracks: the customer's inbound, the agent's outbound) to <paramref name="url"/>, named <paramref name="name"/>, with
    /// one custom parameter (it comes back in the stream's <c>start</c> message). Twilio offers no way to find a stream by
    /// name, so a request whose answer was lost is not re-sent.
    /// </summary>
    public async Task<CallMediaStreamResource> StartStreamAsync(
        string callSid, string url, string name, KeyValuePair<string, string> parameter, CancellationToken cancellationToken)
    {
        var options = new CreateStreamOptions(callSid, new Uri(url))
        {
            PathAccountSid = AccountSid(), Name = name, Track = StreamResource.TrackEnum.BothTracks,
            Parameter1Name = parameter.Key, Parameter1Value = parameter.Value,
        };
        return ToStream(await api.CallAsync("start call stream", client => StreamResource.CreateAsync(options, client), cancellationToken, atMostOnce: true));
    }

    /// <summary>Stops the stream named <paramref name="name"/> (Twilio takes the name where the SID goes).</summary>
    public async Task<CallMediaStreamResource> StopStreamAsync(string callSid, string name, CancellationToken cancellationToken)
    {
        var options = new UpdateStreamOptions(callSid, name, StreamResource.UpdateStatusEnum.Stopped) { PathAccountSid = AccountSid() };
        return ToStream(await api.CallAsync("stop call stream", client => StreamResource.UpdateAsync(options, client), cancellationToken));
    }

    private string AccountSid() =>
        twilio.Value.AccountSid?.Trim() is { Length: > 0 } account ? account : throw TwilioFailures.NotConfigured();

    private static CallMediaStreamResource ToStream(StreamResource stream) =>
        new(stream.Sid, stream.CallSid, stream.Name, stream.Status?.ToString());
}
