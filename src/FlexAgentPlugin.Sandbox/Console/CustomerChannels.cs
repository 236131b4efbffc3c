using System.Text.RegularExpressions;
using FlexAgentPlugin.Sandbox.Emulator;

namespace FlexAgentPlugin.Sandbox.Console;

/// <summary>Where the customers the console plays are sent, as the host composes it.</summary>
public sealed class CustomerChannelOptions
{
    /// <summary>The host's AI responder webhook when an AI answers first; null when people answer (RESPONDER=human).</summary>
    public string? ResponderWebhookUrl { get; set; }
}

/// <summary>
/// "Write as a customer": a customer writing by SMS, WhatsApp or web chat. Their open conversation (a new one at first)
/// gets the message, set up as a Conversations address would set it up: with the AI responder's webhook when an AI
/// answers first, else with the Studio flow that sends it to Flex (what Flex's default messaging flow does), so the
/// message reaches the agent console in either mode.
/// </summary>
internal static partial class CustomerChannels
{
    public const string AddressHelp = "Write as +15550100 (SMS), whatsapp:+15550100 (WhatsApp) or a chat name of letters, digits, '.', '_' or '-'.";

    public static bool IsAddress(string address) => ChannelAddress().IsMatch(address);

    public static EmulatedMessage Write(EmulatorState state, CustomerChannelOptions options, string address, string body)
    {
        var conversation = state.OpenConversationOf(address) ?? Start(state, options, address);
        return state.AddMessage(conversation, address, body, attributes: null, webhookEnabled: true, fromAgent: false);
    }

    private static EmulatedConversation Start(EmulatorState state, CustomerChannelOptions options, string address)
    {
        var phone = address.StartsWith('+') || address.StartsWith("whatsapp:", StringComparison.Ordinal);
        var conversation = state.CreateConversation($"Customer: {address}", uniqueName: null, attributes: null);
        state.SetChannelAddress(conversation, address);
        state.AddParticipant(conversation, phone ? null : address, attributes: null, phone ? address : null);
        if (options.ResponderWebhookUrl is { } url)
        {
            state.AddWebhook(conversation, "webhook", ["onMessageAdded"], flowSid: null, url, "post");
        }
        else
        {
            state.AddWebhook(conversation, "studio", ["onMessageAdded"], SandboxAccount.StudioFlowSid, url: null, method: null);
        }

        return conversation;
    }

    [GeneratedRegex(@"^(\+[1-9][0-9]{6,14}|whatsapp:\+[1-9][0-9]{6,14}|[A-Za-z0-9._-]{1,64})$")]
    private static partial Regex ChannelAddress();
}
