using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Tests.Infrastructure;

namespace FlexAgentPlugin.Tests;

/// <summary>
/// The bad-input battery: whatever a caller gets wrong is a 4xx ProblemDetails (the field named where there
/// is one), never a 5xx, and nothing reaches SQLite or Twilio.
/// </summary>
public sealed class BadInputTests : IDisposable
{
    private readonly PluginFactory factory = new();

    [Theory]
    [InlineData("{}", "msg")]
    [InlineData("""{"message": "hi"}""", "message")]
    [InlineData("""{"msg": "hi", "priority": "high"}""", "priority")]
    [InlineData("""{"msg": ""}""", "msg")]
    [InlineData("""{"msg": "   \n\t "}""", "msg")]
    [InlineData("""{"msg": "\u0000\u0007\u001b"}""", "msg")]
    [InlineData("""{"msg": "\ud800"}""", "msg")]
    [InlineData("""{"msg": 42}""", "msg")]
    [InlineData("""{"msg": true}""", "msg")]
    [InlineData("""{"msg": null}""", "msg")]
    [InlineData("""{"msg": ["hi"]}""", "msg")]
    [InlineData("""{"msg": {"text": "hi"}}""", "msg")]
    [InlineData("""{"msg": "hi" """, "body")]
    [InlineData("not json", "body")]
    [InlineData("", "body")]
    [InlineData("""["hi"]""", "body")]
    [InlineData("\"hi\"", "body")]
    [InlineData("null", "body")]
    [InlineData("""{"msg": "first", "msg": "second"}""", "msg")]
    [InlineData("""{"msg": "\u200b\u200c\u2060\ufeff"}""", "msg")]
    [InlineData("""{"msg": " \u202e\u2066 \u2069 "}""", "msg")]
    [InlineData("""{"Msg": "hi"}""", "Msg")]
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

    [Fact]
    public async Task MessageLongerThanTheConfiguredMaximumIsRejected()
    {
        using var strict = new PluginFactory(new Dictionary<string, string?> { ["MAX_MESSAGE_LENGTH"] = "10" });

        var response = await strict.CreateClient().PostAsync("/send/alice", Json("""{"msg": "eleven chars"}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("at most 10 characters", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(strict.Twilio.Requests);
    }

    [Fact]
    public async Task BodyOver64KilobytesIsRejectedWith413()
    {
        var response = await PostAsync("/send/alice", new JsonObject { ["msg"] = new string('x', 70_000) }.ToJsonString());

        await AssertRejectedAsync(response, HttpStatusCode.RequestEntityTooLarge, "body");
    }

    [Theory]
    [InlineData("has%20space")]
    [InlineData("semi;colon")]
    [InlineData("quote'or'1=1")]
    [InlineData("alice%27%20OR%20%271%27%3D%271")]
    [InlineData("%2E%2E%2Fetc%2Fpasswd")]
    [InlineData("a%2Fb")]
    [InlineData("a%5Cb")]
    [InlineData("tab%09char")]
    [InlineData("emoji%F0%9F%98%80")]
    [InlineData("jos%C3%A9")]
    [InlineData("%3Cscript%3E")]
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
    [InlineData("application/xml", "<msg>hi</msg>")]
    [InlineData("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"msg\"\r\n\r\nhi\r\n--x--")]
    public async Task BodyThatIsNotJsonIsRejectedWith415(string contentType, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);

        var response = await factory.CreateClient().PostAsync("/send/alice", content);

        await AssertRejectedAsync(response, HttpStatusCode.UnsupportedMediaType, field: null);
    }

    [Fact]
    public async Task BodyWithoutAContentTypeIsRejectedWith415()
    {
        using var content = new ByteArrayContent("""{"msg": "hi"}"""u8.ToArray());

        var response = await factory.CreateClient().PostAsync("/send/alice", content);

        await AssertRejectedAsync(response, HttpStatusCode.UnsupportedMediaType, field: null);
    }

    [Theory]
    [InlineData("GET", "/send/alice")]
    [InlineData("PUT", "/send/alice")]
    [InlineData("DELETE", "/send/alice")]
    [InlineData("PATCH", "/send/alice")]
    [InlineData("POST", "/replies/alice")]
    [InlineData("DELETE", "/replies/alice")]
    public async Task WrongMethodIsRejectedWith405(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = Json("""{"msg": "hi"}""") };

        var response = await factory.CreateClient().SendAsync(request);

        await AssertRejectedAsync(response, HttpStatusCode.MethodNotAllowed, field: null);
    }

    [Fact]
    public async Task ControlCharactersAreRemovedBeforeTheMessageReachesTwilio()
    {
        var send = factory.CreateClient().PostAsync("/send/alice", Json("""{"msg": "  \u0007Hello\r\n\tagent\u001b  "}"""));
        await factory.Clock.WaitForArmedTimerAsync();

        var posted = Assert.Single(factory.Twilio.Requests, r => r.Method == "POST" && r.Path.EndsWith("/Messages", StringComparison.Ordinal));
        Assert.Equal("Hello\n\tagent", posted.Form1("Body"));
        Assert.False(send.IsCompleted);
    }

    [Fact]
    public async Task BidirectionalOverridesAndIsolatesAreRemovedBeforeTheMessageReachesTwilio()
    {
        var send = factory.CreateClient().PostAsync("/send/alice", Json("""{"msg": "Pay \u202Eoivad\u202C to \u2066acct\u2069 9"}"""));
        await factory.Clock.WaitForArmedTimerAsync();

        var posted = Assert.Single(factory.Twilio.Requests, r => r.Method == "POST" && r.Path.EndsWith("/Messages", StringComparison.Ordinal));
        Assert.Equal("Pay oivad to acct 9", posted.Form1("Body"));
        Assert.False(send.IsCompleted);
    }

    [Fact]
    public async Task SqlInAMessageIsJustText()
    {
        const string Attack = "'); DROP TABLE user_conversations; --";
        var send = factory.CreateClient().PostAsync("/send/alice", Json(new JsonObject { ["msg"] = Attack }.ToJsonString()));
        await factory.Clock.WaitForArmedTimerAsync();

        Assert.Equal(Attack, factory.Twilio.Requests.Single(r => r.Method == "POST" && r.Path.EndsWith("/Messages", StringComparison.Ordinal)).Form1("Body"));
        Assert.Single(factory.StoredRows());
        Assert.False(send.IsCompleted);
    }

    public void Dispose() => factory.Dispose();

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private Task<HttpResponseMessage> PostAsync(string path, string body) => factory.CreateClient().PostAsync(path, Json(body));

    private async Task AssertRejectedAsync(HttpResponseMessage response, HttpStatusCode status, string? field)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        if (field is not null)
        {
            var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.NotNull(problem["errors"]![field]);
            Assert.Contains(field, (string?)problem["detail"], StringComparison.OrdinalIgnoreCase);
        }

        Assert.Empty(factory.Twilio.Requests);
        Assert.Empty(factory.StoredRows());
    }
}
