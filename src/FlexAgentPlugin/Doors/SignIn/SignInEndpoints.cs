using System.Security.Claims;
using FlexAgentPlugin.Core.Services;
using FlexAgentPlugin.Core.State;
using FlexAgentPlugin.Core.Users;
using FlexAgentPlugin.Hosting.OAuth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace FlexAgentPlugin.Doors.SignIn;

/// <summary>
/// The person's sign-in for the built-in authorization server: <c>/oauth/sign-in</c> takes a phone number or email
/// address and sends a one-time code (Twilio Verify), <c>/oauth/sign-in/code</c> checks it; then the person is signed in
/// (a 15-minute cookie good only for finishing the authorization request) and goes back to <c>/oauth/authorize</c> for
/// consent. Every answer about sending is the same whoever asks; codes are limited per address and per contact, so
/// guessing stops after five wrong codes even when the sixth is right.
/// </summary>
public static partial class SignInEndpoints
{
    public const string SignInPath = "/oauth/sign-in";
    public const string CodePath = "/oauth/sign-in/code";

    /// <summary>The cookie scheme of a person who has just proved their contact.</summary>
    public const string Scheme = "OAuthSignIn";

    public const string ContactKindClaim = "contact_kind";
    public const string ContactClaim = "contact";

    public const int SendsPerContact = 3;
    public const int ChecksPerContact = 5;

    public static IServiceCollection AddSignIn(this IServiceCollection services, SignInSettings settings)
    {
        if (!settings.IsBuiltIn)
        {
            return services;
        }

        services.AddAntiforgery(antiforgery =>
        {
            antiforgery.Cookie.Name = "flexagent.signin.antiforgery";
            antiforgery.Cookie.Path = "/oauth";
        });
        services.AddSingleton<PendingSignIns>();
        services.AddAuthentication().AddCookie(Scheme, cookie =>
        {
            cookie.Cookie.Name = "flexagent.signin";
            cookie.Cookie.Path = "/oauth";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.ExpireTimeSpan = TimeSpan.FromMinutes(15);
            cookie.SlidingExpiration = false;
        });
        return services;
    }

    public static IEndpointRouteBuilder MapSignIn(this IEndpointRouteBuilder app)
    {
        if (!app.ServiceProvider.GetRequiredService<SignInSettings>().IsBuiltIn)
        {
            return app;
        }

        var pages = app.MapGroup("").ExcludeFromDescription().DisableAntiforgery();
        pages.MapGet(SignInPath, (HttpContext context, string? returnUrl) =>
            SignInForms.IsReturnUrl(returnUrl) ? ContactPage(context, returnUrl!, null, StatusCodes.Status200OK) : SignInForms.Expired(context));
        pages.MapPost(SignInPath, SendCodeAsync);
        pages.MapGet(CodePath, (HttpContext context, PendingSignIns pending) =>
            pending.Read(context) is { } signIn ? CodePage(context, signIn, null, StatusCodes.Status200OK) : SignInForms.Expired(context));
        pages.MapPost(CodePath, CheckCodeAsync);
        app.MapConsent();
        app.MapRegistration();
        return app;
    }

    private static async Task<IResult> SendCodeAsync(HttpContext context, IContactVerifier verifier, IRateWindows windows, PendingSignIns pending, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(SignInEndpoints));
        var (form, refusal) = await SignInForms.ReadAsync(context);
        if (form is null)
        {
            return refusal!;
        }

        var returnUrl = form[SignInForms.ReturnUrlField].ToString();
        if (!SignInForms.IsReturnUrl(returnUrl))
        {
            return SignInForms.Expired(context);
        }

        var typed = form["contact"].ToString();
        if (Contact.Parse(typed) is not { } contact)
        {
            return ContactPage(context, returnUrl, typed, StatusCodes.Status400BadRequest,
                "Enter a phone number with its country code (such as +1 555 123 4567) or an email address.");
        }

        // Past the limit per contact the earlier code stands (Verify sends the same one again): the answer is the same.
        var hash = PendingSignIn.Hash(contact);
        if (await windows.TryTakeAsync($"verify-send:{hash}", SendsPerContact, SignInForms.Window, context.RequestAborted) is null)
        {
            try
            {
                if (await verifier.SendCodeAsync(contact, context.RequestAborted) == CodeSending.Refused)
                {
                    return ContactPage(context, returnUrl, typed, StatusCodes.Status400BadRequest,
                        contact.IsPhone ? "Codes cannot be sent to that number. Check it, with its country code." : "Codes cannot be sent to that address. Check it.");
                }
            }
            catch (Exception error) when (error is ServiceRefusedException or ServiceUnavailableException or ServiceNotConfiguredException)
            {
                Log.SendFailed(logger, hash, error.Message);
                return SignInPages.Page(context, StatusCodes.Status503ServiceUnavailable, "Codes cannot be sent right now",
                    SignInPages.Paragraph("The code could not be sent just now. Wait a minute and try again."));
            }
        }

