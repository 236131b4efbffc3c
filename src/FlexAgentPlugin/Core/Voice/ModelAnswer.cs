using System.Text.Json;

namespace FlexAgentPlugin.Core.Voice;

/// <summary>
/// What the Realtime model answered, as the agent is shown it. A model writes either the answer as plain text, or a JSON
/// object <c>{"question": …, "answer": …}</c>, bare or inside a Markdown code fence (<c>```json … ```</c>), as prompts
/// written for the Flex plugin ask it to; then the answer is its <c>answer</c>, and its <c>question</c>, when given,
/// is the question the suggestion answers.
/// </summary>
public readonly record struct ModelAnswer(string? Question, string Answer)
{
    /// <summary>What may follow a fence's opening backticks: a language tag such as <c>json</c>.</summary>
    private static readonly char[] LanguageTag = [.. "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"];

    public static ModelAnswer Read(string text)
    {
        var body = Unfenced(text.Trim());
        if (!body.StartsWith('{'))
        {
            return new(null, text.Trim());
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("answer", out var answer) && answer.ValueKind == JsonValueKind.String)
            {
                var question = root.TryGetProperty("question", out var asked) && asked.ValueKind == JsonValueKind.String ? asked.GetString()?.Trim() : null;
                return new(string.IsNullOrEmpty(question) ? null : question, answer.GetString()!.Trim());
            }
        }
        catch (JsonException)
        {
            // Text that only looks like JSON is an answer in its own words.
        }

        return new(null, text.Trim());
    }

    /// <summary>The inside of a Markdown code fence (with or without a language tag), or the text itself when it is not fenced.</summary>
    private static string Unfenced(string text)
    {
        if (text.Length < 6 || !text.StartsWith("```", StringComparison.Ordinal) || !text.EndsWith("```", StringComparison.Ordinal))
        {
            return text;
        }

        var inside = text[3..^3];
        return inside.TrimStart(LanguageTag).Trim();
    }
}
