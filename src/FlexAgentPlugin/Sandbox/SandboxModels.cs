namespace FlexAgentPlugin.Sandbox;

/// <summary>A conversation in the sandbox. Mutable fields change only under <see cref="SandboxState"/>'s lock.</summary>
public sealed class SandboxConversation(string sid, string? uniqueName, string? friendlyName, string attributes, DateTimeOffset created)
{
    public string Sid { get; } = sid;

    public string? UniqueName { get; } = uniqueName;

    public string? FriendlyName { get; } = friendlyName;

    public string Attributes { get; } = attributes;

    public DateTimeOffset Created { get; } = created;

    public string State { get; internal set; } = "active";

    public DateTimeOffset Updated { get; internal set; } = created;

    /// <summary>True once Flex would have created a task for it: a routing webhook fired, or an Interaction was created.</summary>
    public bool Routed { get; internal set; }

    internal List<SandboxParticipant> Participants { get; } = [];

    internal List<SandboxWebhook> Webhooks { get; } = [];

    internal List<SandboxMessage> Messages { get; } = [];

    public bool IsClosed => State == "closed";
}

public sealed record SandboxParticipant(string Sid, string ConversationSid, string? Identity, string Attributes, DateTimeOffset Created);

public sealed record SandboxWebhook(
    string Sid, string ConversationSid, string Target, IReadOnlyList<string> Filters, string? FlowSid, string? Url, string? Method, DateTimeOffset Created);

public sealed record SandboxMessage(
    string Sid, string ConversationSid, int Index, string Author, string? Body, string Attributes, bool FromAgent, DateTimeOffset Created);

/// <summary>A Flex Interaction (KD…) with its one channel (UO…), bound to a conversation.</summary>
public sealed record SandboxInteraction(string Sid, string ChannelSid, string ChannelType, string Routing);
