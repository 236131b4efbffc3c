namespace FlexAgentPlugin.Conversations;

/// <summary>How new conversations reach Flex: the Studio flow (FW…) with a "Send to Flex" widget.</summary>
public sealed class ConversationOptions
{
    [ConfigurationKeyName("CONV_FLOW")]
    public string? StudioFlowSid { get; set; }
}
