using System.Text.RegularExpressions;

namespace FlexAgentPlugin.Core.PhoneAi;

/// <summary>Twilio's call SIDs: CA followed by 32 hexadecimal characters.</summary>
public static partial class CallSids
{
    public static bool IsCallSid(string? value) => value is not null && Pattern().IsMatch(value);

    [GeneratedRegex("^CA[0-9a-fA-F]{32}$")]
    private static partial Regex Pattern();
}
