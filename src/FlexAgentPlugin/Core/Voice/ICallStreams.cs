namespace FlexAgentPlugin.Core.Voice;

/// <summary>A media stream of a call (MZ…), as the voice service returns it.</summary>
public sealed record CallMediaStreamResource(string Sid, string? CallSid, string? Name, string? Status);

/// <summary>Starting and stopping a call's media stream, for calls already in progress (Twilio's Voice API in production).</summary>
public interface ICallStreams
{
    /// <summary>
    /// Streams the caller's audio to <paramref name="url"/> as the stream named <paramref name="name"/>, with one
    /// custom parameter that comes back in the stream's <c>start</c> message.
    /// </summary>
    Task<CallMediaStreamResource> StartStreamAsync(string callSid, string url, string name, KeyValuePair<string, string> parameter, CancellationToken cancellationToken);

    /// <summary>Stops the stream named <paramref name="name"/>.</summary>
    Task<CallMediaStreamResource> StopStreamAsync(string callSid, string name, CancellationToken cancellationToken);
}
