using FlexAgentPlugin.Core.Services;
using FlexAgentPlugin.Hosting.Access;

namespace FlexAgentPlugin.Doors.VoiceAssistFunctions;

/// <summary>
/// The check the voice-assist plugin's Functions make: the agent's Flex token comes in the body's <c>Token</c>, and is
/// validated as the agents' sign-in validates a bearer token (<see cref="FlexSignIns"/>, the same kept answers). A
/// missing or refused token, or one without an agent role, is 403, as those Functions answer; Twilio unable to say is
/// 503 with Retry-After. The agent then is the request's user.
/// </summary>
internal static class FlexTokenInBody
{
    public static async ValueTask<object?> CheckAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
        if (context.Arguments.OfType<StreamRequest>().SingleOrDefault()?.Token?.Trim() is not { Length: > 0 } token)
        {
            await Refuse("Send the agent's Flex token as Token in the body.");
            return Results.Empty;
        }

        FlexSignIn signIn;
        try
        {
            signIn = await http.RequestServices.GetRequiredService<FlexSignIns>().CheckAsync(token, http.RequestAborted);
        }
        catch (Exception error) when (error is ServiceRefusedException or ServiceUnavailableException or ServiceNotConfiguredException)
        {
            await FlexSignInProblems.WriteFailureAsync(http, problems, error);
            return Results.Empty;
        }

        if (!signIn.IsValid)
        {
            await Refuse(signIn.Refusal!);
            return Results.Empty;
        }

        if (!signIn.MayAssist)
        {
            await Refuse("This Flex user has no agent, supervisor or admin role, so the agents' tools are closed to it.");
            return Results.Empty;
        }

        http.User = signIn.Principal();
        return await next(context);

        Task Refuse(string detail) => FlexSignInProblems.WriteAsync(http, problems, StatusCodes.Status403Forbidden, "Flex sign-in refused", detail);
    }
}
