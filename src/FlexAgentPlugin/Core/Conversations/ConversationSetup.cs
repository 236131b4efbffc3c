using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.RateLimiting;
using FlexAgentPlugin.Core.Callbacks;
using FlexAgentPlugin.Core.Telemetry;
using FlexAgentPlugin.Core.Users;

namespace FlexAgentPlugin.Core.Conversations;

/// <summary>
/// Creates a user's conversation in Twilio: the conversation, the user as a chat participant, and the webhook that
/// reports its events to this server. Every step is safe to repeat (a retry or a repeated set-up finds what an
/// earlier attempt made). At most <see cref="MaxAtOnce"/> set-ups run at once: in a burst of
/// new users the rest wait their turn holding nothing but their request.
/// </summary>
public sealed partial class ConversationSetup(IConversationLog twilio, TwilioCallbacks callbacks, ExchangeMetrics metrics, ILogger<ConversationSetup> logger) : IDisposable
{
    /// <summary>Set-ups running at once; the rest wait their turn.</summary>
    public const int MaxAtOnce = 64;

    private const string CreatedBy = "created_by";
    private const string CreatedByValue = "FlexAgentPlugin";

    private readonly ConcurrencyLimiter inFlight = new(new ConcurrencyLimiterOptions
    {
        PermitLimit = MaxAtOnce,
        QueueLimit = int.MaxValue,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    });

    /// <summary>
    /// The conversation's UniqueName: the same for every attempt of one set-up (so a retried or repeated create finds the
    /// conversation an earlier attempt made), different from the conversation it replaces.
    /// </summary>
    public static string UniqueName(string userKey, string? replacing) =>
        "flexagent-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{userKey}:{replacing ?? "first"}")))[..40];

    /// <summary>True when a conversation's attributes say this server set it up for a user of /send or MCP.</summary>
    public static bool IsUserConversation(string? attributes)
    {
        try
        {
            return attributes is not null && attributes.Contains(CreatedByValue, StringComparison.Ordinal)
                && JsonNode.Parse(attributes) is JsonObject json && (string?)json[CreatedBy] == CreatedByValue;
        }
        catch (Exception error) when (error is System.Text.Json.JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>
    /// The conversation's SID, and whether an earlier attempt had already created it. A user who proved a phone number or
    /// email address (<paramref name="contact"/>) is that customer in its name and attributes (<c>customerAddress</c>,
    /// <c>verified</c>), as Flex shows them.
    /// </summary>
    public async Task<(string Sid, bool Existed)> CreateAsync(string username, Contact? contact, string uniqueName, MessageSource source, CancellationToken cancellationToken)
    {
        metrics.SetupQueued();
        RateLimitLease turn;
        try
        {
            turn = await inFlight.AcquireAsync(1, cancellationToken);
        }
        finally
        {
            metrics.SetupStarted();
        }

        using var held = turn;
        var attributes = new JsonObject { ["source"] = source.AttributeValue(), [CreatedBy] = CreatedByValue };
        if (contact is not null)
        {
            attributes["customerAddress"] = contact.Address;
            attributes["verified"] = new JsonObject { ["kind"] = contact.Kind, ["value"] = contact.Address };
        }

        var conversation = await twilio.CreateConversationAsync($"{source.Label()}: {contact?.Address ?? username}", uniqueName, attributes.ToJsonString(), cancellationToken);
        await twilio.AddChatParticipantAsync(conversation.Sid, username, cancellationToken);
        if (callbacks.ConversationEventsUrl is { } url)
        {
            var existing = conversation.Existed ? await twilio.ListWebhooksAsync(conversation.Sid, cancellationToken) : [];
            if (!existing.Any(w => w.Target == "webhook" && w.Configuration?.Url == url))
            {
                await twilio.AddEventWebhookAsync(conversation.Sid, url, TwilioCallbacks.ConversationEventFilters, cancellationToken);
            }
        }

        Created(logger, conversation.Sid);
        return (conversation.Sid, conversation.Existed);
    }

    public void Dispose() => inFlight.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "Created conversation {ConversationSid}")]
    private static partial void Created(ILogger logger, string conversationSid);
}

