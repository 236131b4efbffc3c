using System.Globalization;

namespace FlexAgentPlugin.Sandbox.Emulator;

/// <summary>The form bodies of Twilio's conversation-scoped webhooks (post-action events), as the emulator sends them.</summary>
internal static class WebhookForms
{
    public static IReadOnlyList<KeyValuePair<string, string>> MessageAdded(string accountSid, EmulatedWebhook webhook, EmulatedMessage message, bool fromAgent) =>
    [
        .. Common(accountSid, webhook, "onMessageAdded"),
        new("MessageSid", message.Sid),
        new("Index", message.Index.ToString(CultureInfo.InvariantCulture)),
        new("Author", message.Author),
        new("Body", message.Body ?? ""),
        new("Attributes", message.Attributes),
        new("DateCreated", Date(message.Created)),
        new("Source", fromAgent ? "SDK" : "API"),
    ];

    public static IReadOnlyList<KeyValuePair<string, string>> StateUpdated(string accountSid, EmulatedWebhook webhook, EmulatedConversation conversation, string from) =>
    [
        .. Common(accountSid, webhook, "onConversationStateUpdated"),
        new("StateFrom", from),
        new("StateTo", conversation.State),
        new("Reason", "API"),
        new("DateCreated", Date(conversation.Created)),
        new("DateUpdated", Date(conversation.Updated)),
        new("FriendlyName", conversation.FriendlyName ?? ""),
        new("Attributes", conversation.Attributes),
    ];

    private static KeyValuePair<string, string>[] Common(string accountSid, EmulatedWebhook webhook, string eventType) =>
    [
        new("AccountSid", accountSid),
        new("ChatServiceSid", SandboxAccount.ChatServiceSid),
        new("ConversationSid", webhook.ConversationSid),
        new("EventType", eventType),
        new("RetryCount", "0"),
        new("WebhookSid", webhook.Sid),
        new("WebhookType", "conversation"),
    ];

    private static string Date(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
