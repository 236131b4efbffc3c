using System.Net;
using System.Security.Cryptography;

namespace FlexAgentPlugin.Sandbox.Emulator;

/// <summary>
/// The emulated Twilio world, in memory (it resets on restart, as a fresh account would look). One lock guards it;
/// every read hands out copies. Each change bumps <see cref="Version"/> so the agent console can follow along live.
/// Requests the emulator does not know are kept in <see cref="UnknownRequests"/>, so a test can fail on them.
/// </summary>
public sealed partial class EmulatorState(SandboxAccount account, TimeProvider clock)
{
    /// <summary>The identity the console's agent writes as.</summary>
    public const string AgentIdentity = "sandbox-agent";

    /// <summary>The identity of the simulated agent (SANDBOX_AUTO_REPLY_SECONDS), another agent than the console's.</summary>
    public const string SimulatedAgentIdentity = "simulated-agent";

    private readonly Lock gate = new();
    private readonly Dictionary<string, EmulatedConversation> conversations = new(StringComparer.Ordinal);
    private readonly List<EmulatedInteraction> interactions = [];
    private readonly List<string> unknownRequests = [];
    private readonly List<EmulatedMediaStreamResource> callStreams = [];
    private readonly Dictionary<string, string> syncStreams = new(StringComparer.Ordinal);
    private readonly List<EmulatedSyncMessage> syncMessages = [];
    private readonly List<SimulatedCall> calls = [];
    private TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long version;
    private long restRequests;

    /// <summary>Raised (outside the lock) for each customer message in a routed conversation: what reaches an agent.</summary>
    public event Action<EmulatedConversation, EmulatedMessage>? CustomerMessageRouted;

    /// <summary>Raised (outside the lock) for each webhook Twilio would call, with the form it would post.</summary>
    public event Action<EmulatedWebhook, IReadOnlyList<KeyValuePair<string, string>>>? WebhookDue;

    public long Version => Interlocked.Read(ref version);

    /// <summary>How many REST requests the emulator has answered: what the server spends.</summary>
    public long RestRequests => Interlocked.Read(ref restRequests);

    public void CountRestRequest() => Interlocked.Increment(ref restRequests);

    public IReadOnlyList<string> UnknownRequests
    {
        get
        {
            lock (gate)
            {
                return [.. unknownRequests];
            }
        }
    }

    public void RecordUnknown(string request)
    {
        lock (gate)
        {
            unknownRequests.Add(request);
        }
    }

    public EmulatedConversation CreateConversation(string? friendlyName, string? uniqueName, string? attributes)
    {
        lock (gate)
        {
            if (uniqueName is not null && conversations.Values.Any(c => c.UniqueName == uniqueName))
            {
                throw new EmulatorException(HttpStatusCode.Conflict, 50353, "Conversation with provided unique name already exists");
            }

            var conversation = new EmulatedConversation(NewSid("CH"), uniqueName, friendlyName, attributes ?? "{}", clock.GetUtcNow());
            conversations.Add(conversation.Sid, conversation);
            Changed();
            return conversation;
        }
    }

    /// <summary>A conversation by SID or unique name, as Twilio's URLs accept either.</summary>
    public EmulatedConversation Get(string sidOrUniqueName)
    {
        lock (gate)
        {
            return conversations.GetValueOrDefault(sidOrUniqueName)
                ?? conversations.Values.FirstOrDefault(c => c.UniqueName == sidOrUniqueName)
                ?? throw EmulatorException.NotFound($"/Conversations/{sidOrUniqueName}");
        }
    }

    /// <summary>Deletes the conversation, as a Twilio user can in the Console: later requests for it get 404.</summary>
    public void Delete(string sid)
    {
        lock (gate)
        {
            conversations.Remove(sid);
            Changed();
        }
    }

    public EmulatedParticipant AddParticipant(EmulatedConversation conversation, string? identity, string? attributes, string? address = null)
    {
        lock (gate)
        {
            if (identity is not null && conversation.Participants.Any(p => p.Identity == identity))
            {
                throw new EmulatorException(HttpStatusCode.Conflict, 50433, "Participant already exists");
            }

            var participant = new EmulatedParticipant(NewSid("MB"), conversation.Sid, identity, attributes ?? "{}", clock.GetUtcNow(), address);
            conversation.Participants.Add(participant);
            Changed();
            return participant;
        }
    }

