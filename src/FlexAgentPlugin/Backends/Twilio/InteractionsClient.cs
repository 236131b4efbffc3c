using System.Text.Json.Nodes;
using FlexAgentPlugin.Core.Routing;
using Twilio.Rest.FlexApi.V1;

namespace FlexAgentPlugin.Backends.Twilio;

/// <summary>
/// Flex's Interactions API (<c>flex-api.twilio.com/v1/Interactions</c>) through the SDK: creating an Interaction
/// for an existing conversation makes a TaskRouter task, which Flex offers to an agent. Channel and Routing are
/// JSON documents sent as form fields, as Twilio's OpenAPI description has them.
/// </summary>
public sealed class InteractionsClient(TwilioApi api) : IInteractions
{
    /// <summary>
    /// Creates the Interaction. Twilio offers no way to find an Interaction by its conversation, so a request whose
    /// answer was lost is not re-sent (it could make a second task): it fails as unavailable instead.
    /// </summary>
    public async Task<Interaction> CreateInteractionAsync(InteractionRequest interaction, CancellationToken cancellationToken)
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

        // The documents go as JSON text: the SDK sends a string as it is (anything else it would serialize itself).
        var options = new CreateInteractionOptions(channel.ToJsonString()) { Routing = routing.ToJsonString() };
        var created = await api.CallAsync("create the Flex interaction", client => InteractionResource.CreateAsync(options, client), cancellationToken, atMostOnce: true);
        return new Interaction(created.Sid, created.Url?.ToString());
    }
}
