namespace FlexAgentPlugin.Doors.Handover;

/// <summary>Who may call the hand-over tool besides Twilio itself (which signs its requests).</summary>
public sealed class HandoverOptions
{
    /// <summary>A shared secret accepted as <c>Authorization: Bearer {token}</c> or <c>?token={token}</c>.</summary>
    [ConfigurationKeyName("HANDOVER_TOKEN")]
    public string? Token { get; set; }

    public bool HasToken => !string.IsNullOrWhiteSpace(Token);
}
