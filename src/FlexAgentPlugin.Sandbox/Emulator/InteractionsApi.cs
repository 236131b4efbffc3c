using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace FlexAgentPlugin.Sandbox.Emulator;

/// <summary>
/// The emulated Flex Interactions API, under <see cref="SandboxAccount.FlexPath"/>: <c>POST /v1/Interactions</c> with the
/// Channel and Routing JSON documents as form fields, checked as Flex would, routes an existing conversation into the
/// agent console's queue.
/// </summary>
internal static partial class InteractionsApi
{
    private static readonly string[] ChannelTypes = ["chat", "sms", "whatsapp", "email", "web", "messenger", "gbm"];
    private static readonly string[] CreateInteraction = ["Channel", "Routing", "InteractionContextSid", "WebhookTtid"];

    public static void MapInteractionsApi(this IEndpointRouteBuilder app)
    {
        var flex = app.MapGroup($"{SandboxAccount.FlexPath}/v1")
            .AddEndpointFilter(ApiRequests.TwilioLikeAsync)
            .ExcludeFromDescription();

        flex.MapPost("/Interactions", async (HttpRequest request, EmulatorState state) =>
        {
            var form = await ApiRequests.FormAsync(request, "create interaction", CreateInteraction);
            var channel = JsonDocumentField(form, "Channel", required: true)!;
            var type = Text(channel, "type");
            if (type is null || !ChannelTypes.Contains(type))
            {
                throw EmulatorException.Invalid("Channel", $"type must be one of {string.Join(", ", ChannelTypes)}");
            }

            if (Text(channel, "initiated_by") is not ("customer" or "agent" or "api"))
            {
                throw EmulatorException.Invalid("Channel", "initiated_by must be customer, agent or api");
            }

            var conversationSid = Text(channel["properties"] as JsonObject, "media_channel_sid");
            if (!IsSid(conversationSid, "CH"))
            {
                throw EmulatorException.Invalid("Channel", "properties.media_channel_sid must be a conversation SID (CH…)");
            }

            var routing = JsonDocumentField(form, "Routing", required: false) ?? [];
            var properties = routing["properties"] as JsonObject
                ?? throw EmulatorException.Invalid("Routing", "properties is required");
            if (!IsSid(Text(properties, "workspace_sid"), "WS") || !IsSid(Text(properties, "workflow_sid"), "WW"))
            {
                throw EmulatorException.Invalid("Routing", "properties.workspace_sid (WS…) and properties.workflow_sid (WW…) are required");
            }

            if (properties["attributes"] is not (null or JsonObject))
            {
                throw EmulatorException.Invalid("Routing", "properties.attributes must be a JSON object");
            }

            EmulatedConversation conversation;
            try
            {
                conversation = state.Get(conversationSid!);
            }
            catch (EmulatorException)
            {
                throw EmulatorException.Invalid("Channel", "properties.media_channel_sid is not a conversation of this account");
            }

            var interaction = state.CreateInteraction(conversation, type, channel.ToJsonString(), routing.ToJsonString());
            return ApiRequests.Ok(TwilioJson.Interaction(interaction, Api.For(request, SandboxAccount.FlexPath)));
        });

        app.MapFallback($"{SandboxAccount.FlexPath}/{{**rest}}", ApiRequests.Unknown).ExcludeFromDescription();
    }

    private static bool IsSid(string? value, string prefix) =>
        value is not null && value.StartsWith(prefix, StringComparison.Ordinal) && SidBody().IsMatch(value.AsSpan(2));

    [GeneratedRegex("^[0-9a-fA-F]{32}$")]
    private static partial Regex SidBody();

    private static JsonObject? JsonDocumentField(IFormCollection form, string name, bool required)
    {
        if (ApiRequests.Optional(form, name) is not { } raw)
        {
            return required ? throw EmulatorException.Invalid(name, "is required") : null;
        }

        try
        {
            return JsonNode.Parse(raw) as JsonObject ?? throw EmulatorException.Invalid(name, "must be a JSON object");
        }
        catch (JsonException)
        {
            throw EmulatorException.Invalid(name, "must be valid JSON");
        }
    }

    private static string? Text(JsonObject? json, string name) =>
        json?[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
