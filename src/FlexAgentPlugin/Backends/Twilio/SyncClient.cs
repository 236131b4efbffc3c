namespace FlexAgentPlugin.Backends.Twilio;

/// <summary>Typed client for the part of the Sync API voice assist uses: a stream per call, and messages published to it.</summary>
public sealed class SyncClient(HttpClient http) : TwilioRestClient(http)
{
    /// <summary>Creates the stream named <paramref name="uniqueName"/>; one that exists already counts as made.</summary>
    public async Task EnsureStreamAsync(string serviceSid, string uniqueName, CancellationToken cancellationToken)
    {
        try
        {
            await PostAsync("create Sync stream", $"v1/Services/{Uri.EscapeDataString(serviceSid)}/Streams",
                [new("UniqueName", uniqueName), new("Ttl", "86400")], TwilioJsonContext.Default.SyncStreamResource, cancellationToken);
        }
        catch (TwilioApiException error) when (error.Code == TwilioErrors.SyncUniqueNameExists)
        {
            // Made by an earlier attempt, or by the other stream of the same call.
        }
    }

    /// <summary>Publishes <paramref name="data"/> (a JSON object) to the stream named <paramref name="uniqueName"/>.</summary>
    public Task PublishAsync(string serviceSid, string uniqueName, string data, CancellationToken cancellationToken) =>
        PostAsync("publish to Sync stream", $"v1/Services/{Uri.EscapeDataString(serviceSid)}/Streams/{Uri.EscapeDataString(uniqueName)}/Messages",
            [new("Data", data)], TwilioJsonContext.Default.SyncStreamMessage, cancellationToken, SendAtMostOnce);
}
