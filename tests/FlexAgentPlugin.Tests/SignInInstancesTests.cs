using System.Net;
using System.Net.Http.Headers;
using FlexAgentPlugin.Tests.Infrastructure;
using ModelContextProtocol.Client;

namespace FlexAgentPlugin.Tests;

/// <summary>
/// Sign-in across restarts and instances: the keys, clients, grants and refresh tokens live in the store, so a restart
/// logs nobody out, and instances on one PostgreSQL database accept each other's tokens, refresh and revoke them, and
/// redeem a code once between them.
/// </summary>
public sealed class SignInInstancesTests
{
    [Fact]
    public async Task SignInSurvivesARestart()
    {
        var folder = Directory.CreateTempSubdirectory("flexagent-signin-").FullName;
        using var twilio = new EmulatedTwilio(PluginFactory.AccountSid, PluginFactory.AuthToken, new ManualClock()) { AutoReply = true };
        var settings = SignInFlow.Settings(new Dictionary<string, string?> { ["DATABASE_PATH"] = Path.Combine(folder, "convs.db") });
        try
        {
            string clientId, user;
            TokenAnswer tokens;
            using (var before = new PluginFactory(settings, twilio))
            {
                using var flow = new SignInFlow(before);
                (clientId, tokens) = await flow.SignInAsync();
                user = await AskAsync(before, tokens.AccessToken);
            }

            using var after = new PluginFactory(settings, twilio);
            using var again = new SignInFlow(after);

            Assert.Equal(user, await AskAsync(after, tokens.AccessToken));
            var refreshed = await again.RefreshAsync(clientId, tokens.RefreshToken);
            Assert.Equal(HttpStatusCode.OK, refreshed.Status);
            Assert.Equal(user, await AskAsync(after, refreshed.AccessToken));
            var (_, signedInAgain) = await again.SignInAsync();
            Assert.Equal(user, await AskAsync(after, signedInAgain.AccessToken));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    [PostgresFact]
    public async Task TwoInstancesShareKeysAndGrants()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        using var a = Instance(database, twilio: null);
        using var b = Instance(database, a.Twilio);
        using var onA = new SignInFlow(a);
        using var onB = new SignInFlow(b);

        var (clientId, tokens) = await onA.SignInAsync();
        Assert.Equal(HttpStatusCode.OK, await McpStatusAsync(b, tokens.AccessToken));
        var refreshed = await onB.RefreshAsync(clientId, tokens.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, refreshed.Status);
        Assert.Equal(HttpStatusCode.OK, await McpStatusAsync(a, refreshed.AccessToken));

        Assert.Equal(HttpStatusCode.OK, await onB.RevokeAsync(clientId, refreshed.RefreshToken));

        Assert.Equal(HttpStatusCode.Unauthorized, await McpStatusAsync(a, refreshed.AccessToken));
        Assert.Equal("invalid_grant", (await onA.RefreshAsync(clientId, refreshed.RefreshToken)).Error);
    }

    [PostgresFact]
    public async Task OneCodeRedeemedOnTwoInstancesAtOnceGivesOneToken()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        using var a = Instance(database, twilio: null);
        using var b = Instance(database, a.Twilio);
        using var onA = new SignInFlow(a);
        using var onB = new SignInFlow(b);
        var clientId = await onA.RegisterAsync();
        var pkce = Pkce.Create();
        var code = SignInFlow.Code(await onA.AuthorizeAsync(SignInFlow.AuthorizeQuery(clientId, pkce, resource: onA.McpResource)));

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            (i % 2 == 0 ? onA : onB).RedeemAsync(clientId, code, pkce.Verifier, onA.McpResource)));

        Assert.Single(answers, answer => answer.Status == HttpStatusCode.OK);
        Assert.All(answers.Where(answer => answer.Status != HttpStatusCode.OK), answer => Assert.Equal("invalid_grant", answer.Error));
    }

    private static PluginFactory Instance(PostgresDatabase database, EmulatedTwilio? twilio)
    {
        var factory = new PluginFactory(SignInFlow.Settings(new Dictionary<string, string?> { ["DATABASE_URL"] = database.ConnectionString }), twilio);
        factory.CreateClient().Dispose();
        return factory;
    }

    /// <summary>Asks through MCP with the token; the user the server served.</summary>
    private static async Task<string> AskAsync(PluginFactory factory, string accessToken)
    {
        var http = factory.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        await using var mcp = await McpConnection.ConnectAsync(http);
        var result = await mcp.CallToolAsync("ask_human_agent", new Dictionary<string, object?> { ["message"] = "Still me?" });
        return result.Structured("user")!;
    }

    private static async Task<HttpStatusCode> McpStatusAsync(PluginFactory factory, string accessToken)
    {
        using var request = RawMcp.Post(RawMcp.Initialize);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        using var response = await factory.CreateClient().SendAsync(request);
        return response.StatusCode;
    }
}
