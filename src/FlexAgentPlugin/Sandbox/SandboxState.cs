using System.Net;
using System.Security.Cryptography;

namespace FlexAgentPlugin.Sandbox;

/// <summary>
/// The sandbox's Twilio world, in memory (it resets on restart, as a fresh account would look). One lock
/// guards it; every read hands out copies. Each change bumps <see cref="Version"/> so the agent console
/// can follow along live.
/// </summary>
public sealed class SandboxState(TimeProvider clock)
{
    /// <summary>The identity the console's agent writes as.</summary>
    public const string AgentIdentity = "sandbox-agent";

    private readonly Lock gate = new();
    private readonly Dictionary<string, SandboxConversation> conversations = new(StringComparer.Ordinal);
    private TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long version;

    private long restRequests;

    /// <summary>Raised (outside the lock) for each customer message in a routed conversation: what reaches an agent.</summary>
    public event Action<SandboxConversation, SandboxMessage>? CustomerMessageRouted;

    /// <summary>Raised (outside the lock) for each webhook Twilio would call, with the form it would post.</summary>
    public event Action<SandboxWebhook, IReadOnlyList<KeyValuePair<string, string>>>? WebhookDue;

    public long Version => Interlocked.Read(ref version);

    /// <summary>How many REST requests the emulator has answered: what the relay spends.</summary>
    public long RestRequests => Interlocked.Read(ref restRequests);

    public void CountRestRequest() => Interlocked.Increment(ref restRequests);

    public SandboxConversation CreateConversation(string? friendlyName, string? uniqueName, string? attributes)
    {
        lock (gate)
        {
            if (uniqueName is not null && conversations.Values.Any(c => c.UniqueName == uniqueName))
            {
                throw new SandboxTwilioException(HttpStatusCode.Conflict, 50353, "Conversation with provided unique name already exists");
            }

            var conversation = new SandboxConversation(NewSid("CH"), uniqueName, friendlyName, attributes ?? "{}", clock.GetUtcNow());
            conversations.Add(conversation.Sid, conversation);
            Changed();
            return conversation;
        }
    }

    /// <summary>A conversation by SID or unique name, as Twilio's URLs accept either.</summary>
    public SandboxConversation Get(string sidOrUniqueName)
    {
        lock (gate)
        {
            return conversations.GetValueOrDefault(sidOrUniqueName)
                ?? conversations.Values.FirstOrDefault(c => c.UniqueName == sidOrUniqueName)
                ?? throw SandboxTwilioException.NotFound($"/Conversations/{sidOrUniqueName}");
        }
    }

    public SandboxParticipant AddParticipant(SandboxConversation conversation, string? identity, string? attributes)
    {
        lock (gate)
        {
            if (identity is not null && conversation.Participants.Any(p => p.Identity == identity))
            {
                throw new SandboxTwilioException(HttpStatusCode.Conflict, 50433, "Participant already exists");
            }

            var participant = new SandboxParticipant(NewSid("MB"), conversation.Sid, identity, attributes ?? "{}", clock.GetUtcNow());
            conversation.Participants.Add(participant);
            Changed();
            return participant;
        }
    }

    public SandboxWebhook AddWebhook(SandboxConversation conversation, string target, IReadOnlyList<string> filters, string? flowSid, string? url, string? method)
    {
        lock (gate)
        {
            var webhook = new SandboxWebhook(NewSid("WH"), conversation.Sid, target, filters, flowSid, url, method, clock.GetUtcNow());
            conversation.Webhooks.Add(webhook);
            return webhook;
        }
    }

    /// <summary>
    /// Adds a message. As on Twilio, a REST-created message fires the conversation's webhooks only when
    /// <paramref name="webhookEnabled"/> (the X-Twilio-Webhook-Enabled header), while the agent's messages (written
    /// from Flex, like the SDK) always do; a Studio webhook that fires sends the conversation to Flex, i.e. into the
    /// console's queue.
    /// </summary>
    public SandboxMessage AddMessage(SandboxConversation conversation, string author, string? body, string? attributes, bool webhookEnabled, bool fromAgent)
    {
        SandboxMessage message;
        bool reachesAgent;
        List<SandboxWebhook> due;
        lock (gate)
        {
            if (conversation.IsClosed)
            {
                throw SandboxTwilioException.Closed();
            }

            var now = clock.GetUtcNow();
            var index = conversation.Messages.Count == 0 ? 0 : conversation.Messages[^1].Index + 1;
            message = new SandboxMessage(NewSid("IM"), conversation.Sid, index, author, body, attributes ?? "{}", fromAgent, now);
            conversation.Messages.Add(message);
            conversation.Updated = now;
            var fires = webhookEnabled || fromAgent;
            if (fires && conversation.Webhooks.Any(w => w.Target == "studio" && w.Filters.Contains("onMessageAdded")))
            {
                conversation.Routed = true;
            }

            reachesAgent = conversation.Routed && !fromAgent;
            due = fires ? Subscribed(conversation, "onMessageAdded") : [];
            Changed();
        }

        foreach (var webhook in due)
        {
            WebhookDue?.Invoke(webhook, SandboxEvents.MessageAdded(webhook, message, fromAgent));
        }

        if (reachesAgent)
        {
            CustomerMessageRouted?.Invoke(conversation, message);
        }

        return message;
    }

