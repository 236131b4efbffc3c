using FlexAgentPlugin.Core.Services;
using FlexAgentPlugin.Core.Voice;
using Twilio.Rest.Sync.V1.Service;
using Twilio.Rest.Sync.V1.Service.SyncStream;

namespace FlexAgentPlugin.Backends.Twilio;

/// <summary>The part of the Sync API voice assist uses, through the SDK: a stream per call, and messages published to it.</summary>
public sealed class SyncClient(TwilioApi api) : IAssistPublisher
{
    /// <summary>Creates the stream named <paramref name="uniqueName"/>; one that exists already counts as made.</summary>
    public async Task EnsureStreamAsync(string serviceSid, string uniqueName, CancellationToken cancellationToken)
    {
        try
        {
            var options = new CreateSyncStreamOptions(serviceSid) { UniqueName = uniqueName, Ttl = 86400 };
            await api.CallAsync("create Sync stream", client => SyncStreamResource.CreateAsync(options, client), cancellationToken);
        }
        catch (ServiceRefusedException error) when (error.Code == TwilioErrors.SyncUniqueNameExists)
        {
            // Made by an earlier attempt, or by the other stream of the same call.
        }
    }

    /// <summary>
    /// Publishes <paramref name="data"/> (a JSON object, sent as the text it is) to the stream named
    /// <paramref name="uniqueName"/>. A message cannot be looked up afterwards, so one whose answer was lost is not re-sent.
    /// </summary>
    public Task PublishAsync(string serviceSid, string uniqueName, string data, CancellationToken cancellationToken) =>
        api.CallAsync("publish to Sync stream",
            client => StreamMessageResource.CreateAsync(new CreateStreamMessageOptions(serviceSid, uniqueName, data), client), cancellationToken, atMostOnce: true);
}
