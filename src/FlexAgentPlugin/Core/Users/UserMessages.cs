using System.Globalization;
using System.Text;

namespace FlexAgentPlugin.Core.Users;

/// <summary>Limits on what a user may send.</summary>
public sealed class MessageOptions
{
    /// <summary>Twilio's limit for a message body.</summary>
    public const int TwilioMaxMessageLength = 1600;

    /// <summary>Longest message, in characters after cleaning (at most Twilio's 1,600).</summary>
    [ConfigurationKeyName("MAX_MESSAGE_LENGTH")]
    public int MaxMessageLength { get; set; } = TwilioMaxMessageLength;
}

/// <summary>
/// A user's message as it may reach the agent: trimmed, without control characters (newlines and tabs stay) and without
/// the bidirectional override and isolate controls that can disguise a text; one with no visible character is empty.
/// </summary>
public static class UserMessages
{
    /// <summary>The cleaned message, or <see cref="InvalidInputException"/> naming <paramref name="field"/>.</summary>
    public static string Check(string? message, int maxLength, string field = "msg")
    {
        if (message is null)
        {
            throw new InvalidInputException(field, $"The {field} field is required: the message for the agent.");
        }

        var text = Clean(message);
        if (!HasVisibleCharacter(text))
        {
            throw new InvalidInputException(field, $"{field} must not be empty: it has no visible character.");
        }

        return text.Length <= maxLength
            ? text
            : throw new InvalidInputException(field, $"{field} must be at most {maxLength} characters; it has {text.Length}.");
    }

    /// <summary>Trims, and removes control characters other than newline and tab (a CR of CRLF included) and bidi controls.</summary>
    public static string Clean(string text)
    {
        var kept = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if ((!char.IsControl(c) || c is '\n' or '\t') && !IsBidiControl(c))
            {
                kept.Append(c);
            }
        }

        return kept.ToString().Trim();
    }

    /// <summary>U+202A–U+202E (embeddings, overrides) and U+2066–U+2069 (isolates).</summary>
    private static bool IsBidiControl(char c) => c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069';

    private static bool HasVisibleCharacter(string text)
    {
        foreach (var rune in text.EnumerateRunes())
        {
            if (!Rune.IsWhiteSpace(rune) && Rune.GetUnicodeCategory(rune) is not (UnicodeCategory.Format or UnicodeCategory.Control
                or UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Surrogate))
            {
                return true;
            }
        }

        return false;
    }
}
