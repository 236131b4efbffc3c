using System.Text.Json;
using System.Text.Json.Serialization;

namespace FlexAgentPlugin.Core.PhoneAi;

/// <summary>One line of a call's transcript as the agent reads it: who spoke (<c>caller</c> or <c>ai</c>) and what was said.</summary>
public sealed record TranscriptLine(
    [property: JsonPropertyName("speaker")] string Speaker,
    [property: JsonPropertyName("text")] string Text);

/// <summary>
/// Why the AI passed a call on, its summary for the agent, and the transcript so far: the <c>handoffData</c> of
/// ConversationRelay's <c>end</c>, which Twilio posts back as <c>HandoffData</c> and the Flex task carries.
/// </summary>
public sealed record CallHandoff(
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("summary")] string Summary,
    [property: JsonPropertyName("transcript")] IReadOnlyList<TranscriptLine> Transcript)
{
    public const string CallerSpeaker = "caller";
    public const string AiSpeaker = "ai";
    public const string PressedZero = "the caller pressed 0";

    /// <summary>
    /// The most transcript the hand-off carries, in characters; older lines are left out first, since Twilio keeps a
    /// task's attributes small and the newest lines matter most to the agent.
    /// </summary>
    public const int MaxTranscriptCharacters = 8000;

    public string ToJson() => JsonSerializer.Serialize(this);

    /// <summary>The hand-off in <paramref name="json"/>, or null when it is none of ours (missing, malformed, without a reason).</summary>
    public static CallHandoff? Read(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<CallHandoff>(json) is { Reason.Length: > 0, Summary: not null } handoff
                ? handoff with { Transcript = handoff.Transcript ?? [] }
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The newest lines that fit <see cref="MaxTranscriptCharacters"/>, in order.</summary>
    public static IReadOnlyList<TranscriptLine> Newest(IEnumerable<TranscriptLine> lines)
    {
        var kept = new List<TranscriptLine>();
        var total = 0;
        foreach (var line in lines.Reverse())
        {
            total += line.Text.Length;
            if (total > MaxTranscriptCharacters)
            {
                break;
            }

            kept.Add(line);
        }

        kept.Reverse();
        return kept;
    }
}