    public EmulatedWebhook AddWebhook(EmulatedConversation conversation, string target, IReadOnlyList<string> filters, string? flowSid, string? url, string? method)
    {
        lock (gate)
        {
            var webhook = new EmulatedWebhook(NewSid("WH"), conversation.Sid, target, filters, flowSid, url, method, clock.GetUtcNow());
            conversation.Webhooks.Add(webhook);
            Changed();
            return webhook;
        }
    }

    /// <summary>
    /// Adds a message. As on Twilio, a REST-created message fires the conversation's webhooks only when
    /// <paramref name="webhookEnabled"/> (the X-Twilio-Webhook-Enabled header), while the agent's messages (written
    /// from Flex, like the SDK) always do; a Studio webhook that fires sends the conversation to Flex, i.e. into the
    /// console's queue.
    /// </summary>
    public EmulatedMessage AddMessage(EmulatedConversation conversation, string author, string? body, string? attributes, bool webhookEnabled, bool fromAgent)
    {
        EmulatedMessage message;
        EmulatedMessage? routedMessage;
        List<EmulatedWebhook> due;
        lock (gate)
        {
            if (conversation.IsClosed)
            {
                throw EmulatorException.Closed();
            }

            var now = clock.GetUtcNow();
            var index = conversation.Messages.Count == 0 ? 0 : conversation.Messages[^1].Index + 1;
            message = new EmulatedMessage(NewSid("IM"), conversation.Sid, index, author, body, attributes ?? "{}", fromAgent, now);
            conversation.Messages.Add(message);
            conversation.Updated = now;
            var fires = webhookEnabled || fromAgent;
            if (fires && conversation.Webhooks.Any(w => w.Target == "studio" && w.Filters.Contains("onMessageAdded")))
            {
                MakeTask(conversation, workflowSid: null, attributes: null);
            }

            // What reaches the agent is the customer's newest message (the AI's hand-off notice is not one).
            routedMessage = conversation.Routed && !fromAgent ? LatestCustomerMessage(conversation) : null;
            due = fires ? Subscribed(conversation, "onMessageAdded") : [];
            Changed();
        }

        foreach (var webhook in due)
        {
            WebhookDue?.Invoke(webhook, WebhookForms.MessageAdded(account.AccountSid, webhook, message, fromAgent));
        }

        if (routedMessage is not null)
        {
            CustomerMessageRouted?.Invoke(conversation, routedMessage);
        }

        return message;
    }

    /// <summary>
    /// Creates an Interaction for the conversation, as Flex would: the conversation joins the agent's queue, and the
    /// customer's latest message (posted before routing, as the server does) reaches the agent.
    /// </summary>
    public EmulatedInteraction CreateInteraction(EmulatedConversation conversation, string channelType, string channel, string routing)
    {
        EmulatedInteraction interaction;
        EmulatedMessage? waiting;
        lock (gate)
        {
            if (conversation.IsClosed)
            {
                throw EmulatorException.Closed();
            }

            interaction = new EmulatedInteraction(NewSid("KD"), NewSid("UO"), channelType, conversation.Sid, channel, routing);
            interactions.Add(interaction);
            MakeTask(conversation, Workflow(routing), RoutingAttributes(routing));
            waiting = LatestCustomerMessage(conversation);
            Changed();
        }

        if (waiting is not null)
        {
            CustomerMessageRouted?.Invoke(conversation, waiting);
        }

        return interaction;
    }

