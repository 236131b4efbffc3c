namespace FlexAgentPlugin.Sandbox.Emulator;

/// <summary>A conversation in the emulator. Mutable fields change only under <see cref="EmulatorState"/>'s lock.</summary>
public sealed class EmulatedConversation(string sid, string? uniqueName, string? friendlyName, string attributes, DateTimeOffset created)
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

    internal List<EmulatedParticipant> Participants { get; } = [];

    internal List<EmulatedWebhook> Webhooks { get; } = [];

    internal List<EmulatedMessage> Messages { get; } = [];

    public bool IsClosed => State == "closed";

    /// <summary>The address of the customer when they write on a channel (SMS, WhatsApp, chat) the sandbox plays; null otherwise.</summary>
    public string? ChannelAddress { get; internal set; }

    /// <summary>Why its last webhook could not be delivered (the server's answer), or null.</summary>
    public string? WebhookFailure { get; internal set; }

    /// <summary>When Flex made its task (it was routed), or null.</summary>
    public DateTimeOffset? RoutedAt { get; internal set; }

    /// <summary>When an agent accepted its task (joined the conversation), or null.</summary>
    public DateTimeOffset? AcceptedAt { get; internal set; }

    /// <summary>Its task's attributes (a JSON object), as TaskRouter holds them.</summary>
    public string TaskAttributes { get; internal set; } = "{}";

    /// <summary>The workflow its Interaction named; null when a Studio flow routed it (any workflow the flow chose).</summary>
    public string? TaskWorkflowSid { get; internal set; }
}

/// <summary>A participant: a chat identity (agents, web chat customers), or the <see cref="Address"/> of an SMS or WhatsApp customer.</summary>
public sealed record EmulatedParticipant(string Sid, string ConversationSid, string? Identity, string Attributes, DateTimeOffset Created, string? Address = null);

public sealed record EmulatedWebhook(
    string Sid, string ConversationSid, string Target, IReadOnlyList<string> Filters, string? FlowSid, string? Url, string? Method, DateTimeOffset Created);

public sealed record EmulatedMessage(
    string Sid, string ConversationSid, int Index, string Author, string? Body, string Attributes, bool FromAgent, DateTimeOffset Created)
{
    /// <summary>Written by the AI that answers first (<c>source: ai</c> in its attributes): neither the customer nor an agent.</summary>
    public bool FromAi => AttributeJson.Source(Attributes) == "ai";

    /// <summary>A customer's message: not an agent's, not the AI's.</summary>
    public bool FromCustomer => !FromAgent && !FromAi;
}

/// <summary>A Flex Interaction (KD…) with its one channel (UO…), bound to a conversation; Channel and Routing as Flex received them.</summary>
public sealed record EmulatedInteraction(string Sid, string ChannelSid, string ChannelType, string ConversationSid, string Channel, string Routing);

/// <summary>A media stream of a call (MZ…) started through the Voice API, and whether it was stopped.</summary>
public sealed record EmulatedMediaStreamResource(string Sid, string CallSid, string Name, string Url, string Track, bool Stopped);

/// <summary>A message published to a Sync stream, as Flex's plugin would receive it: the stream's unique name and the Data JSON.</summary>
public sealed record EmulatedSyncMessage(string Sid, string Stream, string Data, DateTimeOffset Created);

/// <summary>A call the console simulates (its audio streamed to the server's /voice/stream).</summary>
public sealed record SimulatedCall(string CallSid, DateTimeOffset Started, bool Ended);

/// <summary>A copy of a conversation and everything in it, for the console and for tests.</summary>
public sealed record ConversationSnapshot(
    string Sid,
    string State,
    string? UniqueName,
    string? FriendlyName,
    string Attributes,
    bool Routed,
    DateTimeOffset Updated,
    IReadOnlyList<EmulatedParticipant> Participants,
    IReadOnlyList<EmulatedWebhook> Webhooks,
    IReadOnlyList<EmulatedMessage> Messages)
{
    public DateTimeOffset Created { get; init; }

    /// <summary>Why its last webhook could not be delivered, or null.</summary>
    public string? WebhookFailure { get; init; }

    /// <summary>
    /// The customer as the agent sees them: the phone number or email address they proved, else the first participant that
    /// is no agent, else the first author.
    /// </summary>
    public string Customer =>
        AttributeJson.Verified(Attributes)
        ?? Participants.FirstOrDefault(p => p.Identity is not null and not (EmulatorState.AgentIdentity or EmulatorState.SimulatedAgentIdentity))?.Identity
        ?? Messages.FirstOrDefault(m => !m.FromAgent)?.Author
        ?? FriendlyName
        ?? Sid;
}

/// <summary>How the emulator behaves beyond Twilio's contract; tests and the console change it while it runs.</summary>
public sealed class EmulatorBehavior
{
    /// <summary>When set, a simulated agent answers each routed customer message after this long (zero: at once).</summary>
    public TimeSpan? AutoReplyAfter { get; set; }

    /// <summary>The simulated agents are away (the console's switch): TaskRouter counts no available worker, and the simulated agent does not answer.</summary>
    public bool AgentsAway { get; set; }

    /// <summary>
    /// Pages by offset (<c>Page=N</c>) instead of a cursor: a message written between two page reads then shifts the
    /// pages, and the second page repeats one the first already had, as offset paging does.
    /// </summary>
    public bool OffsetPaging { get; set; }
}
