namespace FlexAgentPlugin.Backends.Twilio;

/// <summary>
/// Typed client for the part of the Voice API (2010-04-01) voice assist uses: starting and stopping a call's media
/// stream (<c>Calls/{CallSid}/Streams</c>), for calls already in progress.
/// </summary>
public sealed class VoiceClient(HttpClient http) : TwilioRestClient(http)
{
    /// <summary>
    /// Starts streaming the caller's audio (the inbound track) to <paramref name="url"/>, named <paramref name="name"/>, with
    /// <paramref name="parameters"/> as the stream's custom parameters (they come back in its <c>start</c> message).
    /// </summary>
    public Task<CallMediaStreamResource> StartStreamAsync(
        string accountSid, string callSid, string url, string name, IReadOnlyList<KeyValuePair<string, string>> parameters, CancellationToken cancellationToken) =>
        PostAsync("start call stream", $"2010-04-01/Accounts/{Uri.EscapeDataString(accountSid)}/Calls/{Uri.EscapeDataString(callSid)}/Streams.json",
            [new("Url", url), new("Name", name), new("Track", "inbound_track"), .. CustomParameters(parameters)],
            TwilioJsonContext.Default.CallMediaStreamResource, cancellationToken, SendAtMostOnce);

    /// <summary>The Voice API's numbered form of custom parameters: <c>Parameter1.Name</c>, <c>Parameter1.Value</c>, ….</summary>
    private static IEnumerable<KeyValuePair<string, string>> CustomParameters(IReadOnlyList<KeyValuePair<string, string>> parameters) =>
        parameters.SelectMany((parameter, i) => new KeyValuePair<string, string>[]
        {
            new($"Parameter{i + 1}.Name", parameter.Key), new($"Parameter{i + 1}.Value", parameter.Value),
        });

    /// <summary>Stops the stream named <paramref name="name"/> (Twilio takes the name where the SID goes).</summary>
    public Task<CallMediaStreamResource> StopStreamAsync(string accountSid, string callSid, string name, CancellationToken cancellationToken) =>
        PostAsync("stop call stream",
            $"2010-04-01/Accounts/{Uri.EscapeDataString(accountSid)}/Calls/{Uri.EscapeDataString(callSid)}/Streams/{Uri.EscapeDataString(name)}.json",
            [new("Status", "stopped")],
            TwilioJsonContext.Default.CallMediaStreamResource, cancellationToken);
}
