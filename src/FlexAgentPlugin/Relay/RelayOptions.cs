namespace FlexAgentPlugin.Relay;

/// <summary>Limits on what a caller may send.</summary>
public sealed class RelayOptions
{
    /// <summary>Twilio's limit for a message body.</summary>
    public const int TwilioMaxMessageLength = 1600;

    /// <summary>The largest request body read; anything bigger is refused before it is parsed.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>Longest message, in characters after trimming (at most Twilio's 1,600).</summary>
    [ConfigurationKeyName("MAX_MESSAGE_LENGTH")]
    public int MaxMessageLength { get; set; } = TwilioMaxMessageLength;
}
