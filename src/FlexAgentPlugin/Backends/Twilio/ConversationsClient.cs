using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace FlexAgentPlugin.Backends.Twilio;

/// <summary>
/// Typed client for the part of Twilio's Conversations v1 REST API the relay uses. Parameter names follow
/// Twilio's OpenAPI description: form-encoded bodies in PascalCase, snake_case JSON answers.
/// </summary>
public sealed class ConversationsClient(HttpClient http) : TwilioRestClient(http)
{
    /// <summary>
    /// Creates a conversation named <paramref name="uniqueName"/>, or returns the one that already has that name
    /// (an earlier attempt of the same set-up): <see cref="Conversation.Existed"/> tells which.
    /// </summary>
    public async Task<Conversation> CreateConversationAsync(string friendlyName, string uniqueName, string attributes, CancellationToken cancellationToken)
    {
        try
        {
            return await PostAsync("create conversation", "v1/Conversations",
                [new("FriendlyName", friendlyName), new("UniqueName", uniqueName), new("Attributes", attributes)],
                TwilioJsonContext.Default.Conversation, cancellationToken);
        }
        catch (TwilioApiException error) when (error.Code == TwilioErrors.ConversationExists)
        {
            var existing = await FetchConversationAsync(uniqueName, cancellationToken)
                ?? throw new TwilioUnavailableException("create conversation", new InvalidOperationException("The conversation with that UniqueName vanished."));
            return existing with { Existed = true };
        }
    }

