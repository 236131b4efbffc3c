namespace FlexAgentPlugin.Core.Assistant;

/// <summary>Splits an answer longer than a Twilio message (1,600 characters) into parts, at paragraph, line, sentence or word ends.</summary>
public static class AnswerParts
{
    public const int MaxLength = 1600;

    private static readonly string[] Breaks = ["\n\n", "\n", ". ", "? ", "! ", " "];

    public static IReadOnlyList<string> Split(string text)
    {
        var parts = new List<string>();
        var rest = text.Trim();
        while (rest.Length > MaxLength)
        {
            var cut = Breaks.Select(b => (Break: b, At: rest.LastIndexOf(b, MaxLength - 1, StringComparison.Ordinal)))
                .Where(found => found.At > MaxLength / 2)
                .Select(found => found.At + found.Break.TrimEnd().Length)
                .DefaultIfEmpty(MaxLength)
                .First();
            parts.Add(rest[..cut].TrimEnd());
            rest = rest[cut..].TrimStart();
        }

        if (rest.Length > 0)
        {
            parts.Add(rest);
        }

        return parts;
    }
}
