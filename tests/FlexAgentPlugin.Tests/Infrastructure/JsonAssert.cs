using System.Text.Json.Nodes;

namespace FlexAgentPlugin.Tests.Infrastructure;

public static class JsonAssert
{
    /// <summary>The response body is exactly <paramref name="expected"/> (as JSON, whitespace aside).</summary>
    public static async Task BodyEqualAsync(string expected, HttpResponseMessage response)
    {
        var actual = await response.Content.ReadAsStringAsync();
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual)), $"Expected {expected}\nActual   {actual}");
    }
}
