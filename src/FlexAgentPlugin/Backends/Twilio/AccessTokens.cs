using Microsoft.Extensions.Options;
using Twilio.Jwt.AccessToken;

namespace FlexAgentPlugin.Backends.Twilio;

/// <summary>Twilio access tokens, made with the SDK's <see cref="Token"/> and signed with TWILIO_API_KEY and TWILIO_API_SECRET.</summary>
public sealed class AccessTokens(IOptions<TwilioOptions> options, TimeProvider clock)
{
    /// <summary>How long a token is good for (Twilio's default).</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);

    /// <summary>A token for <paramref name="identity"/> with a grant to the Sync service <paramref name="serviceSid"/>.</summary>
    public string Sync(string identity, string serviceSid)
    {
        var twilio = options.Value;
        if (!twilio.HasAccount || string.IsNullOrWhiteSpace(twilio.ApiKey) || string.IsNullOrWhiteSpace(twilio.ApiSecret))
        {
            throw TwilioFailures.NotConfigured();
        }

        var grants = new HashSet<IGrant> { new SyncGrant { ServiceSid = serviceSid } };
        var expires = (clock.GetUtcNow() + Lifetime).UtcDateTime;
        return new Token(twilio.AccountSid!.Trim(), twilio.ApiKey.Trim(), twilio.ApiSecret.Trim(), identity, expires, grants: grants).ToJwt();
    }
}
