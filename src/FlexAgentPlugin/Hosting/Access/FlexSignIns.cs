using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using FlexAgentPlugin.Backends.Twilio;
using FlexAgentPlugin.Core.Services;
using FlexAgentPlugin.Core.Telemetry;
using Microsoft.Extensions.Caching.Memory;

namespace FlexAgentPlugin.Hosting.Access;

/// <summary>
/// Agents signed in with their Flex token: Twilio's IAM validates each token once (<see cref="FlexTokenValidation"/>),
/// and the answer is kept, by the token's SHA-256, until the token expires (at most <see cref="LongestKept"/>), so a busy
/// agent costs one validation, not one per request; a refused token is kept <see cref="RefusalKept"/>, so a flood of it
/// costs nothing either. At most <see cref="MaxKept"/> answers are kept. Twilio failing is never kept: the next request
/// asks again. Expiry follows the injected clock.
/// </summary>
public sealed partial class FlexSignIns(FlexTokenValidation iam, TimeProvider clock, ExchangeMetrics metrics, ILogger<FlexSignIns> logger) : IDisposable
{
    /// <summary>The roles that may use the agents' endpoints.</summary>
    public static readonly IReadOnlySet<string> AgentRoles = new HashSet<string>(["agent", "supervisor", "admin"], StringComparer.OrdinalIgnoreCase);

    public static readonly TimeSpan LongestKept = TimeSpan.FromHours(1);
    public static readonly TimeSpan RefusalKept = TimeSpan.FromMinutes(1);
    public const int MaxKept = 10_000;

    private readonly MemoryCache answers = new(new MemoryCacheOptions { SizeLimit = MaxKept });

    /// <summary>The sign-in <paramref name="token"/> stands for; throws the Twilio exceptions when IAM cannot say.</summary>
    public async Task<FlexSignIn> CheckAsync(string token, CancellationToken cancellationToken)
    {
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
        if (answers.TryGetValue(key, out FlexSignIn? known) && known!.Until > clock.GetUtcNow())
        {
            metrics.FlexSignIn(known.IsValid ? "accepted" : "refused", cached: true);
            return known;
        }

        FlexTokenAnswer answer;
        try
        {
            answer = await iam.ValidateAsync(token, cancellationToken);
        }
        catch (Exception error) when (error is ServiceRefusedException or ServiceUnavailableException or ServiceNotConfiguredException)
        {
            metrics.FlexSignIn("unavailable", cached: false);
            throw;
        }

        var signIn = Judge(answer, clock.GetUtcNow());
        answers.Set(key, signIn, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = signIn.Until - clock.GetUtcNow() });
        metrics.FlexSignIn(signIn.IsValid ? "accepted" : "refused", cached: false);
        if (signIn.IsValid)
        {
            SignedIn(logger, signIn.Identity!, signIn.WorkerSid ?? "none", signIn.Roles, signIn.Until);
        }
        else
        {
            Refused(logger, signIn.Refusal!);
        }

        return signIn;
    }

    public void Dispose() => answers.Dispose();

    private static FlexSignIn Judge(FlexTokenAnswer answer, DateTimeOffset now)
    {
        var refusedUntil = now + RefusalKept;
        if (!answer.Valid)
        {
            return FlexSignIn.Refuse(answer.Code is { } code and not 0
                ? $"Twilio did not accept the Flex token (Twilio error {code.ToString(CultureInfo.InvariantCulture)}): sign in to Flex again."
                : "Twilio did not accept the Flex token: sign in to Flex again.", refusedUntil);
        }

        if (answer.Expiration is { } expiration && expiration <= now)
        {
            return FlexSignIn.Refuse($"The Flex token expired at {expiration.ToString("u", CultureInfo.InvariantCulture)}: sign in to Flex again.", refusedUntil);
        }

        if (string.IsNullOrWhiteSpace(answer.Identity))
        {
            return FlexSignIn.Refuse("Twilio validated the Flex token but named no identity for it.", refusedUntil);
        }

        var until = answer.Expiration is { } expires ? (expires < now + LongestKept ? expires : now + LongestKept) : refusedUntil;
        return new FlexSignIn(answer.Identity.Trim(), answer.WorkerSid, answer.RealmUserId, answer.Roles ?? [], until, null);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Flex agent {Identity} (worker {WorkerSid}, roles {Roles}) signed in; trusted until {Until}")]
    private static partial void SignedIn(ILogger logger, string identity, string workerSid, IReadOnlyList<string> roles, DateTimeOffset until);

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused a Flex token: {Reason}")]
    private static partial void Refused(ILogger logger, string reason);
}

/// <summary>What a Flex token stands for: a signed-in agent, or a refusal (<see cref="Refusal"/>), trusted until <see cref="Until"/>.</summary>
public sealed record FlexSignIn(string? Identity, string? WorkerSid, string? RealmUserId, IReadOnlyList<string> Roles, DateTimeOffset Until, string? Refusal)
{
    public const string AuthenticationType = "FlexToken";
    public const string WorkerSidClaim = "flex_worker_sid";
    public const string RealmUserIdClaim = "flex_realm_user_id";

    public bool IsValid => Refusal is null;

    /// <summary>True for a valid token with an agent, supervisor or admin role.</summary>
    public bool MayAssist => IsValid && Roles.Any(FlexSignIns.AgentRoles.Contains);

    public static FlexSignIn Refuse(string reason, DateTimeOffset until) => new(null, null, null, [], until, reason);

    /// <summary>The agent as the request's user: the identity is its name, with the worker SID, realm user and roles.</summary>
    public ClaimsPrincipal Principal()
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, Identity!), new(ClaimTypes.NameIdentifier, Identity!) };
        if (!string.IsNullOrWhiteSpace(WorkerSid))
        {
            claims.Add(new(WorkerSidClaim, WorkerSid));
        }

        if (!string.IsNullOrWhiteSpace(RealmUserId))
        {
            claims.Add(new(RealmUserIdClaim, RealmUserId));
        }

        claims.AddRange(Roles.Select(role => new Claim(ClaimTypes.Role, role)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, AuthenticationType));
    }

    /// <summary>The caller a rate limit counts for when the user is a Flex agent, else null.</summary>
    public static string? Caller(ClaimsPrincipal user) =>
        user.Identity is { IsAuthenticated: true, AuthenticationType: AuthenticationType, Name: { } name } ? $"flex:{name}" : null;
}
