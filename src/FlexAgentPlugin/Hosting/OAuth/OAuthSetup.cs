using FlexAgentPlugin.Backends.Twilio;
using FlexAgentPlugin.Configuration;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Hosting.OAuth;

/// <summary>
/// Sign-in (OAuth 2.1), as <see cref="SignInSettings.Decide"/> settles it: off; the built-in authorization server
/// (<see cref="AuthorizationServer"/>) signing people in with a code sent to their phone or email; or an external one's
/// tokens. When on, the doors accept sign-in tokens (<c>AddBearerTokens</c>, with the access rules) and <c>/mcp</c> requires a token or a key.
/// </summary>
public static class OAuthSetup
{
    public static SignInSettings AddOAuth(this IServiceCollection services, IConfiguration configuration, string? sandboxBaseUrl)
    {
        var (settings, refusals) = SignInSettings.Decide(configuration, sandboxBaseUrl);
        if (refusals.Count > 0)
        {
            throw new AggregateException(refusals.Select(sentence => new StartFailureException(sentence)));
        }

        services.AddSingleton(settings);
        services.AddOAuthCors();

        // OpenIddict's information, debug and trace lines print requests and tokens (a PKCE verifier, a person's phone
        // number or email): whatever the log levels say, only its warnings and errors are written.
        services.AddLogging(logging => logging.AddFilter("OpenIddict", level => level >= LogLevel.Warning));
        services.AddOptions<OAuthOptions>()
            .BindEnvironment()
            .Validate(o => string.IsNullOrWhiteSpace(o.Clients) || settings.IsBuiltIn,
                "OAUTH_CLIENTS lists clients of the built-in sign-in, which is off: it needs PUBLIC_BASE_URL, and neither OAUTH=off nor OAUTH_AUTHORITY.")
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<OAuthOptions>, ClientsValidation>();
        if (!settings.IsOn)
        {
            return settings;
        }

        if (!settings.IsBuiltIn)
        {
            return settings;
        }

        services.AddOptions<VerifyOptions>()
            .Validate(o => o.IsConfigured,
                "VERIFY_SERVICE_SID must be set for sign-in (a Twilio Verify service, VA…, that sends the codes), because the built-in sign-in is on with PUBLIC_BASE_URL; or set OAUTH=off.");
        services.AddAuthorizationServer(settings);
        services.AddOptions<ClientMetadataOptions>();
        services.AddHttpClient<ClientMetadataDocuments>(http => http.MaxResponseContentBufferSize = ClientMetadataDocuments.MaxBytes)
            .ConfigurePrimaryHttpMessageHandler(provider => ClientMetadataDocuments.CreateHandler(provider.GetRequiredService<IOptions<ClientMetadataOptions>>().Value));
        services.AddHostedService<ConfiguredClientsSync>();
        services.AddHostedService<OAuthPruning>();
        return settings;
    }

    /// <summary>OAUTH_CLIENTS, its first problem in one sentence.</summary>
    private sealed class ClientsValidation : IValidateOptions<OAuthOptions>
    {
        public ValidateOptionsResult Validate(string? name, OAuthOptions options) =>
            ConfiguredClient.Parse(options.Clients).Problem is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
    }
}
