using FlexAgentPlugin.Sandbox.Emulator;

namespace FlexAgentPlugin.Sandbox.Console;

/// <summary>
/// <c>GET /sandbox/agent-token</c> (behind the console's access rule): a sandbox agent token for the console's agent, to
/// paste where a Flex plugin needs the agent's Flex token; the sandbox's IAM emulation accepts it, nothing else does.
/// <c>?expired=true</c> gives one that has expired already, to see a refusal.
/// </summary>
internal static class AgentTokenEndpoint
{
    public const string Path = SandboxAccount.ConsolePath + "/agent-token";

    public static void MapAgentToken(this IEndpointRouteBuilder app) =>
        app.MapGet(Path, (bool? expired, HttpContext context, SandboxAgentTokens tokens) =>
        {
            var minted = tokens.Mint(expired == true ? TimeSpan.FromMinutes(-1) : null);
            context.Response.Headers.CacheControl = "no-store";
            return TypedResults.Ok(new AgentToken(minted.Token, minted.Claims.Identity, minted.Claims.WorkerSid, minted.Claims.Roles, minted.Claims.Expiration,
                "A sandbox agent token: it stands in for an agent's Flex token, and only this sandbox accepts it."));
        }).ExcludeFromDescription();

    private sealed record AgentToken(string Token, string Identity, string WorkerSid, IReadOnlyList<string> Roles, DateTimeOffset ExpiresAt, string Note);
}
