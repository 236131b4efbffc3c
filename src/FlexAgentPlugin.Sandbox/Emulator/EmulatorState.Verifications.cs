using System.Globalization;
using System.Net;
using System.Security.Cryptography;

namespace FlexAgentPlugin.Sandbox.Emulator;

/// <summary>
/// A verification of the emulated Verify service: a code "sent" to <see cref="To"/>, pending until it is checked right,
/// tried too often or ten minutes old. Mutable fields change only under <see cref="EmulatorState"/>'s lock.
/// </summary>
public sealed class EmulatedVerification(string sid, string to, string channel, string code, DateTimeOffset created)
{
    public string Sid { get; } = sid;

    public string To { get; } = to;

    public string Channel { get; internal set; } = channel;

    public string Code { get; } = code;

    public DateTimeOffset Created { get; } = created;

    public DateTimeOffset Updated { get; internal set; } = created;

    /// <summary>pending, approved, max_attempts_reached or expired, as Verify names them.</summary>
    public string Status { get; internal set; } = "pending";

    public int Sends { get; internal set; } = 1;

    public int Checks { get; internal set; }
}

/// <summary>A code as the console shows it (the emulator sends nothing: the code appears only there).</summary>
public sealed record SignInCode(string To, string Channel, string Code, string Status, DateTimeOffset Created);

/// <summary>
/// The emulated Verify service's verifications, with Twilio's documented limits: a code lives ten minutes, five sends
/// and five checks per verification; a right check approves it and ends it, as does the fifth wrong one.
/// </summary>
public sealed partial class EmulatorState
{
    public static readonly TimeSpan CodeLifetime = TimeSpan.FromMinutes(10);
    public const int MaxSends = 5;
    public const int MaxChecks = 5;

    private readonly List<EmulatedVerification> verifications = [];

    /// <summary>Sends a code to <paramref name="to"/>: the pending verification's again, or a new one.</summary>
    public EmulatedVerification SendVerification(string to, string channel)
    {
        lock (gate)
        {
            var now = clock.GetUtcNow();
            if (PendingVerification(to, now) is { } pending)
            {
                if (pending.Sends >= MaxSends)
                {
                    throw new EmulatorException(HttpStatusCode.TooManyRequests, 60203, "Max send attempts reached");
                }

                pending.Sends++;
                pending.Channel = channel;
                pending.Updated = now;
                Changed();
                return pending;
            }

            var code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
            var verification = new EmulatedVerification(NewSid("VE"), to, channel, code, now);
            verifications.Add(verification);
            Changed();
            return verification;
        }
    }

    /// <summary>Checks <paramref name="code"/> against the pending verification of <paramref name="to"/> (404 without one).</summary>
    public EmulatedVerification CheckVerification(string to, string code)
    {
        lock (gate)
        {
            var now = clock.GetUtcNow();
            var pending = PendingVerification(to, now) ?? throw EmulatorException.NotFound($"/Verifications for {to}");
            pending.Checks++;
            pending.Updated = now;
            if (CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(code), System.Text.Encoding.UTF8.GetBytes(pending.Code)))
            {
                pending.Status = "approved";
            }
            else if (pending.Checks >= MaxChecks)
            {
                pending.Status = "max_attempts_reached";
            }

            Changed();
            return pending;
        }
    }

    /// <summary>The newest codes first, for the console.</summary>
    public IReadOnlyList<SignInCode> SignInCodes(int count)
    {
        lock (gate)
        {
            var now = clock.GetUtcNow();
            return [.. verifications.AsEnumerable().Reverse().Take(count)
                .Select(v => new SignInCode(v.To, v.Channel, v.Code, v.Status == "pending" && now - v.Created > CodeLifetime ? "expired" : v.Status, v.Created))];
        }
    }

    private EmulatedVerification? PendingVerification(string to, DateTimeOffset now) =>
        verifications.LastOrDefault(v => v.To == to && v.Status == "pending" && now - v.Created <= CodeLifetime);
}
