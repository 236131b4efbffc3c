namespace FlexAgentPlugin.Core.State;

/// <summary>How a conversation was routed to Flex: <c>studio</c> (its Studio webhook) or <c>interactions</c> (with the Interaction's SID).</summary>
public sealed record ConversationRoute(string ConversationSid, string Mode, string? InteractionSid);

/// <summary>The routing of each conversation, kept so that no conversation is routed (given a Flex task) twice.</summary>
public interface IRoutingStore
{
    Task<ConversationRoute?> FindRouteAsync(string conversationSid, CancellationToken cancellationToken);

    /// <summary>Records the route; when one is already recorded, that one stays and is returned.</summary>
    Task<ConversationRoute> SaveRouteAsync(ConversationRoute route, CancellationToken cancellationToken);
}
