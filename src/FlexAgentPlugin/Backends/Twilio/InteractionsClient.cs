using System.Text.Json.Nodes;

namespace FlexAgentPlugin.Backends.Twilio;

/// <summary>
/// What Flex needs to route a customer's conversation to an agent: the channel type (<c>chat</c>, <c>sms</c>,
/// <c>whatsapp</c>), the conversation, the TaskRouter workspace and workflow, the task channel and the task attributes.
/// </summary>
public sealed record InteractionRequest(
    string ChannelType,
    string ConversationSid,
    string WorkspaceSid,
    string WorkflowSid,
    string TaskChannel,
    IReadOnlyDictionary<string, string> TaskAttributes);

/// <summary>
/// Typed client for Flex's Interactions API (<c>flex-api.twilio.com/v1/Interactions</c>): creating an Interaction
/// for an existing conversation makes a TaskRouter task, which Flex offers to an agent. Channel and Routing are
/// JSON documents sent as form fields, as Twilio's OpenAPI description has them.
/// </summary>
public sealed class InteractionsClient(HttpClient http) : TwilioRestClient(http)
{
    /// <summary>
    /// Creates the Interaction. Twilio offers no way to find an Interaction by its conversation, so a request whose
    /// answer was lost is not re-sent (it could make a second task): it fails as unavailable instead.
    /// </summary>
    public Task<Interaction> CreateInteractionAsync(InteractionRequest interaction, CancellationToken cancellationToken)
    {
        var channel = new JsonObject
        {
            ["type"] = interaction.ChannelType,
            ["initiated_by"] = "customer",
            ["properties"] = new JsonObject { ["media_channel_sid"] = interaction.ConversationSid },
        };
        var attributes = new JsonObject();
        foreach (var (name, value) in interaction.TaskAttributes)
        {
            attributes[name] = value;
        }

        var routing = new JsonObject
        {
            ["properties"] = new JsonObject
            {
                ["workspace_sid"] = interaction.WorkspaceSid,
                ["workflow_sid"] = interaction.WorkflowSid,
                ["task_channel_unique_name"] = interaction.TaskChannel,
                ["attributes"] = attributes,
            },
        };
        return PostAsync("create the Flex interaction", "v1/Interactions",
            [new("Channel", channel.ToJsonString()), new("Routing", routing.ToJsonString())],
            TwilioJsonContext.Default.Interaction, cancellationToken, SendAtMostOnce);
    }
}
