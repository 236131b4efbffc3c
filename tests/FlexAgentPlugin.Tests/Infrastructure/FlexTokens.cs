using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace FlexAgentPlugin.Tests.Infrastructure;

/// <summary>Strings shaped like the Flex token Flex UI holds (a compact JWE: five parts, a header naming its "enc"), each different.</summary>
public static class FlexTokens
{
    private static readonly string Header = Base64Url.EncodeToString("""{"alg":"dir","enc":"A256GCM","kid":"test"}"""u8);

    /// <summary>A token for <paramref name="name"/>: its readable part says whose it is, the rest is random.</summary>
    public static string Make(string name) =>
        $"{Header}..{Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(12))}.{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(name))}"
        + $".{Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16))}";
}
