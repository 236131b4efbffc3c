using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Core.Voice;

/// <summary>
/// Tickets that bind a media stream to its call. Twilio's signature on the stream's upgrade covers only the URL, so it is
/// the same for every stream and could be replayed; the ticket is ours, given to Twilio with the stream (a custom
/// parameter of the TwiML's <c>&lt;Stream&gt;</c> or of the Voice API request), and comes back in the stream's
/// <c>start</c>. It is <c>{expiry}.{HMAC-SHA256 over the call SID and the expiry}</c>, keyed from the auth token (which
/// every instance has), and good for <see cref="Lifetime"/>: Twilio opens the stream right after it is given.
/// </summary>
public sealed class StreamTickets(IOptions<StreamTicketOptions> secret, TimeProvider clock)
{
    /// <summary>The name of the stream's custom parameter that carries the ticket.</summary>
    public const string Parameter = "assistTicket";

    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(2);

    public string Issue(string callSid)
    {
        var expiry = (clock.GetUtcNow() + Lifetime).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        return $"{expiry}.{Base64Url.EncodeToString(Mac(callSid, expiry))}";
    }

    /// <summary>True when <paramref name="ticket"/> was issued for <paramref name="callSid"/> and has not expired.</summary>
    public bool IsValid(string callSid, string? ticket)
    {
        var dot = ticket?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        if (dot <= 0 || !long.TryParse(ticket![..dot], NumberStyles.None, CultureInfo.InvariantCulture, out var expiry)
            || expiry < clock.GetUtcNow().ToUnixTimeSeconds() || Key() is null)
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Base64Url.EncodeToString(Mac(callSid, ticket[..dot])));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(ticket[(dot + 1)..]));
    }

    private byte[] Mac(string callSid, string expiry) =>
        HMACSHA256.HashData(Key() ?? [], Encoding.UTF8.GetBytes($"{callSid}\n{expiry}"));

    /// <summary>A key of its own, derived from the account's secret, so a ticket is never a value Twilio signs with.</summary>
    private byte[]? Key() => secret.Value.Secret?.Trim() is { Length: > 0 } token
        ? HMACSHA256.HashData(Encoding.UTF8.GetBytes(token), "flex-assist stream ticket"u8)
        : null;
}

/// <summary>The secret stream tickets are derived from: the voice service's account secret (Twilio's auth token), set by its back end.</summary>
public sealed class StreamTicketOptions
{
    public string? Secret { get; set; }
}
