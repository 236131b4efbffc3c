using System.Globalization;
using FlexAgentPlugin.Core.Voice;

namespace FlexAgentPlugin.Doors.Voice;

/// <summary>
/// <c>GET /voice/calls/{callSid}/events</c>: the call's transcript lines and suggestions as server-sent events. It opens
/// with the comment <c>: listening</c>, replays what was said so far (oldest first; after <c>Last-Event-ID</c> when a
/// reader reconnects), then follows live until the call's assist ends, with a comment line when the call is quiet so
/// proxies keep the connection. Each event carries its <c>id:</c>. A call never assisted is 404. The lines are written
/// here rather than by <c>SseFormatter</c>, which has no comment lines.
/// </summary>
public static class CallEvents
{
    public static async Task StreamAsync(string callSid, HttpContext context, AssistHistory history, IHostApplicationLifetime lifetime)
    {
        AssistStreams.CheckCallSid(callSid);
        if (!await history.IsKnownAsync(callSid, context.RequestAborted))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = new() { Status = 404, Title = "No such call or stream", Detail = "No assist was started on this call: start it first (POST /voice/calls/{callSid}/assist)." },
            });
            return;
        }

        var after = long.TryParse(context.Request.Headers["Last-Event-ID"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : 0;
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        try
        {
            await WriteAsync(context, ": listening\n\n", ended.Token);
            await foreach (var kept in history.FollowAsync(callSid, after, ended.Token))
            {
                // The data is one line of JSON, so it needs no splitting into several data: lines.
                await WriteAsync(context, kept is null ? ": keep-alive\n\n" : $"id: {kept.Id.ToString(CultureInfo.InvariantCulture)}\nevent: {kept.Kind}\ndata: {kept.Data}\n\n", ended.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // The agent went away, or the server is stopping.
        }
    }

    private static async Task WriteAsync(HttpContext context, string text, CancellationToken cancellationToken)
    {
        await context.Response.WriteAsync(text, cancellationToken);
        await context.Response.Body.FlushAsync(cancellationToken);
    }
}
