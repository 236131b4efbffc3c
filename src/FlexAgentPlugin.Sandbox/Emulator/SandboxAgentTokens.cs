using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace FlexAgentPlugin.Sandbox.Emulator;

/// <summary>
/// The sandbox's agent tokens, standing in for the Flex token Flex UI holds: a JWE in compact form (<c>dir</c>,
/// <c>A256GCM</c>) like Flex's, encrypted with a key derived from the emulated account's auth token, so only this
/// sandbox (its IAM emulation, <see cref="IamApi"/>) can read them and a token altered by one character is refused.
/// They carry the console agent's identity, its worker SID, roles and an expiry.
/// </summary>
public sealed class SandboxAgentTokens(SandboxAccount account, TimeProvider clock)
{
    public const string Identity = EmulatorState.AgentIdentity;
    public const string RealmUserId = "sandbox-agent@sandbox.invalid";
    public static readonly string WorkerSid = "WK" + new string('0', 32);
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);

    private static readonly byte[] Header = JsonSerializer.SerializeToUtf8Bytes(new { alg = "dir", enc = "A256GCM", kid = "flexagent-sandbox" });

    /// <summary>A token for the console's agent, good for <paramref name="lifetime"/> (<see cref="Lifetime"/> by default; negative: expired already).</summary>
    public SandboxAgentToken Mint(TimeSpan? lifetime = null, IReadOnlyList<string>? roles = null)
    {
        var claims = new SandboxAgentClaims(Identity, RealmUserId, roles ?? ["agent"], WorkerSid, clock.GetUtcNow() + (lifetime ?? Lifetime));
        var header = Base64Url.EncodeToString(Header);
        var iv = RandomNumberGenerator.GetBytes(12);
        var plaintext = JsonSerializer.SerializeToUtf8Bytes(claims);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[16];
        using (var aes = new AesGcm(Key(), tag.Length))
        {
            aes.Encrypt(iv, plaintext, ciphertext, tag, Encoding.ASCII.GetBytes(header));
        }

        var token = $"{header}..{Base64Url.EncodeToString(iv)}.{Base64Url.EncodeToString(ciphertext)}.{Base64Url.EncodeToString(tag)}";
        return new SandboxAgentToken(token, claims);
    }

    /// <summary>What a token this sandbox minted says, or null for any other string.</summary>
    public SandboxAgentClaims? Read(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 5 || parts[1].Length != 0 || !parts.All(part => Base64Url.IsValid(part)))
        {
            return null;
        }

        var iv = Base64Url.DecodeFromChars(parts[2]);
        var ciphertext = Base64Url.DecodeFromChars(parts[3]);
        var tag = Base64Url.DecodeFromChars(parts[4]);
        if (iv.Length != 12 || tag.Length != 16)
        {
            return null;
        }

        var plaintext = new byte[ciphertext.Length];
        try
        {
            using var aes = new AesGcm(Key(), tag.Length);
            aes.Decrypt(iv, ciphertext, tag, plaintext, Encoding.ASCII.GetBytes(parts[0]));
            return JsonSerializer.Deserialize<SandboxAgentClaims>(plaintext);
        }
        catch (Exception error) when (error is CryptographicException or JsonException)
        {
            return null;
        }
    }

    private byte[] Key() => HMACSHA256.HashData(Encoding.UTF8.GetBytes(account.AuthToken), "flexagent sandbox agent token"u8);
}

/// <summary>A sandbox agent token and what it says.</summary>
public sealed record SandboxAgentToken(string Token, SandboxAgentClaims Claims);

/// <summary>What a sandbox agent token says, in the field names of Twilio's token validation.</summary>
public sealed record SandboxAgentClaims(
    [property: JsonPropertyName("identity")] string Identity,
    [property: JsonPropertyName("realm_user_id")] string RealmUserId,
    [property: JsonPropertyName("roles")] IReadOnlyList<string> Roles,
    [property: JsonPropertyName("worker_sid")] string WorkerSid,
    [property: JsonPropertyName("expiration")] DateTimeOffset Expiration);
