using System.Text.Json.Nodes;

namespace FlexAgentPlugin.Tests.Infrastructure;

public static class JsonAssert
{
    /// <summary>
    /// The response body is exactly <paramref name="expected"/> (as JSON, whitespace aside). An expected
    /// <c>{"status", "replies"}</c> answer that does not spell out <c>messages</c> expects them to be its replies, each
    /// written by the agent (<c>{"text", "source": "agent"}</c>): what every answer of the human responder carries.
    /// </summary>
    public static async Task BodyEqualAsync(string expected, HttpResponseMessage response)
    {
        var actual = await response.Content.ReadAsStringAsync();
        var wanted = JsonNode.Parse(expected);
        if (wanted is JsonObject answer && answer["replies"] is JsonArray replies && !answer.ContainsKey("messages"))
        {
            answer["messages"] = new JsonArray([.. replies.Select(r => (JsonNode)new JsonObject { ["text"] = r?.DeepClone(), ["source"] = "agent" })]);
        }

        Assert.True(JsonNode.DeepEquals(wanted, JsonNode.Parse(actual)), $"Expected {expected}\nActual   {actual}");
    }
}
