using System.Text.Json.Nodes;

namespace FlexAgentPlugin.Core.Conversations;

/// <summary>
/// Who carried a user's message in: the MCP client's name (from its <c>initialize</c>) and the name of the API key it
/// presented, each null when unknown. Written into the message's attributes beside its <c>source</c>, so the agent's
/// context card (and Flex) can name them.
/// </summary>
public sealed record CallerOrigin(string? Client, string? KeyName)
{
    public const string ClientAttribute = "client";
    public const string KeyNameAttribute = "key_name";

    public static CallerOrigin Unknown { get; } = new(null, null);

    /// <summary>Adds the known names to a message's <paramref name="attributes"/>, and returns them.</summary>
    public JsonObject AddTo(JsonObject attributes)
    {
        if (Client is { Length: > 0 } client)
        {
            attributes[ClientAttribute] = client;
        }

        if (KeyName is { Length: > 0 } keyName)
        {
            attributes[KeyNameAttribute] = keyName;
        }

        return attributes;
    }
}

/// <summary>The origin of the request being served (the front door knows it; the engine only records it).</summary>
public interface ICallerOrigins
{
    CallerOrigin Current { get; }
}
