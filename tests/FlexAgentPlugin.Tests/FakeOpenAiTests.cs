using System.Net;
using System.Net.Http.Headers;
using System.Text;
using FlexAgentPlugin.Tests.Infrastructure;

namespace FlexAgentPlugin.Tests;

/// <summary>The model's API as the tests play it (WireMock) stays strict: whatever the server should not send fails the test.</summary>
public sealed class FakeOpenAiTests : IDisposable
{
    private const string Chat = """{"model":"gpt-test-mini","messages":[{"role":"user","content":"Hi"}]}""";

    private readonly FakeOpenAi fake = new();
    private readonly HttpClient client;

    public FakeOpenAiTests() => client = new HttpClient(fake.CreateHandler());

    [Fact]
    public async Task AScriptedAnswerIsRecordedAndReturnedInOpenAisShape()
    {
        fake.Says("We open at 9.");

        using var response = await PostAsync("/chat/completions", Chat);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("We open at 9.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("Hi", Assert.Single(fake.Requests).Conversation.Single().Text);
        Assert.Empty(fake.Unknown);
    }

    [Fact]
    public async Task ARequestToAPathTheServerShouldNotCallIsUnknown()
    {
        fake.Says("unused");

        using var response = await PostAsync("/embeddings", """{"model":"gpt-test-mini","input":"Hi"}""");

        Assert.Single(fake.Unknown);
        Assert.Empty(fake.Requests);
    }

    [Fact]
    public async Task ARequestWithAnotherKeyIsUnknown()
    {
        fake.Says("unused");

        using var response = await PostAsync("/chat/completions", Chat, key: "sk-someone-else");

        Assert.Single(fake.Unknown);
        Assert.Empty(fake.Requests);
    }

    [Fact]
    public async Task ARequestNothingWasScriptedForIsUnknown()
    {
        using var response = await PostAsync("/chat/completions", Chat);

        Assert.Contains("nothing was scripted", Assert.Single(fake.Unknown), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"model":"gpt-test-mini","messages":[]}""")]
    [InlineData("""{"model":"gpt-test-mini","messages":[{"role":"robot","content":"Hi"}]}""")]
    public async Task AMalformedRequestIsUnknown(string body)
    {
        fake.Says("unused");

        using var response = await PostAsync("/chat/completions", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Single(fake.Unknown);
    }

    public void Dispose()
    {
        client.Dispose();
        fake.Dispose();
    }

    private async Task<HttpResponseMessage> PostAsync(string path, string body, string key = FakeOpenAi.ApiKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, FakeOpenAi.BaseUrl + path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return await client.SendAsync(request);
    }
}
