using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Sandbox;
using FlexAgentPlugin.Sandbox.Emulator;
using FlexAgentPlugin.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace FlexAgentPlugin.Tests;

/// <summary>
/// With no account the sandbox plays Flex sign-in end to end: its console hands out a sandbox agent token, its IAM
/// emulation validates it for the server as Twilio would, and its own API key signs Sync tokens.
/// </summary>
public sealed class SandboxFlexSignInTests : IDisposable
{
    private const string CallSid = "CA0123456789abcdef0123456789abcdef";
    private const string Identity = "shared-identity-0123456789";

    private readonly PluginFactory factory = PluginFactory.Sandbox(new Dictionary<string, string?> { ["SYNC_TOKEN_IDENTITY"] = Identity });

    [Fact]
    public async Task TheConsolesAgentTokenSignsInToTheAgentsEndpoints()
    {
        var minted = await AgentTokenAsync();

        var response = await AssistAsync(minted["token"]!.ToString());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("started", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["status"]);
        Assert.Equal((EmulatorState.AgentIdentity, "agent"), ((string?)minted["identity"], (string?)minted["roles"]![0]));
        Assert.StartsWith("WK", (string?)minted["workerSid"], StringComparison.Ordinal);
        Assert.Contains("sandbox", (string?)minted["note"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASandboxTokenAlteredByOneCharacterIsRefused()
    {
        var token = (await AgentTokenAsync())["token"]!.ToString();
        var parts = token.Split('.');
        parts[3] = (parts[3][0] == 'A' ? "B" : "A") + parts[3][1..];

        var response = await AssistAsync(string.Join('.', parts));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("20101", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnExpiredSandboxTokenIsRefused()
    {
        var token = (await AgentTokenAsync("?expired=true"))["token"]!.ToString();

        var response = await AssistAsync(token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("20104", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASandboxTokenExpiresWithTheSandboxsClock()
    {
        var token = (await AgentTokenAsync())["token"]!.ToString();
        Assert.Equal(HttpStatusCode.OK, (await AssistAsync(token)).StatusCode);

        factory.Clock.Advance(SandboxAgentTokens.Lifetime + TimeSpan.FromMinutes(1));

        Assert.Equal(HttpStatusCode.Unauthorized, (await AssistAsync(token, "DELETE")).StatusCode);
    }

    [Fact]
    public async Task TheVoiceAssistPluginsStreamAndTokenWorkInTheSandbox()
    {
        using var client = factory.CreateClient();
        var token = (await AgentTokenAsync())["token"]!.ToString();

        var stream = await client.PostAsJsonAsync("/stream", new { action = "start", callSid = CallSid, Token = token });
        var sync = JsonNode.Parse(await client.GetStringAsync($"/token?identity={Identity}"))!;

        Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
        var jwt = ((string?)sync["token"])!.Split('.');
        var payload = JsonNode.Parse(Base64Url.DecodeFromChars(jwt[1]))!;
        Assert.Equal(SandboxAccount.ApiKeySid, (string?)payload["iss"]);
        Assert.Equal(SandboxAccount.SyncServiceSid, (string?)payload["grants"]!["data_sync"]!["service_sid"]);
        var secret = factory.Services.GetRequiredService<SandboxSession>().Account.ApiKeySecret;
        Assert.Equal(Base64Url.EncodeToString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.ASCII.GetBytes($"{jwt[0]}.{jwt[1]}"))), jwt[2]);
    }

    [Fact]
    public async Task TheEmulatedValidationIsStrictAndAuthenticatedAsTwilios()
    {
        var account = factory.Services.GetRequiredService<SandboxSession>().Account;
        var path = $"{SandboxAccount.IamPath}/v1/Accounts/{account.AccountSid}/Tokens/validate";
        using var emulator = factory.CreateSandboxEmulatorClient();
        using var anonymous = factory.CreateClient();

        var unknownMember = await emulator.PostAsJsonAsync(path, new { token = "x", realm = "us1" });
        var form = await emulator.PostAsync(path, new FormUrlEncodedContent([new("token", "x")]));
        var unauthenticated = await anonymous.PostAsJsonAsync(path, new { token = "x" });
        var foreign = await emulator.PostAsJsonAsync(path, new { token = FlexTokens.Make("someone") });

        Assert.Equal(HttpStatusCode.BadRequest, unknownMember.StatusCode);
        Assert.Contains(factory.Services.GetRequiredService<EmulatorState>().UnknownRequests, r => r.Contains("realm", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.BadRequest, form.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
        Assert.Equal(HttpStatusCode.OK, foreign.StatusCode);
        Assert.False((bool)JsonNode.Parse(await foreign.Content.ReadAsStringAsync())!["valid"]!);
    }

    [Fact]
    public async Task TheAgentTokenIsBehindTheConsolesOwnAccessRule()
    {
        using var reachable = PluginFactory.RealSandbox(consoleToken: true);
        using var client = new HttpClient { BaseAddress = reachable.BaseAddress };

        var withoutConsoleToken = await client.GetAsync("/sandbox/agent-token");
        var console = reachable.Services.GetRequiredService<SandboxSession>().Console;
        var withConsoleToken = await client.GetAsync($"/sandbox/agent-token?token={console.Token}");

        Assert.Equal(HttpStatusCode.Unauthorized, withoutConsoleToken.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withConsoleToken.StatusCode);
    }

    public void Dispose() => factory.Dispose();

    private async Task<JsonNode> AgentTokenAsync(string query = "")
    {
        using var client = factory.CreateClient();
        return JsonNode.Parse(await client.GetStringAsync("/sandbox/agent-token" + query))!;
    }

    private async Task<HttpResponseMessage> AssistAsync(string token, string method = "POST")
    {
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), $"/voice/calls/{CallSid}/assist");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }
}
