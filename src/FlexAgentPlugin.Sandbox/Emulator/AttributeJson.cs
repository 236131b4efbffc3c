using System.Text.Json;
using System.Text.Json.Nodes;

namespace FlexAgentPlugin.Sandbox.Emulator;

/// <summary>Reads the server's marks in Twilio attributes (a JSON object in a string), as Flex would show them.</summary>
public static class AttributeJson
{
    /// <summary>The <c>source</c>: "mcp", "ai-plugin", "ai", or null.</summary>
    public static string? Source(string? attributes) => Text(Parse(attributes)?["source"]);

    /// <summary>The AI's hand-off (<c>handoff.reason</c>, <c>handoff.summary</c>), or null.</summary>
    public static (string Reason, string Summary)? Handoff(string? attributes) =>
        Parse(attributes)?["handoff"] is JsonObject handoff ? (Text(handoff["reason"]) ?? "", Text(handoff["summary"]) ?? "") : null;

    /// <summary>The phone number or email address the customer proved when they signed in (<c>verified.value</c>), or null.</summary>
    public static string? Verified(string? attributes) => Parse(attributes)?["verified"] is JsonObject verified ? Text(verified["value"]) : null;

    private static JsonObject? Parse(string? attributes)
    {
        if (attributes is null || !attributes.Contains("\"source\"", StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(attributes) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue(out string? text) ? text : null;
}
