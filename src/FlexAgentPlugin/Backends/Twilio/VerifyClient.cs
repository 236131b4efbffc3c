using System.Net;
using FlexAgentPlugin.Core.Services;
using FlexAgentPlugin.Core.Users;
using Microsoft.Extensions.Options;
using Twilio.Rest.Verify.V2.Service;

namespace FlexAgentPlugin.Backends.Twilio;

/// <summary>The Verify service sign-in codes are sent and checked with (VERIFY_SERVICE_SID, VA…).</summary>
public sealed class VerifyOptions
{
    [ConfigurationKeyName("VERIFY_SERVICE_SID")]
    public string? ServiceSid { get; set; }

    public bool IsConfigured => !string.IsNullOrWhiteSpace(ServiceSid);
}

/// <summary>
/// Twilio Verify through the SDK (<c>Services/{ServiceSid}/Verifications</c> and <c>VerificationCheck</c>): a code by SMS
/// to a phone number, by email to an address (the service needs an email integration for that). Neither call is
/// re-sent after an ambiguous failure: a second send is a second message, a second check a second try.
/// </summary>
public sealed class VerifyClient(TwilioApi api, IOptions<VerifyOptions> options) : IContactVerifier
{
    /// <summary>Twilio Verify's errors this server acts on.</summary>
    private const int InvalidParameter = 60200;
    private const int MaxCheckAttempts = 60202;
    private const int MaxSendAttempts = 60203;

    public async Task<CodeSending> SendCodeAsync(Contact contact, CancellationToken cancellationToken)
    {
        var send = new CreateVerificationOptions(ServiceSid, contact.Address, contact.IsPhone ? "sms" : "email");
        try
        {
            await api.CallAsync("send a sign-in code", client => VerificationResource.CreateAsync(send, client), cancellationToken, atMostOnce: true);
            return CodeSending.Sent;
        }
        catch (ServiceRefusedException error) when (error.Code == InvalidParameter)
        {
            return CodeSending.Refused;
        }
        catch (ServiceRefusedException error) when (error.Code == MaxSendAttempts)
        {
            return CodeSending.TooMany;
        }
    }

    public async Task<CodeChecking> CheckCodeAsync(Contact contact, string code, CancellationToken cancellationToken)
    {
        var check = new CreateVerificationCheckOptions(ServiceSid) { To = contact.Address, Code = code };
        try
        {
            var checkedCode = await api.CallAsync("check a sign-in code", client => VerificationCheckResource.CreateAsync(check, client), cancellationToken, atMostOnce: true);
            return checkedCode.Status == "approved" ? CodeChecking.Approved : CodeChecking.Wrong;
        }
        catch (ServiceRefusedException error) when (error.Status == HttpStatusCode.NotFound || error.Code == MaxCheckAttempts)
        {
            // Verify forgets a verification once it expired, was approved or ran out of checks.
            return CodeChecking.NoPendingCode;
        }
    }

    private string ServiceSid => options.Value.ServiceSid?.Trim() ?? throw TwilioFailures.NotConfigured();
}
