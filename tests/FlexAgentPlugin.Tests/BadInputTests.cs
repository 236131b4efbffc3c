using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Tests.Infrastructure;

namespace FlexAgentPlugin.Tests;

/// <summary>Every input a caller can get wrong is a ProblemDetails naming the field, and reaches neither SQLite nor Twilio.</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly PluginFactory factory = new();

    [Theory]
    [InlineData("{}", "msg")]
    [InlineData("""{"message": "hi"}""", "msg")]
    [InlineData("""{"msg": ""}""", "msg")]
    [InlineData("""{"msg": "   \n\t "}""", "msg")]
    [InlineData("""{"msg": 42}""", "msg")]
    [InlineData("""{"msg": null}""", "msg")]
    [InlineData("""{"msg": ["hi"]}""", "msg")]
    [InlineData("""{"msg": "hi" """, "body")]
    [InlineData("not json", "body")]
    [InlineData("", "body")]
    [InlineData("""["hi"]""", "body")]
    [InlineData("\"hi\"", "body")]
    public async Task MalformedBodyIsRejectedNamingTheField(string body, string field)
    {
        var response = await PostAsync("/send/alice", body);

        await AssertRejectedAsync(response, HttpStatusCode.BadRequest, field);
    }

    [Fact]
    public async Task MessageLongerThanTwiliosLimitIsRejected()
    {
        var response = await PostAsync("/send/alice", new JsonObject { ["msg"] = new string('x', 1601) }.ToJsonString());

        await AssertRejectedAsync(response, HttpStatusCode.BadRequest, "msg");
    }

    [Theory]
    [InlineData("has%20space")]
    [InlineData("semi;colon")]
    [InlineData("quote'or'1=1")]
    [InlineData("%2E%2E%2Fetc")]
    [InlineData("emoji%F0%9F%98%80")]
    public async Task UsernameOutsideTheAllowedCharactersIsRejected(string username)
    {
        var response = await PostAsync($"/send/{username}", """{"msg": "hi"}""");

        await AssertRejectedAsync(response, HttpStatusCode.BadRequest, "username");
    }

    [Fact]
    public async Task UsernameLongerThan128CharactersIsRejected()
    {
        var response = await PostAsync($"/send/{new string('a', 129)}", """{"msg": "hi"}""");

        await AssertRejectedAsync(response, HttpStatusCode.BadRequest, "username");
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded", "msg=hi")]
    [InlineData("text/plain", """{"msg": "hi"}""")]
    public async Task BodyThatIsNotJsonIsRejectedWith415(string contentType, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, contentType);

        var response = await factory.CreateClient().PostAsync("/send/alice", content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("application/json", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(factory.Twilio.Requests);
    }

    public void Dispose() => factory.Dispose();

    private Task<HttpResponseMessage> PostAsync(string path, string body) =>
        factory.CreateClient().PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));

    private async Task AssertRejectedAsync(HttpResponseMessage response, HttpStatusCode status, string field)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.NotNull(problem["errors"]![field]);
        Assert.Contains(field, (string?)problem["detail"], StringComparison.OrdinalIgnoreCase);
        Assert.Empty(factory.Twilio.Requests);
        Assert.Empty(factory.StoredRows());
    }
}
