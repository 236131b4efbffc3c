using System.Net.Mail;
using System.Text.RegularExpressions;

namespace FlexAgentPlugin.Core.Users;

/// <summary>
/// A phone number (E.164, <c>+15551234567</c>) or an email address (lower-cased) that a person can receive a one-time
/// code at; once they have entered the code, the customer Flex shows them as.
/// </summary>
public sealed partial record Contact(string Kind, string Address)
{
    public const string Phone = "phone";
    public const string Email = "email";

    public const int MaxLength = 254;

    public bool IsPhone => Kind == Phone;

    /// <summary>
    /// The contact a person typed: a phone number with its country code (spaces, dots, dashes and brackets ignored) or an
    /// email address; null when it is neither.
    /// </summary>
    public static Contact? Parse(string? typed)
    {
        var text = (typed ?? "").Trim();
        if (text.Length is 0 or > MaxLength || text.Any(char.IsControl))
        {
            return null;
        }

        if (text.StartsWith('+'))
        {
            var digits = "+" + new string([.. text[1..].Where(c => c is not (' ' or '-' or '.' or '(' or ')'))]);
            return PhoneNumber().IsMatch(digits) ? new Contact(Phone, digits) : null;
        }

        return text.Contains('@', StringComparison.Ordinal) && !text.Any(char.IsWhiteSpace)
            && MailAddress.TryCreate(text, out var mail) && mail.Address == text && mail.Host.Contains('.', StringComparison.Ordinal)
            ? new Contact(Email, text.ToLowerInvariant())
            : null;
    }

    [GeneratedRegex(@"^\+[1-9][0-9]{6,14}$")]
    private static partial Regex PhoneNumber();
}
