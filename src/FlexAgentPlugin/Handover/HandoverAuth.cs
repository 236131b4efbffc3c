using FlexAgentPlugin.Access;
using FlexAgentPlugin.Events;
using FlexAgentPlugin.Twilio;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FlexAgentPlugin.Handover;

/// <summary>
/// The hand-over tool is not open: a call carries <c>X-Twilio-Signature</c> made with the account's auth token
/// (form parameters signed; a JSON body is covered by the signed <c>bodySHA256</c> query parameter when present),
/// or <c>HANDOVER_TOKEN</c> as a bearer token or <c>token</c> query parameter. No credential is 401, a wrong one 403.
/// </summary>
internal static class HandoverAuth
{
    private const string TokenParameter = "token";

    public static async Task<ProblemHttpResult?> CheckAsync(
        HttpRequest request, HandoverOptions options, TwilioOptions twilio, EventsAddress address, CancellationToken cancellationToken)
    {
        if (GivenToken(request) is { } token)
        {
            return options.HasToken && CallerAuth.SameSecret(token, options.Token!)
                ? null
                : Forbidden("The hand-over token is wrong. Send HANDOVER_TOKEN as Authorization: Bearer <token> or as ?token=<token>.");
        }

        if (request.Headers[TwilioSignature.Header].ToString().Length == 0)
        {
            request.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return TypedResults.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Missing credentials",
                detail: "Call the hand-over tool with X-Twilio-Signature (as Twilio signs its requests) or with HANDOVER_TOKEN as Authorization: Bearer <token> or ?token=<token>.");
        }

        return await TwilioSignature.IsSignedRequestAsync(request, twilio.AuthToken ?? "", address.CalledUrl(request), cancellationToken)
            ? null
            : Forbidden("X-Twilio-Signature does not match this request and the account's auth token.");
    }

    private static string? GivenToken(HttpRequest request) =>
        CallerAuth.BearerToken(request) ?? (request.Query[TokenParameter].ToString() is { Length: > 0 } query ? query : null);

    private static ProblemHttpResult Forbidden(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not allowed to hand over", detail: detail);
}