    /// <summary>The conversation, or null when Twilio no longer knows it (404).</summary>
    public async Task<Conversation?> FetchConversationAsync(string conversationSid, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"v1/Conversations/{Uri.EscapeDataString(conversationSid)}");
        return await SendAsync("fetch conversation", request, TwilioJsonContext.Default.Conversation, notFoundIsNull: true, cancellationToken);
    }

    /// <summary>Adds the chat participant; one already there (an earlier attempt) counts as done.</summary>
    public async Task AddChatParticipantAsync(string conversationSid, string identity, CancellationToken cancellationToken)
    {
        try
        {
            await PostAsync("add participant", $"v1/Conversations/{Uri.EscapeDataString(conversationSid)}/Participants",
                [new("Identity", identity)],
                TwilioJsonContext.Default.Participant, cancellationToken);
        }
        catch (TwilioApiException error) when (error.Code is { } code && TwilioErrors.ParticipantExists.Contains(code))
        {
            // Already a participant: nothing to do.
        }
    }

    /// <summary>The conversation's participants (the first 50: a customer and the agents who joined).</summary>
    public async Task<IReadOnlyList<Participant>> ListParticipantsAsync(string conversationSid, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"v1/Conversations/{Uri.EscapeDataString(conversationSid)}/Participants?PageSize=50");
        return (await SendAsync("list participants", request, TwilioJsonContext.Default.ParticipantPage, notFoundIsNull: false, cancellationToken))!.Participants;
    }

    /// <summary>The conversation's scoped webhooks.</summary>
    public async Task<IReadOnlyList<ScopedWebhook>> ListWebhooksAsync(string conversationSid, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"v1/Conversations/{Uri.EscapeDataString(conversationSid)}/Webhooks?PageSize=50");
        return (await SendAsync("list webhooks", request, TwilioJsonContext.Default.WebhookPage, notFoundIsNull: false, cancellationToken))!.Webhooks;
    }

    /// <summary>Routes the conversation's messages to a Studio flow (e.g. one with a "Send to Flex" widget).</summary>
    public Task<ScopedWebhook> AddStudioWebhookAsync(string conversationSid, string flowSid, IEnumerable<string> filters, CancellationToken cancellationToken) =>
        PostAsync("add Studio webhook", $"v1/Conversations/{Uri.EscapeDataString(conversationSid)}/Webhooks",
            [new("Target", "studio"), new("Configuration.FlowSid", flowSid), .. filters.Select(f => new KeyValuePair<string, string>("Configuration.Filters", f))],
            TwilioJsonContext.Default.ScopedWebhook, cancellationToken,
            request => RecoverWith(request, ct => FindWebhookAsync(conversationSid, w => w.Target == "studio" && w.Configuration?.FlowSid == flowSid, ct)));

    /// <summary>
    /// Has Twilio POST the conversation's events (<paramref name="filters"/>, e.g. onMessageAdded) to <paramref name="url"/>,
    /// signed with the account's auth token.
    /// </summary>
    public Task<ScopedWebhook> AddEventWebhookAsync(string conversationSid, string url, IEnumerable<string> filters, CancellationToken cancellationToken) =>
        PostAsync("add event webhook", $"v1/Conversations/{Uri.EscapeDataString(conversationSid)}/Webhooks",
            [new("Target", "webhook"), new("Configuration.Method", "post"), new("Configuration.Url", url),
             .. filters.Select(f => new KeyValuePair<string, string>("Configuration.Filters", f))],
            TwilioJsonContext.Default.ScopedWebhook, cancellationToken,
            request => RecoverWith(request, ct => FindWebhookAsync(conversationSid, w => w.Target == "webhook" && w.Configuration?.Url == url, ct)));

    /// <summary>
    /// Posts a message with <c>X-Twilio-Webhook-Enabled: true</c> (unless <paramref name="fireWebhooks"/> is false): without
    /// it Twilio fires no webhook for REST-created messages, so the Studio flow (and the agent) would never see it. The message carries a client
    /// message id in its Attributes (<paramref name="clientMessageId"/>, or a fresh one); before a re-send the newest
    /// messages are searched for it, so a retry never posts the message twice. With <paramref name="lookFirst"/> they
    /// are searched before the first send too (an earlier call with the same id may have posted it). The id is added to
    /// <paramref name="attributes"/> (which say, e.g., which door the message came through).
    /// </summary>
    public async Task<ConversationMessage> SendMessageAsync(
        string conversationSid, string author, string body, JsonObject attributes, CancellationToken cancellationToken, string? clientMessageId = null, bool lookFirst = false,
        bool fireWebhooks = true)
    {
        var id = clientMessageId ?? Guid.NewGuid().ToString("N");
        if (lookFirst && await FindByClientIdAsync(conversationSid, id, cancellationToken) is { } earlier)
        {
            return earlier;
        }

        var marked = new JsonObject { ["client_message_id"] = id };
        foreach (var (name, value) in attributes)
        {
            marked[name] = value?.DeepClone();
        }

        return await PostAsync("send message", $"v1/Conversations/{Uri.EscapeDataString(conversationSid)}/Messages",
            [new("Author", author), new("Body", body), new("Attributes", marked.ToJsonString())],
            TwilioJsonContext.Default.ConversationMessage, cancellationToken,
            request =>
            {
                if (fireWebhooks)
                {
                    request.Headers.Add("X-Twilio-Webhook-Enabled", "true");
                }

                RecoverWith(request, async ct => await FindByClientIdAsync(conversationSid, id, ct) is { } found
                    ? JsonContent.Create(found, TwilioJsonContext.Default.ConversationMessage)
                    : null);
            });
    }

    /// <summary>One page of messages, newest first when <paramref name="newestFirst"/>.</summary>
    public async Task<MessagePage> ListMessagesAsync(string conversationSid, bool newestFirst, int pageSize, CancellationToken cancellationToken)
    {
        var order = newestFirst ? "desc" : "asc";
        using var request = new HttpRequestMessage(HttpMethod.Get,
            $"v1/Conversations/{Uri.EscapeDataString(conversationSid)}/Messages?Order={order}&PageSize={pageSize}");
        return (await SendAsync("list messages", request, TwilioJsonContext.Default.MessagePage, notFoundIsNull: false, cancellationToken))!;
    }

    /// <summary>The page after <paramref name="page"/> (its <c>meta.next_page_url</c>), or null on the last page.</summary>
    public async Task<MessagePage?> NextPageAsync(MessagePage page, CancellationToken cancellationToken)
    {
        if (page.Meta.NextPageUrl is not { } next)
        {
            return null;
        }

        // The credentials go with the request: follow only links to the host this client is configured for.
        if (!Uri.TryCreate(next, UriKind.Absolute, out var uri) || Uri.Compare(uri, Http.BaseAddress, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) != 0)
        {
            throw new TwilioUnavailableException("list messages", new InvalidOperationException("Twilio's next_page_url points at another host."));
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        return await SendAsync("list messages", request, TwilioJsonContext.Default.MessagePage, notFoundIsNull: false, cancellationToken);
    }

    /// <summary>The newest message (of the last 50) carrying <paramref name="clientMessageId"/> in its Attributes, if any.</summary>
    private async Task<ConversationMessage?> FindByClientIdAsync(string conversationSid, string clientMessageId, CancellationToken cancellationToken) =>
        (await ListMessagesAsync(conversationSid, newestFirst: true, pageSize: 50, cancellationToken)).Messages
            .FirstOrDefault(m => m.Attributes?.Contains(clientMessageId, StringComparison.Ordinal) == true);

    private async Task<HttpContent?> FindWebhookAsync(string conversationSid, Func<ScopedWebhook, bool> match, CancellationToken cancellationToken) =>
        (await ListWebhooksAsync(conversationSid, cancellationToken)).FirstOrDefault(match) is { } found
            ? JsonContent.Create(found, TwilioJsonContext.Default.ScopedWebhook)
            : null;
}
