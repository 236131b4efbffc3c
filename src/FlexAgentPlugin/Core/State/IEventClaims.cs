namespace FlexAgentPlugin.Core.State;

/// <summary>Webhook events taken on, by key (a message SID): a repeated delivery of one event is handled once, wherever it lands.</summary>
public interface IEventClaims
{
    /// <summary>True for the first claim of <paramref name="key"/>; false when it was claimed before (within the last days).</summary>
    Task<bool> TryClaimAsync(string key, CancellationToken cancellationToken);
}
