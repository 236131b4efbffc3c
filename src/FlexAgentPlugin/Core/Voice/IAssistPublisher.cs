namespace FlexAgentPlugin.Core.Voice;

/// <summary>Where the assist feed is published for the agent's plugin (Twilio Sync streams in production).</summary>
public interface IAssistPublisher
{
    /// <summary>Creates the stream named <paramref name="uniqueName"/>; one that exists already counts as made.</summary>
    Task EnsureStreamAsync(string serviceSid, string uniqueName, CancellationToken cancellationToken);

    /// <summary>Publishes <paramref name="data"/> (a JSON object) to the stream; one whose answer was lost is not re-sent.</summary>
    Task PublishAsync(string serviceSid, string uniqueName, string data, CancellationToken cancellationToken);
}
