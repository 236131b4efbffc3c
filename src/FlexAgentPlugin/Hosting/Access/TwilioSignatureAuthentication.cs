using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using FlexAgentPlugin.Backends.Twilio;
using FlexAgentPlugin.Core.Callbacks;
using FlexAgentPlugin.Hosting.Requests;
using FlexAgentPlugin.Hosting.Problems;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Hosting.Access;

/// <summary>
/// Requests Twilio signed with the account's auth token (<c>X-Twilio-Signature</c>, checked with the SDK's validator
/// through <see cref="TwilioSignature"/>): over the URL Twilio called (the public URL when known) and the form parameters; a JSON body is covered by the signed <c>bodySHA256</c> query
/// parameter when present. Nothing of an unsigned request is read. The signed body is kept as a
/// <see cref="SignedBody"/> feature for the endpoint. A missing or wrong signature is 403, a body over 64 KB 413, a
/// body that is not a UTF-8 form or JSON 415.
/// </summary>
public sealed partial class TwilioSignatureAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggers,
    UrlEncoder encoder,
    IOptions<TwilioOptions> twilio,
    TwilioCallbacks callbacks,
    IProblemDetailsService problems) : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggers, encoder)
{
    public const string SchemeName = "TwilioSignature";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var signature = Request.Headers[TwilioSignature.Header].ToString();
        if (signature.Length == 0)
        {
            return AuthenticateResult.NoResult();
        }

        SignedBody body;
        try
        {
            body = await SignedBody.ReadAsync(Request, Context.RequestAborted);
        }
        catch (RequestRejectedException rejected)
        {
            Context.Features.Set(rejected);
            return AuthenticateResult.Fail(rejected.Detail);
        }

        var url = callbacks.CalledUrl($"{Request.Scheme}://{Request.Host}{Request.PathBase}", $"{Request.Path}{Request.QueryString}");
        var token = twilio.Value.AuthToken ?? "";
        var valid = body.IsForm
            ? TwilioSignature.IsValid(token, url, body.Form, signature)
            : TwilioSignature.IsValidJson(token, url, Encoding.UTF8.GetString(body.Bytes), Request.Query["bodySHA256"].ToString(), signature);
        if (!valid)
        {
            RejectedSignature(Logger, url);
            return AuthenticateResult.Fail("X-Twilio-Signature does not match this request and the account's auth token.");
        }

        Context.Features.Set(body);
        return AuthenticateResult.Success(new AuthenticationTicket(
            new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "twilio")], SchemeName)), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) => RefuseAsync();

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => RefuseAsync();

    private async Task RefuseAsync()
    {
        ProblemDetails problem = Context.Features.Get<RequestRejectedException>() is { } rejected
            ? ProblemMapping.Map(rejected).Problem!
            : new ProblemDetails
            {
                Status = StatusCodes.Status403Forbidden,
                Title = "Invalid Twilio signature",
                Detail = "This endpoint accepts only requests that Twilio signed with the account's auth token.",
            };
        Response.StatusCode = problem.Status!.Value;
        await problems.WriteAsync(new ProblemDetailsContext { HttpContext = Context, ProblemDetails = problem });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a request with a wrong X-Twilio-Signature for {Url}")]
    private static partial void RejectedSignature(ILogger logger, string url);
}
