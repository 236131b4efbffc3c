using FlexAgentPlugin.Backends.Twilio;
using FlexAgentPlugin.Core.Callbacks;
using FlexAgentPlugin.Core.Users;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Hosting.Access;

/// <summary>
/// Twilio's WebSocket upgrades (Media Streams, ConversationRelay): the socket's public address, and the check that an
/// upgrade carries Twilio's signature over it. Twilio signs the ws(s):// address; the http(s):// form is accepted too.
/// The check is by hand because the authentication scheme reads forms and bodies, which an upgrade has none of.
/// </summary>
public static class SignedUpgrade
{
    /// <summary>The socket's address as Twilio must call it: wss:// for an https public URL, ws:// for an http one.</summary>
    public static string SocketUrl(TwilioCallbacks callbacks, HttpRequest request, string path) =>
        callbacks.SocketUrl($"{request.Scheme}://{request.Host}{request.PathBase}", path);

    /// <summary>
    /// True for a WebSocket upgrade signed by Twilio; otherwise the answer (a 400 problem for a plain request, a 403 for
    /// a missing or wrong signature) is written and false returned.
    /// </summary>
    public static async Task<bool> CheckAsync(HttpContext context, string path, string what)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            throw new InvalidInputException("Upgrade", $"This is Twilio's {what} WebSocket: connect with a WebSocket upgrade.");
        }

        var callbacks = context.RequestServices.GetRequiredService<TwilioCallbacks>();
        var authToken = context.RequestServices.GetRequiredService<IOptions<TwilioOptions>>().Value.AuthToken ?? "";
        var signature = context.Request.Headers[TwilioSignature.Header].ToString();
        var socket = SocketUrl(callbacks, context.Request, path) + context.Request.QueryString;
        var https = socket.StartsWith("wss://", StringComparison.Ordinal) ? "https://" + socket["wss://".Length..] : "http://" + socket["ws://".Length..];
        if (signature.Length > 0 && new[] { socket, https }.Any(url => TwilioSignature.IsValid(authToken, url, [], signature)))
        {
            return true;
        }

        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new() { Status = 403, Title = "Invalid Twilio signature", Detail = $"Only Twilio's signed {what} connections are accepted here." },
        });
        return false;
    }
}
