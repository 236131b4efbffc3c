using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FlexAgentPlugin.Core.Users;
using Microsoft.AspNetCore.DataProtection;

namespace FlexAgentPlugin.Doors.SignIn;

/// <summary>
/// Where a sign-in stands between its steps: the contact a code was sent to and the authorization request to go back to,
/// in a cookie sealed with ASP.NET Core's data protection for ten minutes (the life of a Verify code), readable by every
/// instance that shares the keys. Nothing of it is stored on the server.
/// </summary>
internal sealed class PendingSignIns(IDataProtectionProvider protection)
{
    public const string CookieName = "flexagent.signin.pending";
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private readonly ITimeLimitedDataProtector protector = protection.CreateProtector("FlexAgentPlugin.SignIn.Pending").ToTimeLimitedDataProtector();

    public void Save(HttpContext context, Contact contact, string returnUrl)
    {
        var sealedValue = protector.Protect(JsonSerializer.Serialize(new PendingSignIn(contact.Kind, contact.Address, returnUrl)), DateTimeOffset.UtcNow + Lifetime);
        context.Response.Cookies.Append(CookieName, sealedValue, Options(context));
    }

    /// <summary>The pending sign-in, or null when there is none (or it expired, or was tampered with).</summary>
    public PendingSignIn? Read(HttpContext context)
    {
        if (context.Request.Cookies[CookieName] is not { Length: > 0 } value)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<PendingSignIn>(protector.Unprotect(value));
        }
        catch (Exception error) when (error is CryptographicException or JsonException or FormatException)
        {
            return null;
        }
    }

    public static void Clear(HttpContext context) => context.Response.Cookies.Delete(CookieName, Options(context));

    private static CookieOptions Options(HttpContext context) => new()
    {
        HttpOnly = true,
        Secure = context.Request.IsHttps,
        SameSite = SameSiteMode.Lax,
        Path = "/oauth",
        MaxAge = Lifetime,
    };
}

/// <summary>A code sent to <see cref="Address"/> (a <see cref="Core.Users.Contact"/>), for the authorization request at <see cref="ReturnUrl"/>.</summary>
internal sealed record PendingSignIn(string Kind, string Address, string ReturnUrl)
{
    public Contact Contact => new(Kind, Address);

    /// <summary>A key for the contact's rate limits and logs that does not show the address.</summary>
    public static string Hash(Contact contact) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{contact.Kind}:{contact.Address}")))[..32];
}
