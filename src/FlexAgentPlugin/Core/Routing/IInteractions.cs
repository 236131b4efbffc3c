namespace FlexAgentPlugin.Core.Routing;

/// <summary>
/// What Flex needs to route a customer's conversation to an agent: the channel type (<c>chat</c>, <c>sms</c>,
/// <c>whatsapp</c>), the conversation, the TaskRouter workspace and workflow, the task channel and the task attributes.
/// </summary>
public sealed record InteractionRequest(
    string ChannelType,
    string ConversationSid,
    string WorkspaceSid,
    string WorkflowSid,
    string TaskChannel,
    IReadOnlyDictionary<string, string> TaskAttributes);

/// <summary>A Flex Interaction (KD…): the routing of one conversation to an agent.</summary>
public sealed record Interaction(string Sid, string? Url);

/// <summary>Flex's Interactions: creating one for an existing conversation offers it to an agent.</summary>
public interface IInteractions
{
    /// <summary>Creates the Interaction; a request whose answer was lost is not re-sent (it could make a second task).</summary>
    Task<Interaction> CreateInteractionAsync(InteractionRequest interaction, CancellationToken cancellationToken);
}
