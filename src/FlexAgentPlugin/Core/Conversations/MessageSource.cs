namespace FlexAgentPlugin.Core.Conversations;

/// <summary>The door a user's message came through. Agents see it: in the conversation's name and attributes, in each message's attributes.</summary>
public enum MessageSource
{
    /// <summary>The GPT Action API (<c>/send</c>).</summary>
    GptAction,

    /// <summary>An MCP client's tool call.</summary>
    Mcp,
}

public static class MessageSources
{
    /// <summary>The value of <c>source</c> in Twilio attributes ("ai-plugin" for the GPT Action, as Flex set-ups already know it).</summary>
    public static string AttributeValue(this MessageSource source) => source switch
    {
        MessageSource.Mcp => "mcp",
        _ => "ai-plugin",
    };

    /// <summary>How the conversation's friendly name introduces the user.</summary>
    public static string Label(this MessageSource source) => source switch
    {
        MessageSource.Mcp => "MCP",
        _ => "AI plugin",
    };
}
