using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace FlexAgentPlugin.Sandbox.StandIn;

/// <summary>
/// A stand-in for a language model, so the AI that answers first works in the sandbox without a key. It is not a model:
/// it answers from the knowledge in its instructions (the part after "# Knowledge") by plain keyword match, greets a
/// greeting, and hands off (a <c>handoff_to_human</c> tool call) when the customer asks for a person or nothing matches.
/// A section matches when it shares two of the question's meaningful words (stop words ignored), or one when the question
/// has no more than two: one shared word of many ("gift" in "do you sell gift wrapping for birthdays?") is no answer.
/// </summary>
public static partial class StandInModel
{
    public const string HandoffTool = "handoff_to_human";
    public const string AskedForPerson = "the customer asked for a person";
    public const string NoAnswer = "no answer in the knowledge";

    /// <summary>The longest answer it gives from one section of the knowledge.</summary>
    private const int MaxAnswer = 700;

    /// <summary>Meaningful words a section must share with a question of three or more.</summary>
    private const int MinShared = 2;

    /// <summary>Words that say nothing of what the customer asks about (English stop words and polite fillers).</summary>
    private static readonly HashSet<string> Ignored = new(StringComparer.OrdinalIgnoreCase)
    {
        "about", "after", "again", "all", "also", "and", "any", "are", "been", "being", "both", "but", "can", "could", "did",
        "does", "doing", "each", "for", "from", "get", "got", "had", "has", "have", "hello", "her", "here", "him", "his", "how",
        "into", "its", "just", "know", "let", "like", "may", "might", "more", "most", "much", "must", "need", "not", "now",
        "off", "one", "only", "other", "our", "ours", "out", "own", "please", "same", "she", "should", "some", "such", "tell",
        "than", "thank", "thanks", "that", "the", "their", "them", "then", "there", "these", "they", "this", "those", "too",
        "use", "very", "want", "was", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with",
        "would", "yes", "you", "your", "yours",
    };

    /// <summary>What the stand-in says to a conversation: an answer, or a hand-off with its reason and summary.</summary>
    public sealed record Decision(string? Text, string? HandoffReason, string? HandoffSummary);

    /// <summary>Answers the customer's newest messages (<paramref name="waiting"/>) from the knowledge in <paramref name="instructions"/>.</summary>
    public static Decision Decide(string instructions, IReadOnlyList<string> waiting)
    {
        var asked = string.Join(" ", waiting).Trim();
        var summary = $"The customer asked: {asked}";
        if (PersonWords().IsMatch(asked))
        {
            return new Decision(null, AskedForPerson, summary);
        }

        if (Greeting().IsMatch(asked))
        {
            return new Decision("Hello! I'm the assistant. Ask me about our hours, returns, shipping, orders, sizes or payment, or ask for a person at any time.", null, null);
        }

        var knowledge = instructions.IndexOf("# Knowledge", StringComparison.Ordinal) is var at and >= 0 ? instructions[(at + "# Knowledge".Length)..] : "";
        var keywords = Words(asked).Where(w => w.Length >= 3 && !Ignored.Contains(w)).Select(Stem).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var needed = keywords.Count <= MinShared ? 1 : MinShared;
        var best = Sections(knowledge)
            .Select(section => (section.Body, Score: Words(section.Heading + " " + section.Body).Select(Stem).Distinct(StringComparer.OrdinalIgnoreCase).Count(keywords.Contains)))
            .Where(scored => scored.Score >= needed && keywords.Count > 0 && scored.Body.Length > 0)
            .OrderByDescending(scored => scored.Score)
            .FirstOrDefault();
        return best.Body is { } body
            ? new Decision(body.Length <= MaxAnswer ? body : body[..(MaxAnswer - 1)] + "…", null, null)
            : new Decision(null, NoAnswer, summary);
    }

    public static string NewId(string prefix) => prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    public static long Now(TimeProvider clock) => clock.GetUtcNow().ToUnixTimeSeconds();

    public static JsonObject HandoffArguments(Decision decision) =>
        new() { ["reason"] = decision.HandoffReason, ["summary"] = decision.HandoffSummary };

    /// <summary>The knowledge's sections: each Markdown heading with the text under it, whitespace folded.</summary>
    private static IEnumerable<(string Heading, string Body)> Sections(string knowledge)
    {
        var heading = "";
        var body = new List<string>();
        foreach (var line in knowledge.Split('\n').Select(l => l.Trim()).Append("#"))
        {
            if (line.StartsWith('#'))
            {
                if (body.Count > 0)
                {
                    yield return (heading, string.Join(" ", body));
                }

                heading = line.TrimStart('#').Trim();
                body.Clear();
            }
            else if (line.Length > 0)
            {
                body.Add(line);
            }
        }
    }

    private static IEnumerable<string> Words(string text) => WordPattern().Matches(text).Select(m => m.Value.ToLowerInvariant());

    /// <summary>Folds plurals and a few endings, so "returns" finds "return" and "shipping" finds "ship".</summary>
    private static string Stem(string word) =>
        word.Length > 5 && word.EndsWith("ing", StringComparison.Ordinal) ? word[..^3]
        : word.Length > 4 && word.EndsWith("ed", StringComparison.Ordinal) ? word[..^2]
        : word.Length > 3 && word.EndsWith('s') && !word.EndsWith("ss", StringComparison.Ordinal) ? word[..^1]
        : word;

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex WordPattern();

    [GeneratedRegex(@"\b(human|person|people|agent|representative|operator|someone|somebody|staff)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PersonWords();

    [GeneratedRegex(@"^(hi|hello|hey|good (morning|afternoon|evening))\b[\s!.,]*(there)?[\s!.,]*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Greeting();

    internal static JsonObject Error(string message, string type, string? param = null, string? code = null) => new()
    {
        ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = param, ["code"] = code },
    };

    internal static JsonNode? ParseOrNull(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
