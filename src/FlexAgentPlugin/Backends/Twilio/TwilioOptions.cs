namespace FlexAgentPlugin.Backends.Twilio;

/// <summary>The Twilio account the relay spends, and the hosts its REST calls go to.</summary>
public sealed class TwilioOptions
{
    [ConfigurationKeyName("ACCOUNT_SID")]
    public string? AccountSid { get; set; }

    [ConfigurationKeyName("AUTH_TOKEN")]
    public string? AuthToken { get; set; }

    /// <summary>An API key (SK…) used instead of the auth token for REST calls when set with its secret.</summary>
    [ConfigurationKeyName("TWILIO_API_KEY")]
    public string? ApiKey { get; set; }

    [ConfigurationKeyName("TWILIO_API_SECRET")]
    public string? ApiSecret { get; set; }

    [ConfigurationKeyName("TWILIO_CONVERSATIONS_BASE_URL")]
    public string ConversationsBaseUrl { get; set; } = "https://conversations.twilio.com";

    [ConfigurationKeyName("TWILIO_FLEX_BASE_URL")]
    public string FlexBaseUrl { get; set; } = "https://flex-api.twilio.com";

    /// <summary>The Voice API host (calls and their media streams).</summary>
    [ConfigurationKeyName("TWILIO_API_BASE_URL")]
    public string ApiBaseUrl { get; set; } = "https://api.twilio.com";

    /// <summary>The Sync API host (the streams agents' suggestions are published to).</summary>
    [ConfigurationKeyName("TWILIO_SYNC_BASE_URL")]
    public string SyncBaseUrl { get; set; } = "https://sync.twilio.com";

    /// <summary>The IAM host that validates agents' Flex tokens (a region's is <c>https://iam.{region}.twilio.com</c>).</summary>
    [ConfigurationKeyName("TWILIO_IAM_BASE_URL")]
    public string IamBaseUrl { get; set; } = "https://iam.twilio.com";
    /// <summary>The Verify API host (sign-in codes).</summary>
    [ConfigurationKeyName("TWILIO_VERIFY_BASE_URL")]
    public string VerifyBaseUrl { get; set; } = "https://verify.twilio.com";

    /// <summary>The TaskRouter API host (queue statistics, waiting tasks).</summary>
    [ConfigurationKeyName("TWILIO_TASKROUTER_BASE_URL")]
    public string TaskRouterBaseUrl { get; set; } = "https://taskrouter.twilio.com";

    /// <summary>Seconds one attempt of a Twilio call may take before it is abandoned and retried.</summary>
    [ConfigurationKeyName("TWILIO_TIMEOUT_SECONDS")]
    public double AttemptTimeoutSeconds { get; set; } = 10;

    public bool HasAccount => !string.IsNullOrWhiteSpace(AccountSid);

    private bool HasApiKey => !string.IsNullOrWhiteSpace(ApiKey) && !string.IsNullOrWhiteSpace(ApiSecret);

    /// <summary>True when there is an account and a way to authenticate REST calls for it.</summary>
    public bool IsConfigured => HasAccount && (HasApiKey || !string.IsNullOrWhiteSpace(AuthToken));

    /// <summary>
    /// The pair Flex tokens are validated with: the account SID and auth token, as Twilio's own validator sends them, or
    /// the API key pair when there is no auth token.
    /// </summary>
    public (string User, string Password) AccountCredentials =>
        string.IsNullOrWhiteSpace(AuthToken) ? RestCredentials : (AccountSid!.Trim(), AuthToken.Trim());

    /// <summary>The Basic auth pair: the API key and secret when given, otherwise the account SID and auth token.</summary>
    public (string User, string Password) RestCredentials =>
        HasApiKey ? (ApiKey!.Trim(), ApiSecret!.Trim()) : (AccountSid!.Trim(), AuthToken!.Trim());
}
