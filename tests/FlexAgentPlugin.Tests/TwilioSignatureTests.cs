using FlexAgentPlugin.Backends.Twilio;
using FlexAgentPlugin.Sandbox.Emulator;

namespace FlexAgentPlugin.Tests;

/// <summary>
/// Known-good signatures computed outside this code base (Python's hmac, following Twilio's published algorithm;
/// the first is the example from Twilio's own documentation and libraries): the emulator signs as Twilio does
/// (<see cref="RequestSigner"/>), and the server's check (<see cref="TwilioSignature"/>, the SDK's validator) accepts
/// exactly those.
/// </summary>
public sealed class TwilioSignatureTests
{
    private static readonly KeyValuePair<string, string>[] VoiceParams =
    [
        new("CallSid", "CA1234567890ABCDE"), new("Caller", "+14158675309"), new("Digits", "1234"),
        new("From", "+14158675309"), new("To", "+18005551212"),
    ];

    private static readonly KeyValuePair<string, string>[] EventParams =
    [
        new("EventType", "onMessageAdded"), new("ConversationSid", "CH00000000000000000000000000000001"),
        new("MessageSid", "IM00000000000000000000000000000002"), new("Index", "3"),
        new("Author", "agent@flex.example"), new("Body", "It ships today."),
    ];

    [Fact]
    public void PublishedExampleSignatureIsReproduced() =>
        Assert.Equal("RSOYDt4T1cUTdK1PDd93/VVr8B8=", RequestSigner.Sign("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", VoiceParams));

    [Fact]
    public void ParametersAreSortedByNameAndRepeatedNamesByValue() =>
        Assert.Equal("L+foFlbrPts9Y75vUn08A87lLl0=", RequestSigner.Sign("12345", "https://mycompany.com/myapp.php?foo=1&bar=2",
            [new("Filters", "b"), new("Filters", "a"), new("Zeta", "1"), new("Alpha", "2")]));

    [Fact]
    public void RepeatedNamesAreCheckedAsTwilioSignsThem() =>
        Assert.True(TwilioSignature.IsValid("12345", "https://mycompany.com/myapp.php?foo=1&bar=2",
            [new("Filters", "b"), new("Zeta", "1"), new("Filters", "a"), new("Alpha", "2")], "L+foFlbrPts9Y75vUn08A87lLl0="));

    [Fact]
    public void ConversationEventSignatureIsValid() =>
        Assert.True(TwilioSignature.IsValid("test-auth-token-0001", "https://abc123.ngrok.app/twilio/conversation-events",
            EventParams, "WNur7JSkqMn/5AP5dkwEIkGNlAc="));

    [Fact]
    public void SignatureMadeWithTheDefaultPortIsAcceptedWithoutIt() =>
        Assert.True(TwilioSignature.IsValid("test-auth-token-0001", "https://abc123.ngrok.app/twilio/conversation-events",
            EventParams, "fmlQiht1Q+Z5GvKTrZSOyLb4KW4="));

    [Fact]
    public void SignatureMadeWithoutThePortIsAcceptedWithTheDefaultPort() =>
        Assert.True(TwilioSignature.IsValid("test-auth-token-0001", "https://abc123.ngrok.app:443/twilio/conversation-events",
            EventParams, "WNur7JSkqMn/5AP5dkwEIkGNlAc="));

    [Fact]
    public void PlainHttpDefaultPortVariantIsAcceptedToo() =>
        Assert.True(TwilioSignature.IsValid("test-auth-token-0001", "http://localhost/twilio/conversation-events",
            [new("EventType", "onMessageAdded"), new("ConversationSid", "CH1")], "x0j06vJT8TyNyLDipFBoYr2Wuko="));

    [Fact]
    public void NonDefaultPortIsNotDropped() =>
        Assert.False(TwilioSignature.IsValid("test-auth-token-0001", "http://localhost/twilio/conversation-events",
            [new("EventType", "onMessageAdded"), new("ConversationSid", "CH1")], "5jEATXhrAFbqCF4U/GPvMJ2Qaug="));

    [Fact]
    public void TamperedBodyIsRejected() =>
        Assert.False(TwilioSignature.IsValid("test-auth-token-0001", "https://abc123.ngrok.app/twilio/conversation-events",
            [.. EventParams[..^1], new("Body", "Send me your password.")], "WNur7JSkqMn/5AP5dkwEIkGNlAc="));

    [Fact]
    public void OtherAuthTokenIsRejected() =>
        Assert.False(TwilioSignature.IsValid("another-token", "https://abc123.ngrok.app/twilio/conversation-events",
            EventParams, "WNur7JSkqMn/5AP5dkwEIkGNlAc="));

    [Fact]
    public void JsonBodyIsCoveredByTheSignedBodyHash()
    {
        const string body = """{"identity":"user_id:42"}""";
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(body)));
        var url = "https://abc123.ngrok.app/tools/flex-handover?bodySHA256=" + hash;
        var signature = RequestSigner.Sign("test-auth-token-0001", url, []);

        Assert.True(TwilioSignature.IsValidJson("test-auth-token-0001", url, body, hash, signature));
        Assert.False(TwilioSignature.IsValidJson("test-auth-token-0001", url, """{"identity":"user_id:43"}""", hash, signature));
    }

    [Fact]
    public void AHostTheValidatorCannotParseIsRejectedNotThrown() =>
        Assert.False(TwilioSignature.IsValid("test-auth-token-0001", "https://exa mple/twilio/conversation-events", EventParams, "WNur7JSkqMn/5AP5dkwEIkGNlAc="));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void MissingSignatureIsRejected(string? signature) =>
        Assert.False(TwilioSignature.IsValid("test-auth-token-0001", "https://abc123.ngrok.app/twilio/conversation-events", EventParams, signature));
}
