using System.Security.Cryptography;
using System.Text;

namespace FlexAgentPlugin.Sandbox;

/// <summary>
/// The emulated Twilio account: its well-formed SIDs (never a real account's), the auth token that signs its
/// webhooks, the Basic-auth pair its REST API accepts (the account SID and auth token, unless a test sets an
/// API key pair), and an API key of its own (<see cref="ApiKeySid"/>, accepted too, as Twilio accepts an account's
/// keys), which signs access tokens. Tests change the pair to play rotated credentials.
/// </summary>
public sealed class SandboxAccount
{
    public const string TwilioPath = "/sandbox/twilio";
    public const string FlexPath = "/sandbox/flex";
    public const string ConsolePath = "/sandbox";
    public const string ModelPath = "/sandbox/openai/v1";
    public const string VoicePath = "/sandbox/voice";
    public const string SyncPath = "/sandbox/sync";
    public const string IamPath = "/sandbox/iam";
    public const string VerifyPath = "/sandbox/verify";
    public const string TaskRouterPath = "/sandbox/taskrouter";

    /// <summary>The emulated account's phone number, which customers on SMS and WhatsApp write to.</summary>
    public const string ChannelNumber = "+15005550006";

    public static readonly string DefaultAccountSid = Sid("AC");
    public static readonly string StudioFlowSid = Sid("FW");
    public static readonly string ChatServiceSid = Sid("IS");
    public static readonly string MessagingServiceSid = Sid("MG");
    public static readonly string WorkspaceSid = Sid("WS");
    public static readonly string WorkflowSid = Sid("WW");

    /// <summary>The sandbox's one task queue, where every routed conversation waits for the agent.</summary>
    public static readonly string TaskQueueSid = Sid("WQ");
    public static readonly string SyncServiceSid = Sid("IS")[..^1] + "1";
    public static readonly string ApiKeySid = Sid("SK");

    /// <summary>The emulated Verify service sign-in codes go through.</summary>
    public static readonly string VerifyServiceSid = Sid("VA");

    private volatile string restUser;
    private volatile string restPassword;

    public SandboxAccount(string? accountSid = null, string? authToken = null)
    {
        AccountSid = accountSid ?? DefaultAccountSid;
        AuthToken = authToken ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        restUser = AccountSid;
        restPassword = AuthToken;
        ApiKeySecret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
    }

    public string AccountSid { get; }

    /// <summary>Signs the webhooks the emulator sends, as Twilio signs with the account's auth token.</summary>
    public string AuthToken { get; }

    /// <summary>The secret of the account's API key (<see cref="ApiKeySid"/>), fresh for each run.</summary>
    public string ApiKeySecret { get; }

    public string RestUser { get => restUser; set => restUser = value; }

    public string RestPassword { get => restPassword; set => restPassword = value; }

    /// <summary>True when <paramref name="basic"/> (the Base64 of user:password) is the accepted pair or the API key's; constant time.</summary>
    public bool Accepts(string basic) => Same(basic, RestUser, RestPassword) | Same(basic, ApiKeySid, ApiKeySecret);

    private static bool Same(string basic, string user, string password) =>
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")))),
            SHA256.HashData(Encoding.UTF8.GetBytes(basic)));

    private static string Sid(string prefix) => prefix + new string('0', 32);
}
