using System.Net.Http.Json;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Core.Conversations;
using Twilio.Base;
using Twilio.Rest;
using Twilio.Rest.Conversations.V1.Conversation;
using HttpMethod = Twilio.Http.HttpMethod;
using Request = Twilio.Http.Request;

namespace FlexAgentPlugin.Backends.Twilio;

/// <summary>A conversation's messages: posting one exactly once, and reading them page by page.</summary>
public sealed partial class ConversationsClient
{
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

        var options = new CreateMessageOptions(conversationSid)
        {
            Author = author,
            Body = body,
            Attributes = marked.ToJsonString(),
            XTwilioWebhookEnabled = fireWebhooks ? MessageResource.WebhookEnabledTypeEnum.True : null,
        };
        return ToMessage(await api.CallAsync("send message", client => MessageResource.CreateAsync(options, client), cancellationToken,
            recover: async ct => await FindByClientIdAsync(conversationSid, id, ct) is { } found
                ? JsonContent.Create(found, TwilioJsonContext.Default.ConversationMessage)
                : null));
    }

    /// <summary>One page of messages, newest first when <paramref name="newestFirst"/>.</summary>
    public Task<MessagePage> ListMessagesAsync(string conversationSid, bool newestFirst, int pageSize, CancellationToken cancellationToken)
    {
        var options = new ReadMessageOptions(conversationSid)
        {
            Order = newestFirst ? MessageResource.OrderTypeEnum.Desc : MessageResource.OrderTypeEnum.Asc,
            PageSize = pageSize,
        };
        return ReadPageAsync(() => new Request(HttpMethod.Get, Domain.Conversations, $"/v1/Conversations/{conversationSid}/Messages", queryParams: options.GetParams()), cancellationToken);
    }

    /// <summary>The page after <paramref name="page"/> (its <c>meta.next_page_url</c>), or null on the last page.</summary>
    public async Task<MessagePage?> NextPageAsync(MessagePage page, CancellationToken cancellationToken) =>
        page.NextPageUrl is { } next ? await ReadPageAsync(() => new Request(HttpMethod.Get, next), cancellationToken) : null;

    /// <summary>
    /// A page of messages read with the SDK's request and page types, but by hand: the SDK's <c>ReadAsync</c> hides the
    /// page's <c>next_page_url</c> and its <c>NextPage</c> is synchronous (a waiting reply reader would hold a thread),
    /// while the exactly-once hand-out walks newest-first pages back to its mark, following Twilio's links.
    /// </summary>
    private Task<MessagePage> ReadPageAsync(Func<Request> request, CancellationToken cancellationToken) =>
        api.CallAsync("list messages", async client =>
        {
            var page = Page<MessageResource>.FromJson("messages", (await client.RequestAsync(request())).Content);
            return new MessagePage([.. page.Records.Select(ToMessage)], page.HasNextPage() ? page.GetNextPageUrl(Domain.Conversations) : null);
        }, cancellationToken);

    /// <summary>The newest message (of the last 50) carrying <paramref name="clientMessageId"/> in its Attributes, if any.</summary>
    private async Task<ConversationMessage?> FindByClientIdAsync(string conversationSid, string clientMessageId, CancellationToken cancellationToken) =>
        (await ListMessagesAsync(conversationSid, newestFirst: true, pageSize: 50, cancellationToken)).Messages
            .FirstOrDefault(m => m.Attributes?.Contains(clientMessageId, StringComparison.Ordinal) == true);

    private static ConversationMessage ToMessage(MessageResource message) =>
        new(message.Sid, message.Index ?? 0, message.Author, message.Body, message.Attributes)
        {
            DateCreated = message.DateCreated is { } created
                ? new DateTimeOffset(created.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(created, DateTimeKind.Utc) : created.ToUniversalTime())
                : null,
        };
}
