namespace FlexAgentPlugin.Core.Users;

/// <summary>What became of a request to send a code.</summary>
public enum CodeSending
{
    /// <summary>A code is on its way (or the earlier one was sent again).</summary>
    Sent,

    /// <summary>The address cannot receive codes (not a number or address the provider accepts).</summary>
    Refused,

    /// <summary>Too many codes were sent to this address lately.</summary>
    TooMany,
}

/// <summary>What a code the person entered turned out to be.</summary>
public enum CodeChecking
{
    Approved,

    /// <summary>Not the code; the person may try again.</summary>
    Wrong,

    /// <summary>No code is pending for the address: it expired, was used, or was tried too often.</summary>
    NoPendingCode,
}

/// <summary>Proves that a person can receive messages at a <see cref="Contact"/>, with a one-time code (Twilio Verify).</summary>
public interface IContactVerifier
{
    Task<CodeSending> SendCodeAsync(Contact contact, CancellationToken cancellationToken);

    Task<CodeChecking> CheckCodeAsync(Contact contact, string code, CancellationToken cancellationToken);
}