    /// <summary>Closes the conversation; <paramref name="webhookEnabled"/> as for messages (the agent's close always fires).</summary>
    public void Close(EmulatedConversation conversation, bool webhookEnabled = true)
    {
        string from;
        List<EmulatedWebhook> due;
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
            WebhookDue?.Invoke(webhook, WebhookForms.StateUpdated(account.AccountSid, webhook, conversation, from));
        }
    }

    /// <summary>
    /// One page of messages. <paramref name="after"/> is the cursor (the index the previous page ended at), or
    /// <paramref name="offset"/> the number of messages to skip. Returns the page and whether more follow.
    /// </summary>
    public (IReadOnlyList<EmulatedMessage> Page, bool More) Messages(EmulatedConversation conversation, bool newestFirst, int pageSize, int? after, int offset)
    {
        lock (gate)
        {
            IEnumerable<EmulatedMessage> ordered = newestFirst
                ? conversation.Messages.AsEnumerable().Reverse().Where(m => after is null || m.Index < after)
                : conversation.Messages.Where(m => after is null || m.Index > after);
            var page = ordered.Skip(offset).Take(pageSize + 1).ToList();
            return page.Count > pageSize ? (page[..pageSize], true) : (page, false);
        }
    }

    public IReadOnlyList<EmulatedWebhook> Webhooks(EmulatedConversation conversation)
    {
        lock (gate)
        {
            return [.. conversation.Webhooks];
        }
    }

    public EmulatedMediaStreamResource StartCallStream(string callSid, string name, string url, string track)
    {
        lock (gate)
        {
            if (callStreams.Any(s => s.CallSid == callSid && s.Name == name && !s.Stopped))
            {
                throw new EmulatorException(HttpStatusCode.BadRequest, 31402, "A stream with this name is already running on the call");
            }

            var stream = new EmulatedMediaStreamResource(NewSid("MZ"), callSid, name, url, track, Stopped: false);
            callStreams.Add(stream);
            Changed();
            return stream;
        }
    }

    /// <summary>Stops the call's stream with that SID or name.</summary>
    public EmulatedMediaStreamResource StopCallStream(string callSid, string sidOrName)
    {
        lock (gate)
        {
            var index = callStreams.FindIndex(s => s.CallSid == callSid && (s.Sid == sidOrName || s.Name == sidOrName) && !s.Stopped);
            if (index < 0)
            {
                throw EmulatorException.NotFound($"/Calls/{callSid}/Streams/{sidOrName}");
            }

            callStreams[index] = callStreams[index] with { Stopped = true };
            Changed();
            return callStreams[index];
        }
    }

    public IReadOnlyList<EmulatedMediaStreamResource> CallStreams()
    {
        lock (gate)
        {
            return [.. callStreams];
        }
    }

    /// <summary>Creates a Sync stream by unique name (54301 when it exists); returns its SID.</summary>
    public string CreateSyncStream(string uniqueName)
    {
        lock (gate)
        {
            if (syncStreams.ContainsKey(uniqueName))
            {
                throw new EmulatorException(HttpStatusCode.Conflict, 54301, "Unique name already exists");
            }

            var sid = NewSid("TO");
            syncStreams[uniqueName] = sid;
            Changed();
            return sid;
        }
    }

    /// <summary>Publishes to a Sync stream named by SID or unique name.</summary>
    public EmulatedSyncMessage PublishSync(string stream, string data)
    {
        lock (gate)
        {
            var name = syncStreams.ContainsKey(stream) ? stream : syncStreams.FirstOrDefault(s => s.Value == stream).Key
                ?? throw EmulatorException.NotFound($"/Streams/{stream}");
            var message = new EmulatedSyncMessage(NewSid("TZ"), name, data, clock.GetUtcNow());
            syncMessages.Add(message);
            Changed();
            return message;
        }
    }

    public IReadOnlyList<EmulatedSyncMessage> SyncMessages()
    {
        lock (gate)
        {
            return [.. syncMessages];
        }
    }

    public void AddCall(string callSid)
    {
        lock (gate)
        {
            calls.Add(new SimulatedCall(callSid, clock.GetUtcNow(), Ended: false));
            Changed();
        }
    }

    public void EndCall(string callSid)
    {
        lock (gate)
        {
            var index = calls.FindIndex(c => c.CallSid == callSid);
            if (index >= 0)
            {
                calls[index] = calls[index] with { Ended = true };
                Changed();
            }
        }
    }

    /// <summary>The console's simulated calls, newest first.</summary>
    public IReadOnlyList<SimulatedCall> Calls()
    {
        lock (gate)
        {
            return [.. calls.AsEnumerable().Reverse()];
        }
    }

    /// <summary>Every conversation, oldest first.</summary>
    public IReadOnlyList<ConversationSnapshot> Conversations()
    {
        lock (gate)
        {
            return [.. conversations.Values.OrderBy(c => c.Created).Select(Snapshot)];
        }
    }

    /// <summary>The Interactions Flex accepted, oldest first.</summary>
    public IReadOnlyList<EmulatedInteraction> Interactions()
    {
        lock (gate)
        {
            return [.. interactions];
        }
    }

    /// <summary>
    /// The routed conversations (the agent's queue), those the AI is answering, and every channel customer's (shown from
    /// their first message, whoever answers), newest activity first.
    /// </summary>
    public IReadOnlyList<ConversationSnapshot> Queue()
    {
        lock (gate)
        {
            return [.. conversations.Values.Where(c => c.Routed || c.ChannelAddress is not null || c.Messages.Any(m => m.FromAi)).OrderByDescending(c => c.Updated).Select(Snapshot)];
        }
    }

    /// <summary>Keeps why the conversation's last webhook was not delivered (null once one is), for the console to show.</summary>
    public void WebhookOutcome(string conversationSid, string? failure)
    {
        lock (gate)
        {
            if (conversations.GetValueOrDefault(conversationSid) is { } conversation && conversation.WebhookFailure != failure)
            {
                conversation.WebhookFailure = failure;
                Changed();
            }
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

    /// <summary>The customer's newest message, unless an agent has written since (the AI's messages do not count).</summary>
    private static EmulatedMessage? LatestCustomerMessage(EmulatedConversation conversation) =>
        conversation.Messages.LastOrDefault(m => !m.FromAi) is { FromAgent: false } latest ? latest : null;

    /// <summary>Marks the conversation as a channel customer's (see <see cref="OpenConversationOf"/>).</summary>
    public void SetChannelAddress(EmulatedConversation conversation, string address)
    {
        lock (gate)
        {
            conversation.ChannelAddress = address;
        }
    }

    /// <summary>An agent joins the conversation (accepts its task), unless already in it.</summary>
    public void Join(EmulatedConversation conversation, string identity)
    {
        lock (gate)
        {
            if (conversation.Participants.All(p => p.Identity != identity))
            {
                conversation.Participants.Add(new EmulatedParticipant(NewSid("MB"), conversation.Sid, identity, "{}", clock.GetUtcNow()));
                if (conversation.Routed && conversation.AcceptedAt is null)
                {
                    conversation.AcceptedAt = clock.GetUtcNow();
                }

                Changed();
            }
        }
    }

    public IReadOnlyList<EmulatedParticipant> Participants(EmulatedConversation conversation)
    {
        lock (gate)
        {
            return [.. conversation.Participants];
        }
    }

    /// <summary>The open conversation of a customer on a channel (a participant with <paramref name="address"/>), or null.</summary>
    public EmulatedConversation? OpenConversationOf(string address)
    {
        lock (gate)
        {
            return conversations.Values.LastOrDefault(c => !c.IsClosed && c.ChannelAddress == address);
        }
    }

    private static ConversationSnapshot Snapshot(EmulatedConversation c) =>
        new(c.Sid, c.State, c.UniqueName, c.FriendlyName, c.Attributes, c.Routed, c.Updated, [.. c.Participants], [.. c.Webhooks], [.. c.Messages])
        {
            Created = c.Created,
            WebhookFailure = c.WebhookFailure,
        };

    private static List<EmulatedWebhook> Subscribed(EmulatedConversation conversation, string eventType) =>
        [.. conversation.Webhooks.Where(w => w.Target == "webhook" && w.Filters.Contains(eventType))];

    private void Changed()
    {
        Interlocked.Increment(ref version);
        changed.TrySetResult();
        changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private static string NewSid(string prefix) =>
        prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
