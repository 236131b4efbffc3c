using System.Text.Json.Serialization;
using FlexAgentPlugin.Core.Conversations;

namespace FlexAgentPlugin.Backends.Twilio;

/// <summary>
/// Resources in Twilio's JSON shape (snake_case): a webhook's configuration as Twilio returns it, and what an earlier
/// attempt of a create left, handed to the SDK as that create's answer (see <see cref="TwilioResilienceHandler.Recover"/>).
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ScopedWebhook))]
[JsonSerializable(typeof(WebhookConfiguration))]
[JsonSerializable(typeof(ConversationMessage))]
internal sealed partial class TwilioJsonContext : JsonSerializerContext;
