using System.Net.Http.Json;
using System.Text.Json;
using FlexAgentPlugin.Core.Conversations;
using FlexAgentPlugin.Core.Services;
using Twilio.Base;
using Twilio.Rest.Conversations.V1;
using Twilio.Rest.Conversations.V1.Conversation;

namespace FlexAgentPlugin.Backends.Twilio;

/// <summary>
/// The part of Twilio's Conversations v1 API the relay uses, through the SDK's resources: conversations, their
/// participants and scoped webhooks here, messages in <c>ConversationsClient.Messages.cs</c>. Answers are mapped to the
/// relay's own records.
/// </summary>
public sealed partial class ConversationsClient(TwilioApi api) : IConversationLog
{
    /// <summary>
    /// Creates a conversation named <paramref name="uniqueName"/>, or returns the one that already has that name
    /// (an earlier attempt of the same set-up): <see cref="Conversation.Existed"/> tells which.
    /// </summary>
    public async Task<Conversation> CreateConversationAsync(string friendlyName, string uniqueName, string attributes, CancellationToken cancellationToken)
    {
        try
        {
            var options = new CreateConversationOptions { FriendlyName = friendlyName, UniqueName = uniqueName, Attributes = attributes };
            return ToConversation(await api.CallAsync("create conversation", client => ConversationResource.CreateAsync(options, client), cancellationToken));
        }
        catch (ServiceRefusedException error) when (error.Code == TwilioErrors.ConversationExists)
        {
            var existing = await FetchConversationAsync(uniqueName, cancellationToken)
                ?? throw TwilioFailures.Unavailable("create conversation", new InvalidOperationException("The conversation with that UniqueName vanished."));
            return existing with { Existed = true };
        }
    }

    /// <summary>The conversation (by SID or UniqueName), or null when Twilio no longer knows it (404).</summary>
    public async Task<Conversation?> FetchConversationAsync(string conversationSid, CancellationToken cancellationToken)
    {
        try
        {
            return ToConversation(await api.CallAsync("fetch conversation", client => ConversationResource.FetchAsync(conversationSid, client), cancellationToken));
        }
        catch (ServiceRefusedException error) when (error.Status == System.Net.HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>Adds the chat participant; one already there (an earlier attempt) counts as done.</summary>
    public async Task AddChatParticipantAsync(string conversationSid, string identity, CancellationToken cancellationToken)
    {
        try
        {
            var options = new CreateParticipantOptions(conversationSid) { Identity = identity };
            await api.CallAsync("add participant", client => ParticipantResource.CreateAsync(options, client), cancellationToken);
        }
        catch (ServiceRefusedException error) when (error.Code is { } code && TwilioErrors.ParticipantExists.Contains(code))
        {
            // Already a participant: nothing to do.
        }
    }

    /// <summary>The conversation's participants (the first 50: a customer and the agents who joined).</summary>
    public async Task<IReadOnlyList<Participant>> ListParticipantsAsync(string conversationSid, CancellationToken cancellationToken)
    {
        var page = await api.CallAsync("list participants",
            client => ParticipantResource.ReadAsync(new ReadParticipantOptions(conversationSid) { PageSize = 50 }, client), cancellationToken);
        return [.. FirstPage(page).Select(p => new Participant(p.Sid, p.ConversationSid, p.Identity))];
    }

    /// <summary>The conversation's scoped webhooks (the first 50; the relay adds two at most).</summary>
    public async Task<IReadOnlyList<ScopedWebhook>> ListWebhooksAsync(string conversationSid, CancellationToken cancellationToken)
    {
        var page = await api.CallAsync("list webhooks",
            client => WebhookResource.ReadAsync(new ReadWebhookOptions(conversationSid) { PageSize = 50 }, client), cancellationToken);
        return [.. FirstPage(page).Select(ToWebhook)];
    }

    /// <summary>Routes the conversation's messages to a Studio flow (e.g. one with a "Send to Flex" widget).</summary>
    public async Task<ScopedWebhook> AddStudioWebhookAsync(string conversationSid, string flowSid, IEnumerable<string> filters, CancellationToken cancellationToken)
    {
        var options = new CreateWebhookOptions(conversationSid, WebhookResource.TargetEnum.Studio) { ConfigurationFlowSid = flowSid, ConfigurationFilters = [.. filters] };
        return ToWebhook(await api.CallAsync("add Studio webhook", client => WebhookResource.CreateAsync(options, client), cancellationToken,
            recover: ct => FindWebhookAsync(conversationSid, w => w.Target == "studio" && w.Configuration?.FlowSid == flowSid, ct)));
    }

    /// <summary>
    /// Has Twilio POST the conversation's events (<paramref name="filters"/>, e.g. onMessageAdded) to <paramref name="url"/>,
    /// signed with the account's auth token.
    /// </summary>
    public async Task<ScopedWebhook> AddEventWebhookAsync(string conversationSid, string url, IEnumerable<string> filters, CancellationToken cancellationToken)
    {
        var options = new CreateWebhookOptions(conversationSid, WebhookResource.TargetEnum.Webhook)
        {
            ConfigurationMethod = WebhookResource.MethodEnum.Post,
            ConfigurationUrl = url,
            ConfigurationFilters = [.. filters],
        };
        return ToWebhook(await api.CallAsync("add event webhook", client => WebhookResource.CreateAsync(options, client), cancellationToken,
            recover: ct => FindWebhookAsync(conversationSid, w => w.Target == "webhook" && w.Configuration?.Url == url, ct)));
    }

    /// <summary>The records of the SDK's first page only: reading on would fetch the next pages synchronously.</summary>
    private static ResourceSet<T> FirstPage<T>(ResourceSet<T> page) where T : Resource
    {
        page.AutoPaging = false;
        return page;
    }

    private async Task<HttpContent?> FindWebhookAsync(string conversationSid, Func<ScopedWebhook, bool> match, CancellationToken cancellationToken) =>
        (await ListWebhooksAsync(conversationSid, cancellationToken)).FirstOrDefault(match) is { } found
            ? JsonContent.Create(found, TwilioJsonContext.Default.ScopedWebhook)
            : null;

    private static Conversation ToConversation(ConversationResource conversation) =>
        new(conversation.Sid, conversation.State?.ToString(), conversation.FriendlyName, conversation.Attributes);

    /// <summary>The webhook with its configuration (a JSON object the SDK leaves untyped) read as the relay's record.</summary>
    private static ScopedWebhook ToWebhook(WebhookResource webhook) =>
        new(webhook.Sid, webhook.ConversationSid, webhook.Target, webhook.Configuration?.ToString() is { } json
            ? JsonSerializer.Deserialize(json, TwilioJsonContext.Default.WebhookConfiguration)
            : null);
}
