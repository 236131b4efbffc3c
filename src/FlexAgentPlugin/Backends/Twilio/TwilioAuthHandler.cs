using System.Net.Http.Headers;
using System.Text;
using FlexAgentPlugin.Core.Services;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Backends.Twilio;

/// <summary>
/// Signs every Twilio REST request with HTTP Basic auth from <see cref="TwilioOptions"/> (the SDK's client carries the
/// same pair; this is the one place that decides): the REST pair, or for a request marked <see cref="AsAccount"/> the
/// account's own (<see cref="TwilioOptions.AccountCredentials"/>); without an account nothing leaves the server
/// (<see cref="ServiceNotConfiguredException"/>).
/// </summary>
internal sealed class TwilioAuthHandler(IOptions<TwilioOptions> options) : DelegatingHandler
{
    /// <summary>Marks a request sent with the account SID and auth token even when an API key signs the REST calls.</summary>
    public static readonly HttpRequestOptionsKey<bool> AsAccount = new("FlexAgentPlugin.Twilio.AsAccount");

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!options.Value.IsConfigured)
        {
            throw TwilioFailures.NotConfigured();
        }

        var (user, password) = request.Options.TryGetValue(AsAccount, out var asAccount) && asAccount
            ? options.Value.AccountCredentials
            : options.Value.RestCredentials;
        var token = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", token);
        return base.SendAsync(request, cancellationToken);
    }
}