    /// <summary>
    /// Creates an Interaction for the conversation, as Flex would: the conversation joins the agent's queue, and the
    /// customer's latest message (posted before routing, as the relay does) reaches the agent.
    /// </summary>
    public SandboxInteraction CreateInteraction(SandboxConversation conversation, string channelType, string routing)
    {
        SandboxInteraction interaction;
        SandboxMessage? waiting;
        lock (gate)
        {
            if (conversation.IsClosed)
            {
                throw SandboxTwilioException.Closed();
            }

            interaction = new SandboxInteraction(NewSid("KD"), NewSid("UO"), channelType, routing);
            conversation.Routed = true;
            waiting = conversation.Messages.Count > 0 && !conversation.Messages[^1].FromAgent ? conversation.Messages[^1] : null;
            Changed();
        }

        if (waiting is not null)
        {
            CustomerMessageRouted?.Invoke(conversation, waiting);
        }

        return interaction;
    }

    /// <summary>Closes the conversation; <paramref name="webhookEnabled"/> as for messages (the agent's close always fires).</summary>
    public void Close(SandboxConversation conversation, bool webhookEnabled = true)
    {
        string from;
        List<SandboxWebhook> due;
        lock (gate)
        {
            from = conversation.State;
            conversation.State = "closed";
            conversation.Updated = clock.GetUtcNow();
            due = webhookEnabled && from != "closed" ? Subscribed(conversation, "onConversationStateUpdated") : [];
            Changed();
        }

        foreach (var webhook in due)
        {
            WebhookDue?.Invoke(webhook, SandboxEvents.StateUpdated(webhook, conversation, from));
        }
    }

    /// <summary>
    /// One page of messages. <paramref name="after"/> is the paging token: the index the previous page ended at.
    /// Returns the page and the index to continue from, or null when this is the last page.
    /// </summary>
    public (IReadOnlyList<SandboxMessage> Page, int? Next) Messages(SandboxConversation conversation, bool newestFirst, int pageSize, int? after)
    {
        lock (gate)
        {
            IEnumerable<SandboxMessage> ordered = newestFirst
                ? conversation.Messages.AsEnumerable().Reverse().Where(m => after is null || m.Index < after)
                : conversation.Messages.Where(m => after is null || m.Index > after);
            var page = ordered.Take(pageSize + 1).ToList();
            return page.Count > pageSize ? (page[..pageSize], page[pageSize - 1].Index) : (page, null);
        }
    }

    public IReadOnlyList<SandboxWebhook> Webhooks(SandboxConversation conversation)
    {
        lock (gate)
        {
            return conversation.Webhooks.ToList();
        }
    }

    /// <summary>The routed conversations (the agent's queue) with their messages, newest activity first.</summary>
    public IReadOnlyList<(SandboxConversation Conversation, IReadOnlyList<SandboxMessage> Messages, string Customer)> Queue()
    {
        lock (gate)
        {
            return conversations.Values
                .Where(c => c.Routed)
                .OrderByDescending(c => c.Updated)
                .Select(c => (c, (IReadOnlyList<SandboxMessage>)c.Messages.ToList(), CustomerOf(c)))
                .ToList();
        }
    }

    /// <summary>Completes when the state has changed past <paramref name="seen"/>; returns the new version.</summary>
    public async Task<long> WaitForChangeAsync(long seen, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task next;
            lock (gate)
            {
                if (version != seen)
                {
                    return version;
                }

                next = changed.Task;
            }

            await next.WaitAsync(cancellationToken);
        }
    }

    private static List<SandboxWebhook> Subscribed(SandboxConversation conversation, string eventType) =>
        conversation.Webhooks.Where(w => w.Target == "webhook" && w.Filters.Contains(eventType)).ToList();

    private static string CustomerOf(SandboxConversation conversation) =>
        conversation.Participants.FirstOrDefault(p => p.Identity is not null and not AgentIdentity)?.Identity
        ?? conversation.Messages.FirstOrDefault(m => !m.FromAgent)?.Author
        ?? conversation.FriendlyName
        ?? conversation.Sid;

    private void Changed()
    {
        Interlocked.Increment(ref version);
        changed.TrySetResult();
        changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private static string NewSid(string prefix) =>
        prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
