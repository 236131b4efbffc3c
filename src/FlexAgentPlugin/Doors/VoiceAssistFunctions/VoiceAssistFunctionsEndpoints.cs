using FlexAgentPlugin.Backends.Twilio;
using FlexAgentPlugin.Configuration;
using FlexAgentPlugin.Core.Users;
using FlexAgentPlugin.Core.Voice;
using FlexAgentPlugin.Hosting.Access;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Doors.VoiceAssistFunctions;

/// <summary>
/// The two Twilio Functions the voice-assist Flex plugin calls at its <c>FLEX_APP_FUNCTIONS_URL</c>, so that plugin works
/// against this server as it is. <c>POST /stream</c> starts or stops the call's assist (<see cref="AssistStreams"/>, as
/// <c>/voice/calls/{callSid}/assist</c> does) after checking the agent's Flex token in its body (<see cref="FlexTokenInBody"/>:
/// 403 when refused). <c>GET /token?identity=…</c> hands out a Sync access token for SYNC_SERVICE_SID, only to the
/// identity SYNC_TOKEN_IDENTITY names (404 for any other, and when it is unset). Both allow Flex UI's origins.
/// </summary>
public static class VoiceAssistFunctionsEndpoints
{
    public static IServiceCollection AddVoiceAssistFunctions(this IServiceCollection services)
    {
        services.AddOptions<SyncTokenOptions>().BindEnvironment().ValidateOnStart();
        services.AddSingleton<IValidateOptions<SyncTokenOptions>, SyncTokenOptions.Validation>();
        return services;
    }

    public static IEndpointRouteBuilder MapVoiceAssistFunctions(this IEndpointRouteBuilder app)
    {
        var functions = app.MapGroup("").RequireCors(AgentAccess.CorsPolicy).RequireRateLimiting(AccessPolicies.PerCaller).ExcludeFromDescription();
        functions.MapPost("/stream", StreamAsync).AddEndpointFilter(FlexTokenInBody.CheckAsync).DisableAntiforgery();
        functions.MapGet("/token", IssueSyncToken);
        return app;
    }

    private static async Task<Results<Ok<AssistState>, ProblemHttpResult>> StreamAsync(
        StreamRequest request, HttpContext context, AssistStreams assist, CancellationToken cancellationToken)
    {
        AssistStreams.CheckCallSid(request.CallSid);
        var baseUrl = $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}";
        var state = request.Action?.Trim().ToLowerInvariant() switch
        {
            "start" => await assist.StartAsync(request.CallSid!, baseUrl, cancellationToken),
            "stop" => await assist.StopAsync(request.CallSid!, cancellationToken),
            _ => throw new InvalidInputException("action", "action must be start or stop."),
        };
        return state is not null
            ? TypedResults.Ok(state)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such call or stream",
                detail: request.Action!.Trim().Equals("start", StringComparison.OrdinalIgnoreCase)
                    ? "Twilio knows no call in progress with this callSid."
                    : "No assist stream is running on this call (or Twilio knows no such call).");
    }

    private static Results<Ok<SyncToken>, NotFound> IssueSyncToken(
        string? identity, HttpContext context, IOptions<SyncTokenOptions> options, IOptions<VoiceOptions> voice, AccessTokens tokens)
    {
        if (options.Value.EffectiveIdentity is not { } expected || identity is null || !Secrets.Same(identity, expected))
        {
            return TypedResults.NotFound();
        }

        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new SyncToken(expected, tokens.Sync(expected, voice.Value.SyncServiceSid!.Trim())));
    }

    /// <summary>A Sync access token and the identity it was made for.</summary>
    public sealed record SyncToken(string Identity, string Token);
}
