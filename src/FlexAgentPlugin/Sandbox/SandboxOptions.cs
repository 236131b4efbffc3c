namespace FlexAgentPlugin.Sandbox;

/// <summary>The built-in Flex sandbox: forced on or off, and its optional simulated agent.</summary>
public sealed class SandboxOptions
{
    /// <summary>true forces the sandbox even with an account configured; false turns it off. Unset: on when no account is configured.</summary>
    [ConfigurationKeyName("SANDBOX")]
    public bool? Sandbox { get; set; }

    /// <summary>When set, a simulated agent answers each routed customer message after this many seconds.</summary>
    [ConfigurationKeyName("SANDBOX_AUTO_REPLY_SECONDS")]
    public double? AutoReplySeconds { get; set; }
}
