using System.Security.Claims;
using FlexAgentPlugin.Core.Users;
using FlexAgentPlugin.Hosting.OAuth;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Primitives;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace FlexAgentPlugin.Doors.SignIn;

/// <summary>
/// <c>/oauth/authorize</c> after OpenIddict has checked the request (client, redirect URI, PKCE, scope, resource): a
/// person not signed in is sent to the sign-in; one signed in is asked, by the client's name and the host it sends them
/// back to (a name is only what the client calls itself), whether the client may ask the support team and read the
/// answers as them. Allow issues the code (the token's user is the person, with their verified phone or email; its
/// audience the requested resource, or the client's door); Deny returns <c>access_denied</c> to the client.
/// </summary>
internal static class ConsentEndpoints
{
    public static void MapConsent(this IEndpointRouteBuilder app) =>
        app.MapMethods(AuthorizationServer.AuthorizePath, [HttpMethods.Get, HttpMethods.Post], AuthorizeAsync).ExcludeFromDescription().DisableAntiforgery();

    private static async Task<IResult> AuthorizeAsync(HttpContext context, IOpenIddictApplicationManager applications, SignInSettings settings)
    {
        var request = context.GetOpenIddictServerRequest();
        if (request is null)
        {
            return SignInForms.Expired(context);
        }

        // A request OpenIddict refused (an unknown client, a redirect URI the client did not register, no PKCE…) is shown
        // here, and nobody is sent anywhere.
        if (context.GetOpenIddictServerResponse() is { Error: { } error } refused)
        {
            return SignInPages.Page(context, StatusCodes.Status400BadRequest, "This sign-in request is not valid",
                SignInPages.Paragraph($"The app that sent you here made a request this server refuses ({error}: {refused.ErrorDescription}). Go back to the app; if it keeps happening, tell whoever runs it."));
        }

        var person = await context.AuthenticateAsync(SignInEndpoints.Scheme);
        if (!person.Succeeded)
        {
            var returnUrl = AuthorizationServer.AuthorizePath + QueryString.Create(Parameters(request).Select(p => new KeyValuePair<string, string?>(p.Key, p.Value)));
            return Results.Redirect(SignInEndpoints.SignInPath + "?ReturnUrl=" + Uri.EscapeDataString(returnUrl));
        }

        var client = await applications.FindByClientIdAsync(request.ClientId!, context.RequestAborted);
        if (client is null)
        {
            return SignInForms.Expired(context);
        }

        var name = await applications.GetDisplayNameAsync(client, context.RequestAborted) ?? request.ClientId!;
        var contact = new Contact(person.Principal.FindFirst(SignInEndpoints.ContactKindClaim)!.Value, person.Principal.FindFirst(SignInEndpoints.ContactClaim)!.Value);
        if (!HttpMethods.IsPost(context.Request.Method) || request["decision"] is not { } decision)
        {
            return ConsentPage(context, request, name, contact);
        }

        var (form, refusal) = await SignInForms.ReadAsync(context);
        if (form is null)
        {
            return refusal!;
        }

        await context.SignOutAsync(SignInEndpoints.Scheme);
        if ((string?)decision != "allow")
        {
            return Results.Forbid(new AuthenticationProperties(new Dictionary<string, string?>
            {
                [OpenIddictServerAspNetCoreConstants.Properties.Error] = Errors.AccessDenied,
                [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = "The person declined.",
            }), [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
        }

        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, person.Principal.FindFirst("sub")!.Value);
        identity.SetClaim(contact.IsPhone ? Claims.PhoneNumber : Claims.Email, contact.Address);
        identity.SetClaim(contact.IsPhone ? Claims.PhoneNumberVerified : Claims.EmailVerified, true);

        // The one scope there is, when the client named none; offline_access always, so the client gets a refresh token.
        var scopes = request.GetScopes().Where(scope => scope == SignInSettings.AgentScope).DefaultIfEmpty(SignInSettings.AgentScope);
        identity.SetScopes(scopes.Append(Scopes.OfflineAccess).Distinct());
        var resources = request.GetResources();
        identity.SetResources(resources.IsDefaultOrEmpty
            ? [ClientDescriptors.Resource(settings, await ClientDescriptors.DoorOfAsync(applications, client, context.RequestAborted))]
            : resources);
        identity.SetDestinations(_ => [Destinations.AccessToken]);
        return Results.SignIn(new ClaimsPrincipal(identity), null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static IResult ConsentPage(HttpContext context, OpenIddictRequest request, string name, Contact contact)
    {
        // An app's own scheme (a native client's redirect) has no host: the scheme says where the person goes.
        var host = Uri.TryCreate(request.RedirectUri, UriKind.Absolute, out var redirect) ? redirect.Authority is { Length: > 0 } authority ? authority : redirect.Scheme + ":" : request.RedirectUri;
        var publisher = ClientMetadataDocuments.IsDocumentUrl(request.ClientId) ? $" (as described at {new Uri(request.ClientId!).Authority})" : "";
        var hidden = Parameters(request).Where(p => p.Key is not ("decision" or "__RequestVerificationToken"));
        return SignInPages.Page(context, StatusCodes.Status200OK, "Allow this app?",
            $"<p><span class=\"client\">{SignInPages.Encode(name)}</span>{SignInPages.Encode(publisher)} wants to act for you (signed in as {SignInPages.Encode(contact.Address)}). "
            + $"After you answer, you go back to <strong>{SignInPages.Encode(host)}</strong>.</p>"
            + "<p>It will be able to:</p><ul><li>send your messages to our support team, a person in Twilio Flex, who sees your "
            + (contact.IsPhone ? "phone number" : "email address") + "</li><li>read the team's replies to you</li></ul>"
            + SignInPages.Paragraph("Only allow apps you recognise. The name above is what the app calls itself.", "hint")
            + SignInPages.Form(context, AuthorizationServer.AuthorizePath, hidden,
                "<div class=\"actions\"><button type=\"submit\" name=\"decision\" value=\"allow\">Allow</button>"
                + "<button type=\"submit\" name=\"decision\" value=\"deny\" class=\"secondary\">Deny</button></div>"));
    }

    /// <summary>Every parameter of the authorization request, as name/value pairs (a list parameter once per value).</summary>
    private static IEnumerable<KeyValuePair<string, string>> Parameters(OpenIddictRequest request) =>
        request.GetParameters().SelectMany(parameter => ((StringValues)parameter.Value).OfType<string>().Select(value => new KeyValuePair<string, string>(parameter.Key, value)));
}
