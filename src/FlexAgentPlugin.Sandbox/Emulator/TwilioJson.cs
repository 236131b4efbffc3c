using System.Globalization;
using System.Text.Json.Nodes;

namespace FlexAgentPlugin.Sandbox.Emulator;

/// <summary>The emulator's resources in the JSON shapes of Twilio's APIs (snake_case, ISO dates, links, paging blocks).</summary>
internal static class TwilioJson
{
    public static JsonObject Conversation(EmulatedConversation c, Api api) => new()
    {
        ["sid"] = c.Sid,
        ["account_sid"] = api.AccountSid,
        ["chat_service_sid"] = SandboxAccount.ChatServiceSid,
        ["messaging_service_sid"] = SandboxAccount.MessagingServiceSid,
        ["friendly_name"] = c.FriendlyName,
        ["unique_name"] = c.UniqueName,
        ["attributes"] = c.Attributes,
        ["date_created"] = Date(c.Created),
        ["date_updated"] = Date(c.Updated),
        ["state"] = c.State,
        ["timers"] = new JsonObject(),
        ["bindings"] = null,
        ["url"] = $"{api.BaseUrl}/v1/Conversations/{c.Sid}",
        ["links"] = new JsonObject
        {
            ["participants"] = $"{api.BaseUrl}/v1/Conversations/{c.Sid}/Participants",
            ["messages"] = $"{api.BaseUrl}/v1/Conversations/{c.Sid}/Messages",
            ["webhooks"] = $"{api.BaseUrl}/v1/Conversations/{c.Sid}/Webhooks",
        },
    };

    public static JsonObject Participant(EmulatedParticipant p, Api api) => new()
    {
        ["account_sid"] = api.AccountSid,
        ["conversation_sid"] = p.ConversationSid,
        ["sid"] = p.Sid,
        ["identity"] = p.Identity,
        ["attributes"] = p.Attributes,
        ["messaging_binding"] = p.Address is { } address
            ? new JsonObject { ["type"] = address.StartsWith("whatsapp:", StringComparison.Ordinal) ? "whatsapp" : "sms", ["address"] = address, ["proxy_address"] = SandboxAccount.ChannelNumber }
            : null,
        ["role_sid"] = null,
        ["date_created"] = Date(p.Created),
        ["date_updated"] = Date(p.Created),
        ["url"] = $"{api.BaseUrl}/v1/Conversations/{p.ConversationSid}/Participants/{p.Sid}",
        ["last_read_message_index"] = null,
        ["last_read_timestamp"] = null,
    };

    public static JsonObject Webhook(EmulatedWebhook w, Api api) => new()
    {
        ["account_sid"] = api.AccountSid,
        ["conversation_sid"] = w.ConversationSid,
        ["sid"] = w.Sid,
        ["target"] = w.Target,
        ["configuration"] = new JsonObject
        {
            ["url"] = w.Url,
            ["method"] = w.Method,
            ["flow_sid"] = w.FlowSid,
            ["filters"] = new JsonArray([.. w.Filters.Select(f => (JsonNode?)f)]),
        },
        ["date_created"] = Date(w.Created),
        ["date_updated"] = Date(w.Created),
        ["url"] = $"{api.BaseUrl}/v1/Conversations/{w.ConversationSid}/Webhooks/{w.Sid}",
    };

    public static JsonObject Message(EmulatedMessage m, Api api) => new()
    {
        ["sid"] = m.Sid,
        ["account_sid"] = api.AccountSid,
        ["conversation_sid"] = m.ConversationSid,
        ["body"] = m.Body,
        ["media"] = null,
        ["author"] = m.Author,
        ["participant_sid"] = null,
        ["attributes"] = m.Attributes,
        ["date_created"] = Date(m.Created),
        ["date_updated"] = null,
        ["index"] = m.Index,
        ["delivery"] = null,
        ["content_sid"] = null,
        ["url"] = $"{api.BaseUrl}/v1/Conversations/{m.ConversationSid}/Messages/{m.Sid}",
        ["links"] = new JsonObject(),
    };

    /// <summary>A list page with Twilio's <c>meta</c> block; <paramref name="next"/> is what the next page's URL adds to the list's.</summary>
    public static JsonObject MessagePage(
        IReadOnlyList<EmulatedMessage> page, string? next, string conversationSid, string order, int pageSize, int pageNumber, Api api)
    {
        var list = $"{api.BaseUrl}/v1/Conversations/{conversationSid}/Messages?Order={order}&PageSize={pageSize}";
        return new JsonObject
        {
            ["messages"] = new JsonArray([.. page.Select(m => (JsonNode?)Message(m, api))]),
            ["meta"] = Meta("messages", list, pageNumber, pageSize, next is null ? null : list + next),
        };
    }

    public static JsonObject WebhookPage(IReadOnlyList<EmulatedWebhook> webhooks, string conversationSid, Api api)
    {
        var list = $"{api.BaseUrl}/v1/Conversations/{conversationSid}/Webhooks?PageSize=50";
        return new JsonObject
        {
            ["webhooks"] = new JsonArray([.. webhooks.Select(w => (JsonNode?)Webhook(w, api))]),
            ["meta"] = Meta("webhooks", list, pageNumber: 0, pageSize: 50, nextPageUrl: null),
        };
    }

    public static JsonObject ParticipantPage(IReadOnlyList<EmulatedParticipant> participants, string conversationSid, Api api)
    {
        var list = $"{api.BaseUrl}/v1/Conversations/{conversationSid}/Participants?PageSize=50";
        return new JsonObject
        {
            ["participants"] = new JsonArray([.. participants.Select(p => (JsonNode?)Participant(p, api))]),
            ["meta"] = Meta("participants", list, pageNumber: 0, pageSize: 50, nextPageUrl: null),
        };
    }

    /// <summary>An Interaction as Flex's Interactions API returns it (its routing echoes the request's).</summary>
    public static JsonObject Interaction(EmulatedInteraction i, Api api) => new()
    {
        ["sid"] = i.Sid,
        ["channel"] = new JsonObject { ["type"] = i.ChannelType, ["sid"] = i.ChannelSid },
        ["routing"] = JsonNode.Parse(i.Routing),
        ["interaction_context_sid"] = null,
        ["webhook_ttid"] = null,
        ["url"] = $"{api.BaseUrl}/v1/Interactions/{i.Sid}",
        ["links"] = new JsonObject { ["channels"] = $"{api.BaseUrl}/v1/Interactions/{i.Sid}/Channels" },
    };

    public static JsonObject Error(EmulatorException fault) => new()
    {
        ["code"] = fault.Code,
        ["message"] = fault.Message,
        ["more_info"] = $"https://www.twilio.com/docs/errors/{fault.Code}",
        ["status"] = (int)fault.Status,
    };

    /// <summary>Twilio's paging block; <paramref name="key"/> names the list it describes.</summary>
    internal static JsonObject Meta(string key, string list, int pageNumber, int pageSize, string? nextPageUrl) => new()
    {
        ["page"] = pageNumber,
        ["page_size"] = pageSize,
        ["first_page_url"] = $"{list}&Page=0",
        ["previous_page_url"] = null,
        ["url"] = $"{list}&Page={pageNumber}",
        ["next_page_url"] = nextPageUrl,
        ["key"] = key,
    };

    public static string Date(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
