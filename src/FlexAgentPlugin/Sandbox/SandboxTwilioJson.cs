using System.Globalization;
using System.Text.Json.Nodes;

namespace FlexAgentPlugin.Sandbox;

/// <summary>The sandbox's resources in the JSON shapes of Twilio's Conversations v1 API (snake_case, ISO dates, links).</summary>
internal static class SandboxTwilioJson
{
    public static JsonObject Conversation(SandboxConversation c, string api) => new()
    {
        ["sid"] = c.Sid,
        ["account_sid"] = SandboxMode.AccountSid,
        ["chat_service_sid"] = SandboxMode.ChatServiceSid,
        ["messaging_service_sid"] = "MG" + new string('0', 32),
        ["friendly_name"] = c.FriendlyName,
        ["unique_name"] = c.UniqueName,
        ["attributes"] = c.Attributes,
        ["date_created"] = Date(c.Created),
        ["date_updated"] = Date(c.Updated),
        ["state"] = c.State,
        ["timers"] = new JsonObject(),
        ["bindings"] = null,
        ["url"] = $"{api}/v1/Conversations/{c.Sid}",
        ["links"] = new JsonObject
        {
            ["participants"] = $"{api}/v1/Conversations/{c.Sid}/Participants",
            ["messages"] = $"{api}/v1/Conversations/{c.Sid}/Messages",
            ["webhooks"] = $"{api}/v1/Conversations/{c.Sid}/Webhooks",
        },
    };

    public static JsonObject Participant(SandboxParticipant p, string api) => new()
    {
        ["account_sid"] = SandboxMode.AccountSid,
        ["conversation_sid"] = p.ConversationSid,
        ["sid"] = p.Sid,
        ["identity"] = p.Identity,
        ["attributes"] = p.Attributes,
        ["messaging_binding"] = null,
        ["role_sid"] = null,
        ["date_created"] = Date(p.Created),
        ["date_updated"] = Date(p.Created),
        ["url"] = $"{api}/v1/Conversations/{p.ConversationSid}/Participants/{p.Sid}",
        ["last_read_message_index"] = null,
        ["last_read_timestamp"] = null,
    };

    public static JsonObject Webhook(SandboxWebhook w, string api) => new()
    {
        ["account_sid"] = SandboxMode.AccountSid,
        ["conversation_sid"] = w.ConversationSid,
        ["sid"] = w.Sid,
        ["target"] = w.Target,
        ["configuration"] = new JsonObject
        {
            ["url"] = w.Url,
            ["method"] = w.Method,
            ["flow_sid"] = w.FlowSid,
            ["filters"] = new JsonArray(w.Filters.Select(f => (JsonNode?)f).ToArray()),
        },
        ["date_created"] = Date(w.Created),
        ["date_updated"] = Date(w.Created),
        ["url"] = $"{api}/v1/Conversations/{w.ConversationSid}/Webhooks/{w.Sid}",
    };

    public static JsonObject Message(SandboxMessage m, string api) => new()
    {
        ["sid"] = m.Sid,
        ["account_sid"] = SandboxMode.AccountSid,
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
        ["url"] = $"{api}/v1/Conversations/{m.ConversationSid}/Messages/{m.Sid}",
        ["links"] = new JsonObject(),
    };

    /// <summary>A list page with Twilio's <c>meta</c> block; <c>next_page_url</c> carries the paging token.</summary>
    public static JsonObject MessagePage(
        IReadOnlyList<SandboxMessage> page, int? next, string conversationSid, string order, int pageSize, int pageNumber, string api)
    {
        var list = $"{api}/v1/Conversations/{conversationSid}/Messages?Order={order}&PageSize={pageSize}";
        return new JsonObject
        {
            ["messages"] = new JsonArray(page.Select(m => (JsonNode?)Message(m, api)).ToArray()),
            ["meta"] = Meta("messages", list, pageNumber, pageSize, next is { } token ? $"{list}&Page={pageNumber + 1}&PageToken=PT{token}" : null),
        };
    }

    public static JsonObject WebhookPage(IReadOnlyList<SandboxWebhook> webhooks, string conversationSid, string api)
    {
        var list = $"{api}/v1/Conversations/{conversationSid}/Webhooks?PageSize=50";
        return new JsonObject
        {
            ["webhooks"] = new JsonArray(webhooks.Select(w => (JsonNode?)Webhook(w, api)).ToArray()),
            ["meta"] = Meta("webhooks", list, pageNumber: 0, pageSize: 50, nextPageUrl: null),
        };
    }

    /// <summary>Twilio's paging block; <paramref name="key"/> names the list it describes.</summary>
    private static JsonObject Meta(string key, string list, int pageNumber, int pageSize, string? nextPageUrl) => new()
    {
        ["page"] = pageNumber,
        ["page_size"] = pageSize,
        ["first_page_url"] = $"{list}&Page=0",
        ["previous_page_url"] = null,
        ["url"] = $"{list}&Page={pageNumber}",
        ["next_page_url"] = nextPageUrl,
        ["key"] = key,
    };

    /// <summary>An Interaction as Flex's Interactions API returns it (its routing echoes the request's).</summary>
    public static JsonObject Interaction(SandboxInteraction i, string api) => new()
    {
        ["sid"] = i.Sid,
        ["channel"] = new JsonObject { ["type"] = i.ChannelType, ["sid"] = i.ChannelSid },
        ["routing"] = JsonNode.Parse(i.Routing),
        ["interaction_context_sid"] = null,
        ["webhook_ttid"] = null,
        ["url"] = $"{api}/v1/Interactions/{i.Sid}",
        ["links"] = new JsonObject { ["channels"] = $"{api}/v1/Interactions/{i.Sid}/Channels" },
    };

    public static JsonObject Error(SandboxTwilioException fault) => new()
    {
        ["code"] = fault.Code,
        ["message"] = fault.Message,
        ["more_info"] = $"https://www.twilio.com/docs/errors/{fault.Code}",
        ["status"] = (int)fault.Status,
    };

    private static string Date(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
