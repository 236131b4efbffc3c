using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace FlexAgentPlugin.Core.Conversations;

/// <summary>
/// A hand-off to a person: why, what the person should know (the AI's summary), and whether no agent was there then
/// (a mark of the message, not part of the hand-off a reader is shown).
/// </summary>
public sealed record Handoff(string Reason, string Summary, [property: JsonIgnore] bool AgentsAway = false);

/// <summary>
/// What the server writes into the attributes of the messages it posts, and reads back: the <c>source</c> (the door a
/// user's message came through, or <c>ai</c> for the AI's own messages) and, on the AI's hand-off notice, the
/// <c>handoff</c> (reason and summary); on every AI message the Index of the newest customer message it answers
/// (<c>answered_index</c>: messages that arrived while the model was thinking come before its answer, yet are not
/// answered by it). Agents see them in Flex; the waits use them to tell the AI from an agent.
/// </summary>
public sealed record MessageMarks(string? Source, Handoff? Handoff, long? AnsweredIndex = null)
{
    /// <summary>The <c>source</c> of the AI's messages.</summary>
    public const string AiSource = "ai";

    private static readonly MessageMarks None = new(null, null);

    public bool IsAi => Source == AiSource;

    /// <summary>The attributes of a user's message that came through <paramref name="door"/>.</summary>
    public static JsonObject FromDoor(MessageSource door) => new() { ["source"] = door.AttributeValue() };

    /// <summary>
    /// The attributes of an AI message that answers the customer's messages up to Index <paramref name="answeredIndex"/>;
    /// of its hand-off notice when <paramref name="handoff"/> is given.
    /// </summary>
    public static JsonObject FromAi(long answeredIndex, Handoff? handoff = null)
    {
        var attributes = new JsonObject { ["source"] = AiSource, ["answered_index"] = answeredIndex };
        if (handoff is not null)
        {
            attributes["handoff"] = new JsonObject { ["reason"] = handoff.Reason, ["summary"] = handoff.Summary };
            if (handoff.AgentsAway)
            {
                attributes["handoff"]!["agents_away"] = true;
            }
        }

        return attributes;
    }

    /// <summary>The marks in a message's attributes (none when they are not the server's, or not JSON).</summary>
    public static MessageMarks Read(string? attributes)
    {
        if (attributes is null || !attributes.Contains("\"source\"", StringComparison.Ordinal))
        {
            return None;
        }

        try
        {
            if (JsonNode.Parse(attributes) is not JsonObject json)
            {
                return None;
            }

            var source = json["source"] is JsonValue value && value.TryGetValue(out string? text) ? text : null;
            var handoff = json["handoff"] is JsonObject given
                ? new Handoff((string?)given["reason"] ?? "", (string?)given["summary"] ?? "", given["agents_away"] is JsonValue away && away.TryGetValue(out bool isAway) && isAway)
                : null;
            var answered = json["answered_index"] is JsonValue index && index.TryGetValue(out long at) ? at : (long?)null;
            return new MessageMarks(source, handoff, answered);
        }
        catch (Exception error) when (error is JsonException or InvalidOperationException or FormatException)
        {
            return None;
        }
    }
}
