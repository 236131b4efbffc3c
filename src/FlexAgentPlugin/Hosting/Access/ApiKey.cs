using FlexAgentPlugin.Core.Users;

namespace FlexAgentPlugin.Hosting.Access;

/// <summary>
/// One API key: its name (the caller's identity, and the user of an MCP tool call that names none) and its token.
/// </summary>
public sealed record ApiKey(string Name, string Token)
{
    /// <summary>The name PLUGIN_BEARER_TOKEN's key goes by.</summary>
    public const string SingleKeyName = "default";

    public const int MinTokenLength = 16;

    /// <summary>
    /// The keys of <c>API_KEYS</c> (<c>name=token,name=token</c>) and PLUGIN_BEARER_TOKEN, or the one sentence that says
    /// what is wrong with them (never quoting a token).
    /// </summary>
    public static (IReadOnlyList<ApiKey> Keys, string? Problem) Parse(string? apiKeys, string? bearerToken)
    {
        var keys = new List<ApiKey>();
        if (!string.IsNullOrWhiteSpace(bearerToken))
        {
            if (bearerToken.Trim().Length < MinTokenLength)
            {
                return ([], $"PLUGIN_BEARER_TOKEN must be at least {MinTokenLength} characters (e.g. openssl rand -hex 32).");
            }

            keys.Add(new ApiKey(SingleKeyName, bearerToken.Trim()));
        }

        var position = 0;
        foreach (var entry in (apiKeys ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            position++;
            var separator = entry.IndexOf('=', StringComparison.Ordinal);
            if (separator <= 0)
            {
                return ([], $"API_KEYS entry {position} is not name=token: write comma-separated pairs, for example claude=<token>,cursor=<token>.");
            }

            var name = entry[..separator].Trim();
            var token = entry[(separator + 1)..].Trim();
            try
            {
                Usernames.Check(name, "name");
            }
            catch (InvalidInputException)
            {
                return ([], $"API_KEYS entry {position} has the name '{Printable(name)}': a key's name must be 1 to {Usernames.MaxLength} letters, digits or - _ . @ : characters.");
            }

            if (token.Length < MinTokenLength)
            {
                return ([], $"API_KEYS key '{name}' has a token under {MinTokenLength} characters (e.g. openssl rand -hex 32).");
            }

            if (keys.Any(k => string.Equals(k.Name, name, StringComparison.Ordinal)))
            {
                return ([], name == SingleKeyName
                    ? $"API_KEYS names a key '{SingleKeyName}', which is PLUGIN_BEARER_TOKEN's name: rename it, or leave PLUGIN_BEARER_TOKEN empty."
                    : $"API_KEYS names the key '{name}' twice: each key needs its own name.");
            }

            if (keys.Any(k => string.Equals(k.Token, token, StringComparison.Ordinal)))
            {
                return ([], $"API_KEYS key '{name}' has the same token as the key '{keys.First(k => k.Token == token).Name}': each key needs its own token.");
            }

            keys.Add(new ApiKey(name, token));
        }

        return (keys, null);
    }

    private static string Printable(string name) => new([.. name.Take(40).Select(c => char.IsControl(c) ? '?' : c)]);
}
