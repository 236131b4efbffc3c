using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FlexAgentPlugin.Backends.OAuthStore;
using Microsoft.IdentityModel.Tokens;

namespace FlexAgentPlugin.Hosting.OAuth;

/// <summary>
/// The built-in server's keys, from the store (made once, by whichever instance starts first), loaded before the server
/// takes requests: the RSA key that signs tokens (its public half at <c>/.well-known/jwks</c>), the AES key that seals
/// refresh tokens, and the secret that turns a phone number or email address into the person's subject, so a subject
/// says nothing of the address it stands for. Every instance on the store, and every restart, uses the same keys.
/// </summary>
public sealed class OAuthKeyRing(OAuthKeyStore store) : IHostedService
{
    private RsaSecurityKey? signing;
    private SymmetricSecurityKey? encryption;
    private byte[]? subjects;

    public RsaSecurityKey Signing => signing ?? throw NotLoaded();

    public SymmetricSecurityKey Encryption => encryption ?? throw NotLoaded();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var rsa = JsonSerializer.Deserialize<StoredRsaKey>(await store.GetOrAddAsync("signing", NewRsaKey, cancellationToken))!;
        var key = RSA.Create();
        key.ImportPkcs8PrivateKey(Convert.FromBase64String(rsa.Pkcs8), out _);
        signing = new RsaSecurityKey(key) { KeyId = rsa.KeyId };
        encryption = new SymmetricSecurityKey(Convert.FromBase64String(await store.GetOrAddAsync("encryption", () => Random(32), cancellationToken)));
        subjects = Convert.FromBase64String(await store.GetOrAddAsync("subjects", () => Random(32), cancellationToken));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The person's subject: the same on every client and instance for one address, and not computable without the key.</summary>
    public string Subject(string kind, string address) =>
        "u_" + Convert.ToHexStringLower(HMACSHA256.HashData(subjects ?? throw NotLoaded(), Encoding.UTF8.GetBytes($"{kind}:{address}")))[..32];

    private static string NewRsaKey()
    {
        using var rsa = RSA.Create(2048);
        return JsonSerializer.Serialize(new StoredRsaKey(Guid.NewGuid().ToString("n"), Convert.ToBase64String(rsa.ExportPkcs8PrivateKey())));
    }

    private static string Random(int bytes) => Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes));

    private static InvalidOperationException NotLoaded() => new("The sign-in keys are read from the store at start; nothing may use them before.");

    private sealed record StoredRsaKey(string KeyId, string Pkcs8);
}
