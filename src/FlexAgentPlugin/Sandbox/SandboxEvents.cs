using System.Globalization;

namespace FlexAgentPlugin.Sandbox;

/// <summary>The form bodies of Twilio's conversation-scoped webhooks (post-action events), as the sandbox sends them.</summary>
internal static class SandboxEvents
{
    public static IReadOnlyList<KeyValuePair<string, string>> MessageAdded(SandboxWebhook webhook, SandboxMessage message, bool fromAgent) =>
    [
        .. Common(webhook, "onMessageAdded"),
        new("MessageSid", message.Sid),
        new("Index", message.Index.ToString(CultureInfo.InvariantCulture)),
        new("Author", message.Author),
        new("Body", message.Body ?? ""),
        new("Attributes", message.Attributes),
        new("DateCreated", Date(message.Created)),
        new("Source", fromAgent ? "SDK" : "API"),
    ];

    public static IReadOnlyList<KeyValuePair<string, string>> StateUpdated(SandboxWebhook webhook, SandboxConversation conversation, string from) =>
    [
        .. Common(webhook, "onConversationStateUpdated"),
        new("StateFrom", from),
        new("StateTo", conversation.State),
        new("Reason", "API"),
        new("DateCreated", Date(conversation.Created)),
        new("DateUpdated", Date(conversation.Updated)),
        new("FriendlyName", conversation.FriendlyName ?? ""),
        new("Attributes", conversation.Attributes),
    ];

    private static KeyValuePair<string, string>[] Common(SandboxWebhook webhook, string eventType) =>
    [
        new("AccountSid", SandboxMode.AccountSid),
        new("ChatServiceSid", "IS" + new string('0', 32)),
        new("ConversationSid", webhook.ConversationSid),
        new("EventType", eventType),
        new("RetryCount", "0"),
        new("WebhookSid", webhook.Sid),
        new("WebhookType", "conversation"),
    ];

    private static string Date(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
