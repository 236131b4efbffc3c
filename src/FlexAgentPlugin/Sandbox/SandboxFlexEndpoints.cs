using System.Text.Json;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Configuration;

namespace FlexAgentPlugin.Sandbox;

/// <summary>
/// The sandbox's emulation of Flex's Interactions API, under <see cref="SandboxMode.FlexPath"/>: <c>POST /v1/Interactions</c>
/// with the Channel and Routing JSON documents as form fields, checked as Flex would, routes an existing conversation
/// into the agent console's queue.
/// </summary>
internal static class SandboxFlexEndpoints
{
    private static readonly string[] ChannelTypes = ["chat", "sms", "whatsapp", "email", "web", "messenger", "gbm"];

    public static void MapSandboxFlex(this IEndpointRouteBuilder app)
    {
        var interactions = app.MapGroup($"{SandboxMode.FlexPath}/v1/Interactions")
            .AddEndpointFilter(SandboxTwilioEndpoints.TwilioLikeAsync)
            .ExcludeFromDescription();

        interactions.MapPost("/", async (HttpRequest request, SandboxState state) =>
        {
            var form = await SandboxTwilioEndpoints.FormAsync(request);
            var channel = JsonDocumentField(form, "Channel", required: true)!;
            var type = Text(channel, "type");
            if (type is null || !ChannelTypes.Contains(type))
            {
                throw SandboxTwilioException.Invalid("Channel", $"type must be one of {string.Join(", ", ChannelTypes)}");
            }

            if (Text(channel, "initiated_by") is not ("customer" or "agent" or "api"))
            {
                throw SandboxTwilioException.Invalid("Channel", "initiated_by must be customer, agent or api");
            }

            var conversationSid = Text(channel["properties"] as JsonObject, "media_channel_sid");
            if (!Settings.IsSid(conversationSid, "CH"))
            {
                throw SandboxTwilioException.Invalid("Channel", "properties.media_channel_sid must be a conversation SID (CH…)");
            }

            var routing = JsonDocumentField(form, "Routing", required: false) ?? [];
            var properties = routing["properties"] as JsonObject
                ?? throw SandboxTwilioException.Invalid("Routing", "properties is required");
            if (!Settings.IsSid(Text(properties, "workspace_sid"), "WS") || !Settings.IsSid(Text(properties, "workflow_sid"), "WW"))
            {
                throw SandboxTwilioException.Invalid("Routing", "properties.workspace_sid (WS…) and properties.workflow_sid (WW…) are required");
            }

            if (properties["attributes"] is not (null or JsonObject))
            {
                throw SandboxTwilioException.Invalid("Routing", "properties.attributes must be a JSON object");
            }

            var interaction = state.CreateInteraction(state.Get(conversationSid!), type, routing.ToJsonString());
            return SandboxTwilioEndpoints.Ok(SandboxTwilioJson.Interaction(interaction, $"{request.Scheme}://{request.Host}{SandboxMode.FlexPath}"));
        });
    }

    private static JsonObject? JsonDocumentField(IFormCollection form, string name, bool required)
    {
        if (SandboxTwilioEndpoints.Optional(form, name) is not { } raw)
        {
            return required ? throw SandboxTwilioException.Invalid(name, "is required") : null;
        }

        try
        {
            return JsonNode.Parse(raw) as JsonObject ?? throw SandboxTwilioException.Invalid(name, "must be a JSON object");
        }
        catch (JsonException)
        {
            throw SandboxTwilioException.Invalid(name, "must be valid JSON");
        }
    }

    private static string? Text(JsonObject? json, string name) =>
        json?[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
