using System.Text.Json.Nodes;
using FlexAgentPlugin.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace FlexAgentPlugin.Tests;

/// <summary>
/// What an MCP client can get wrong below the tools' arguments, and a client that goes away: protocol errors that name
/// the client's mistake (Invalid params, -32602), never an internal error, and nothing in the log at error level.
/// </summary>
public sealed class McpErrorTests : IDisposable
{
    private readonly PluginFactory factory = new();

    public void Dispose() => factory.Dispose();

    [Theory]
    [InlineData("tools/call", """{"name":"ask_human_agent","arguments":"Hello"}""", "'arguments' must be a JSON object")]
    [InlineData("tools/call", """{"name":"ask_human_agent","arguments":["Hello"]}""", "'arguments' must be a JSON object")]
    [InlineData("tools/call", """["ask_human_agent"]""", "tools/call needs params with 'name'")]
    [InlineData("tools/call", null, "tools/call needs params with 'name'")]
    [InlineData("tools/call", """{"name":"ask_human_agent","arguments":{"message":"Hello"},"_meta":5}""", "'_meta' has the wrong type for tools/call")]
    [InlineData("tools/list", """{"cursor":5}""", "'cursor' has the wrong type for tools/list")]
    public async Task ParamsOfTheWrongTypeAreInvalidParamsNamingTheMember(string method, string? parameters, string says)
    {
        await using var client = await McpConnection.ConnectAsync(factory);

        var refused = await Assert.ThrowsAsync<McpProtocolException>(() =>
            client.SendRequestAsync(new JsonRpcRequest { Method = method, Params = parameters is null ? null : JsonNode.Parse(parameters) }));

        Assert.Equal(McpErrorCode.InvalidParams, refused.ErrorCode);
        Assert.Contains(says, refused.Message, StringComparison.Ordinal);
        Assert.Empty(factory.Twilio.Requests);
        AssertNoErrorLogged();
    }

    [Fact]
    public async Task AToolNameThatIsNotAStringIsInvalidParams()
    {
        // The SDK's client cannot send this: it reads the name as a string itself.
        var http = factory.CreateClient();
        var session = await RawMcp.InitializeAsync(http);

        using var response = await http.SendAsync(session.Request("""{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":42,"arguments":{"message":"Hello"}}}"""));

        var body = await response.Content.ReadAsStringAsync();
        var error = JsonNode.Parse(body[(body.IndexOf("data: ", StringComparison.Ordinal) + "data: ".Length)..])!["error"]!;
        Assert.Equal((int)McpErrorCode.InvalidParams, (int)error["code"]!);
        Assert.StartsWith("Invalid params: tools/call needs params with 'name'", (string?)error["message"], StringComparison.Ordinal);
        AssertNoErrorLogged();
    }

    [Fact]
    public async Task AnUnknownToolIsInvalidParamsNamingTheToolsThereAre()
    {
        await using var client = await McpConnection.ConnectAsync(factory);

        var refused = await Assert.ThrowsAsync<McpProtocolException>(() => client.CallToolAsync("ask_a_human", new Dictionary<string, object?> { ["message"] = "Hi" }).AsTask());

        Assert.Equal(McpErrorCode.InvalidParams, refused.ErrorCode);
        Assert.Contains("Unknown tool 'ask_a_human': this server has ask_human_agent, get_agent_replies.", refused.Message, StringComparison.Ordinal);
        AssertNoErrorLogged();
    }

    [Fact]
    public async Task AClientHangingUpOnAWaitingCallIsNoErrorOfTheServer()
    {
        var http = factory.CreateClient();
        var session = await RawMcp.InitializeAsync(http);
        using var hangUp = new CancellationTokenSource();
        var call = http.SendAsync(session.Request("""{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"ask_human_agent","arguments":{"message":"Hello","user":"leaver-0123456789"}}}"""),
            HttpCompletionOption.ResponseHeadersRead, hangUp.Token);
        await factory.Clock.WaitForArmedTimerAsync();

        using (await call)
        {
            await hangUp.CancelAsync();
        }

        await CallEndedAsync();
        AssertNoErrorLogged();
        Assert.Contains(factory.Logs.Lines, l => l.Level == LogLevel.Information && l.Text == "Tool call ask_human_agent ended: the client hung up");
    }

    [Fact]
    public async Task AClientCancellingAWaitingCallIsNoErrorOfTheServer()
    {
        await using var client = await McpConnection.ConnectAsync(factory);
        using var cancel = new CancellationTokenSource();
        var call = client.CallToolAsync("ask_human_agent", new Dictionary<string, object?> { ["message"] = "Never mind", ["user"] = "canceller-0123456789" },
            cancellationToken: cancel.Token).AsTask();
        await factory.Clock.WaitForArmedTimerAsync();

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        await CallEndedAsync();
        AssertNoErrorLogged();
    }

    /// <summary>Waits (on the MCP server's own log line, not a timer) until the tool call has ended on the server's side.</summary>
    private async Task CallEndedAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!factory.Logs.Lines.Any(l => l.Text.Contains("'tools/call' request handler", StringComparison.Ordinal) && !l.Text.EndsWith("called.", StringComparison.Ordinal)))
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    private void AssertNoErrorLogged()
    {
        var errors = factory.Logs.Lines.Where(l => l.Level >= LogLevel.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors.Select(l => $"{l.Level} {l.Category}: {l.Text}")));
    }
}
