using System.Security.Claims;
using System.Text.Encodings.Web;
using FlexAgentPlugin.Backends.Twilio;
using FlexAgentPlugin.Hosting.Access;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Doors.Handover;

/// <summary>
/// Who may hand over: Twilio itself (a request signed with the account's auth token), or a caller with
/// <c>HANDOVER_TOKEN</c> as a bearer token or <c>?token=</c>. A request that brings a token is judged by the token,
/// any other by its signature. No credential is 401, a wrong one 403.
/// </summary>
public static class HandoverAuthentication
{
    /// <summary>The scheme the tool's policy uses: it forwards to the token or the signature scheme.</summary>
    public const string Scheme = "Handover";

    public const string Policy = "handover";

    public static IServiceCollection AddHandoverAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, HandoverTokenHandler>(HandoverTokenHandler.SchemeName, null)
            .AddPolicyScheme(Scheme, null, options => options.ForwardDefaultSelector = context =>
                HandoverTokenHandler.GivenToken(context.Request) is not null || context.Request.Headers[TwilioSignature.Header].Count == 0
                    ? HandoverTokenHandler.SchemeName
                    : TwilioSignatureAuthenticationHandler.SchemeName);
        services.AddAuthorizationBuilder()
            .AddPolicy(Policy, policy => policy.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser());
        return services;
    }
}

/// <summary><c>HANDOVER_TOKEN</c>, as <c>Authorization: Bearer</c> or the <c>token</c> query parameter, compared in constant time.</summary>
public sealed class HandoverTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggers,
    UrlEncoder encoder,
    IOptions<HandoverOptions> handover,
    IProblemDetailsService problems) : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggers, encoder)
{
    public const string SchemeName = "HandoverToken";

    private const string TokenParameter = "token";

    public static string? GivenToken(HttpRequest request) =>
        Secrets.BearerToken(request) ?? (request.Query[TokenParameter].ToString() is { Length: > 0 } query ? query : null);

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (GivenToken(Request) is not { } token)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        return Task.FromResult(handover.Value.HasToken && Secrets.Same(token, handover.Value.Token!)
            ? AuthenticateResult.Success(new AuthenticationTicket(
                new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "handover-token")], SchemeName)), SchemeName))
            : AuthenticateResult.Fail("The hand-over token is wrong."));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var given = GivenToken(Request) is not null;
        Response.StatusCode = given ? StatusCodes.Status403Forbidden : StatusCodes.Status401Unauthorized;
        if (!given)
        {
            Response.Headers.WWWAuthenticate = "Bearer";
        }

        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails
            {
                Status = Response.StatusCode,
                Title = given ? "Not allowed to hand over" : "Missing credentials",
                Detail = given
                    ? "The hand-over token is wrong. Send HANDOVER_TOKEN as Authorization: Bearer <token> or as ?token=<token>."
                    : "Call the hand-over tool with X-Twilio-Signature (as Twilio signs its requests) or with HANDOVER_TOKEN as Authorization: Bearer <token> or ?token=<token>.",
            },
        });
    }
}