        pending.Save(context, contact, returnUrl);
        return SeeOther(CodePath);
    }

    private static async Task<IResult> CheckCodeAsync(
        HttpContext context, IContactVerifier verifier, IRateWindows windows, PendingSignIns pending, OAuthKeyRing keys, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(SignInEndpoints));
        var (form, refusal) = await SignInForms.ReadAsync(context);
        if (form is null)
        {
            return refusal!;
        }

        if (pending.Read(context) is not { } signIn || !SignInForms.IsReturnUrl(signIn.ReturnUrl))
        {
            return SignInForms.Expired(context);
        }

        var contact = signIn.Contact;
        var hash = PendingSignIn.Hash(contact);
        if (await windows.TryTakeAsync($"verify-check:{hash}", ChecksPerContact, SignInForms.Window, context.RequestAborted) is { } wait)
        {
            Log.TooManyCodes(logger, hash);
            return SignInForms.TooMany(context, wait);
        }

        var code = form["code"].ToString().Trim();
        if (code.Length is < 4 or > 10 || !code.All(char.IsAsciiDigit))
        {
            return CodePage(context, signIn, "The code is the 4 to 10 digits in the message.", StatusCodes.Status400BadRequest);
        }

        CodeChecking result;
        try
        {
            result = await verifier.CheckCodeAsync(contact, code, context.RequestAborted);
        }
        catch (Exception error) when (error is ServiceRefusedException or ServiceUnavailableException or ServiceNotConfiguredException)
        {
            Log.CheckFailed(logger, hash, error.Message);
            return CodePage(context, signIn, "The code could not be checked just now. Wait a minute and try again.", StatusCodes.Status503ServiceUnavailable);
        }

        switch (result)
        {
            case CodeChecking.Wrong:
                return CodePage(context, signIn, "That code is not right. Check the message and try again.", StatusCodes.Status400BadRequest);
            case CodeChecking.NoPendingCode:
                return CodePage(context, signIn, "That code has expired or was tried too often. Send a new one.", StatusCodes.Status400BadRequest);
        }

        PendingSignIns.Clear(context);
        var person = new ClaimsIdentity(
            [new Claim("sub", keys.Subject(contact.Kind, contact.Address)), new Claim(ContactKindClaim, contact.Kind), new Claim(ContactClaim, contact.Address)],
            Scheme);
        await context.SignInAsync(Scheme, new ClaimsPrincipal(person));
        Log.SignedIn(logger, hash);
        return SeeOther(signIn.ReturnUrl);
    }

    private static IResult ContactPage(HttpContext context, string returnUrl, string? typed, int status, string? error = null) =>
        SignInPages.Page(context, status, "Sign in with your phone or email",
            SignInPages.Paragraph("To talk to our support team from your assistant, prove you can receive messages at your phone number or email address. We send you a one-time code.")
            + SignInPages.Form(context, SignInPath, [new(SignInForms.ReturnUrlField, returnUrl)],
                SignInPages.Field("contact", "Phone number (with +country code) or email", typed, error, "type=\"text\" autocomplete=\"username\" spellcheck=\"false\" maxlength=\"254\"",
                    "For example +1 555 123 4567, or ana@example.com.")
                + "<button type=\"submit\">Send me a code</button>"));

    private static IResult CodePage(HttpContext context, PendingSignIn signIn, string? error, int status) =>
        SignInPages.Page(context, status, "Enter your code",
            SignInPages.Paragraph($"We sent a code to {signIn.Address} if it can receive {(signIn.Contact.IsPhone ? "text messages" : "email")}. It is good for 10 minutes.")
            + SignInPages.Form(context, CodePath, [],
                SignInPages.Field("code", "Code", null, error, "type=\"text\" inputmode=\"numeric\" autocomplete=\"one-time-code\" pattern=\"[0-9]*\" maxlength=\"10\"")
                + "<button type=\"submit\">Sign in</button>")
            + SignInPages.Form(context, SignInPath, [new(SignInForms.ReturnUrlField, signIn.ReturnUrl), new("contact", signIn.Address)],
                "<div class=\"actions\"><button type=\"submit\" class=\"secondary\">Send a new code</button></div>")
            + $"<p><a href=\"{SignInPages.Encode(SignInPath + "?ReturnUrl=" + Uri.EscapeDataString(signIn.ReturnUrl))}\">Use another number or address</a></p>");

    /// <summary>303: after a form, the browser fetches the next page with GET (so a reload never posts again).</summary>
    private static SeeOtherRedirect SeeOther(string location) => new(location);

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "A sign-in code for contact {ContactHash} could not be sent: {Failure}")]
        public static partial void SendFailed(ILogger logger, string contactHash, string failure);

        [LoggerMessage(Level = LogLevel.Warning, Message = "A sign-in code for contact {ContactHash} could not be checked: {Failure}")]
        public static partial void CheckFailed(ILogger logger, string contactHash, string failure);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Too many sign-in codes tried for contact {ContactHash}: refused until the window ends")]
        public static partial void TooManyCodes(ILogger logger, string contactHash);

        [LoggerMessage(Level = LogLevel.Information, Message = "Contact {ContactHash} signed in with a code")]
        public static partial void SignedIn(ILogger logger, string contactHash);
    }
}

/// <summary>303 See Other to a page of this server.</summary>
internal sealed class SeeOtherRedirect(string location) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
        httpContext.Response.Headers.Location = location;
        return Task.CompletedTask;
    }
}
