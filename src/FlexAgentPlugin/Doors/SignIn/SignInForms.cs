using System.Globalization;
using FlexAgentPlugin.Core.State;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.Features;

namespace FlexAgentPlugin.Doors.SignIn;

/// <summary>
/// What every sign-in form goes through before its step runs: a small url-encoded form (16 KB, 50 fields), the
/// antiforgery token of the page it came from, a return address that is an authorization request of this server, and
/// the limit per client address. Each refusal is a page saying what to do, never a server error.
/// </summary>
internal static class SignInForms
{
    public const string ReturnUrlField = "ReturnUrl";
    public const int MaxFormBytes = 16 * 1024;

    /// <summary>Posts from one client address, all steps together, per ten minutes.</summary>
    public const int PostsPerAddress = 30;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(10);

    private static readonly FormOptions Limits = new() { ValueCountLimit = 50, KeyLengthLimit = 200, ValueLengthLimit = MaxFormBytes, BufferBody = true };

    /// <summary>The posted form, or the page that refuses it.</summary>
    public static async Task<(IFormCollection? Form, IResult? Refusal)> ReadAsync(HttpContext context)
    {
        var request = context.Request;
        if (!request.HasFormContentType || request.ContentLength > MaxFormBytes)
        {
            return (null, SignInPages.Page(context, request.HasFormContentType ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status415UnsupportedMediaType,
                "This form could not be read", SignInPages.Paragraph("Send the form from the sign-in page itself.")));
        }

        IFormCollection form;
        try
        {
            // Read with these limits, unless OpenIddict has read it already (a posted authorization request).
            if (context.Features.Get<IFormFeature>() is not { Form: not null })
            {
                context.Features.Set<IFormFeature>(new FormFeature(request, Limits));
            }

            form = await request.ReadFormAsync(context.RequestAborted);
        }
        catch (Exception error) when (error is InvalidDataException or BadHttpRequestException)
        {
            return (null, SignInPages.Page(context, StatusCodes.Status400BadRequest, "This form could not be read", SignInPages.Paragraph("Send the form from the sign-in page itself.")));
        }

        if (!await context.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(context))
        {
            return (null, Expired(context));
        }

        var windows = context.RequestServices.GetRequiredService<IRateWindows>();
        if (await windows.TryTakeAsync($"sign-in:{context.Connection.RemoteIpAddress}", PostsPerAddress, Window, context.RequestAborted) is { } wait)
        {
            return (null, TooMany(context, wait));
        }

        return (form, null);
    }

    /// <summary>True for the address of an authorization request of this server, the only place a sign-in returns to.</summary>
    public static bool IsReturnUrl(string? url) =>
        url is { Length: <= 8192 } && url.StartsWith("/oauth/authorize?", StringComparison.Ordinal) && !url.Contains('\\', StringComparison.Ordinal)
        && !url.Any(char.IsControl);

    /// <summary>The page for a sign-in that lost its way (no pending code, an expired form, a foreign return address).</summary>
    public static IResult Expired(HttpContext context) =>
        SignInPages.Page(context, StatusCodes.Status400BadRequest, "Start the sign-in again",
            SignInPages.Paragraph("This sign-in page has expired or was not opened from your app. Go back to the app you were connecting and connect again."));

    public static IResult TooMany(HttpContext context, TimeSpan wait)
    {
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return SignInPages.Page(context, StatusCodes.Status429TooManyRequests, "Too many tries",
            SignInPages.Paragraph($"Too many tries for now. Wait {Math.Max(1, (int)Math.Ceiling(wait.TotalMinutes))} minutes, then try again."));
    }
}
