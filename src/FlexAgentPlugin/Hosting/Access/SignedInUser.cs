using System.Security.Claims;
using FlexAgentPlugin.Core.Users;

namespace FlexAgentPlugin.Hosting.Access;

/// <summary>
/// The person a sign-in token stands for: the username the engine serves them as, and the phone number or email address
/// they proved (a verified contact: Flex shows them as that customer). A caller with an API key, or none, is no signed-in user.
/// </summary>
public sealed record SignedInUser(string Username, Contact? Contact)
{
    /// <summary>The claim the bearer schemes add to a validated token: the username it stands for.</summary>
    public const string UsernameClaim = "flexagent_user";

    public static SignedInUser? From(ClaimsPrincipal principal)
    {
        if (principal.FindFirst(UsernameClaim)?.Value is not { Length: > 0 } username)
        {
            return null;
        }

        // A contact counts only when the token says it was verified (the built-in server always does; another may not).
        var contact = Verified(principal, "phone_number") is { } phone ? Contact.Parse(phone) is { IsPhone: true } parsed ? parsed : null
            : Verified(principal, "email") is { } email ? Contact.Parse(email) is { IsPhone: false } address ? address : null
            : null;
        return new SignedInUser(username, contact);
    }

    private static string? Verified(ClaimsPrincipal principal, string claim) =>
        principal.FindFirst($"{claim}_verified")?.Value is "true" or "True" ? principal.FindFirst(claim)?.Value : null;
}
