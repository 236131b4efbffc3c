using System.Security.Cryptography;
using System.Text;

namespace FlexAgentPlugin.Core.Users;

/// <summary>
/// A user is named by the caller (a random 16-character string is what the assistants are asked for) and stored only
/// as the SHA-256 of that name. The same name through any door is the same user, with one conversation.
/// </summary>
public static class Usernames
{
    public const int MaxLength = 128;

    public static string Key(string username) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(username)));

    /// <summary>Refuses a name that is not 1 to 128 letters, digits or <c>- _ . @ :</c>, naming <paramref name="field"/>.</summary>
    public static void Check(string username, string field = "username")
    {
        if (username.Length is 0 or > MaxLength || !username.All(IsAllowed))
        {
            throw new InvalidInputException(field,
                $"{field} must be 1 to {MaxLength} letters, digits or - _ . @ : characters, for example a random 16-character string.");
        }
    }

    private static bool IsAllowed(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '@' or ':';
}
