using FlexAgentPlugin.Backends.Twilio;
using FlexAgentPlugin.Core.Voice;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Doors.VoiceAssistFunctions;

/// <summary>
/// <c>SYNC_TOKEN_IDENTITY</c>: the shared string that opens <c>GET /token</c> and is the Sync token's identity. Unset,
/// <c>/token</c> is not served.
/// </summary>
public sealed class SyncTokenOptions
{
    public const int MinLength = 16;

    /// <summary>The length of the secrets Twilio gives API keys (and the least an HS256 signature takes).</summary>
    public const int ApiSecretLength = 32;

    [ConfigurationKeyName("SYNC_TOKEN_IDENTITY")]
    public string? Identity { get; set; }

    public string? EffectiveIdentity => string.IsNullOrWhiteSpace(Identity) ? null : Identity.Trim();

    /// <summary>The identity is a guard (16+ characters), and a token needs an API key to be signed with and a Sync service.</summary>
    internal sealed class Validation(IOptions<TwilioOptions> twilio, IOptions<VoiceOptions> voice) : IValidateOptions<SyncTokenOptions>
    {
        public ValidateOptionsResult Validate(string? name, SyncTokenOptions options)
        {
            if (options.EffectiveIdentity is not { } identity)
            {
                return ValidateOptionsResult.Success;
            }

            if (identity.Length < MinLength || identity.Any(char.IsControl))
            {
                return ValidateOptionsResult.Fail($"SYNC_TOKEN_IDENTITY must be at least {MinLength} printable characters: it is the only guard of GET /token (e.g. openssl rand -hex 16).");
            }

            if (string.IsNullOrWhiteSpace(twilio.Value.ApiKey) || string.IsNullOrWhiteSpace(twilio.Value.ApiSecret))
            {
                return ValidateOptionsResult.Fail("SYNC_TOKEN_IDENTITY needs TWILIO_API_KEY and TWILIO_API_SECRET: Sync access tokens are signed with an API key.");
            }

            if (twilio.Value.ApiSecret.Trim().Length < ApiSecretLength)
            {
                return ValidateOptionsResult.Fail($"SYNC_TOKEN_IDENTITY needs TWILIO_API_SECRET to be the API key's secret as Twilio gave it ({ApiSecretLength} characters): Sync access tokens are signed with it.");
            }

            return string.IsNullOrWhiteSpace(voice.Value.SyncServiceSid)
                ? ValidateOptionsResult.Fail("SYNC_TOKEN_IDENTITY needs SYNC_SERVICE_SID, the Sync service (IS…) its tokens open.")
                : ValidateOptionsResult.Success;
        }
    }
}
