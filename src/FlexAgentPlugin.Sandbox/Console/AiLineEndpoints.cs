using Microsoft.AspNetCore.Http.HttpResults;

namespace FlexAgentPlugin.Sandbox.Console;

/// <summary>The console's "Call the AI line" API under <c>/sandbox/api/ai-calls</c>: start a simulated call, say something as the caller, read it.</summary>
internal static class AiLineEndpoints
{
    public static void MapAiLine(this RouteGroupBuilder api)
    {
        api.MapPost("/ai-calls", async Task<Results<Ok<AiCallView>, ProblemHttpResult>> (AiLineCalls calls, CancellationToken cancellationToken) =>
        {
            try
            {
                return TypedResults.Ok(await calls.StartAsync(cancellationToken));
            }
            catch (Exception error) when (error is InvalidDataException or HttpRequestException or System.Net.WebSockets.WebSocketException or System.Xml.XmlException)
            {
                return TypedResults.Problem(statusCode: 502, detail: $"The call did not start: {error.Message}.");
            }
        });
        api.MapGet("/ai-calls", (AiLineCalls calls) => TypedResults.Ok(calls.All()));
        api.MapGet("/ai-calls/{callSid}", Results<Ok<AiCallView>, NotFound> (string callSid, AiLineCalls calls) =>
            calls.Find(callSid) is { } call ? TypedResults.Ok(call) : TypedResults.NotFound());
        api.MapPost("/ai-calls/{callSid}/prompts", async Task<Results<Ok<AiCallView>, ProblemHttpResult>> (
            string callSid, CallerWords? said, AiLineCalls calls, CancellationToken cancellationToken) =>
        {
            if (string.IsNullOrWhiteSpace(said?.Text))
            {
                return TypedResults.Problem(statusCode: 400, detail: "Type what the caller says before sending.");
            }

            return await calls.SayAsync(callSid, said.Text.Trim(), cancellationToken)
                ? TypedResults.Ok(calls.Find(callSid)!)
                : TypedResults.Problem(statusCode: 409, detail: "This call is no longer with the AI.");
        });
    }

    private sealed record CallerWords(string? Text);
}
