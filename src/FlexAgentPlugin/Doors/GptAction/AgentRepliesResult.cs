using System.Text.Json;
using System.Text.Json.Serialization;
using FlexAgentPlugin.Core.Queue;
using FlexAgentPlugin.Core.Replies;

namespace FlexAgentPlugin.Doors.GptAction;

/// <summary>What <c>/send</c> and <c>/replies</c> answer, as openapi.yaml describes it.</summary>
public sealed record AgentReplies(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("replies")] IReadOnlyList<string> Replies,
    [property: JsonPropertyName("messages")] IReadOnlyList<ReplyMessage> Messages,
    [property: JsonPropertyName("message"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Message = null,
    [property: JsonPropertyName("queue"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] QueuePlace? Queue = null)
{
    public const string NotAnsweredYet =
        "The agent has the message but has not answered yet. Call getReplies with the same username to fetch the answer.";

    public const string TwilioFailed =
        "The message reached the agent, but the answer could not be read just now. Do not send it again: call getReplies with the same username to fetch the answer.";

    public const string HandedOff =
        "A person is taking over and has not answered yet. Call getReplies with the same username to fetch their answer.";

    public const string NobodyAvailable = "The message is with them: call getReplies with the same username later to fetch the answer.";

    public static AgentReplies From(ReplyOutcome outcome) => new(
        outcome.Status.ToString().ToLowerInvariant(),
        [.. outcome.Replies.Select(r => r.Text)],
        [.. outcome.Replies.Select(ReplyMessage.From)],
        Said(outcome),
        outcome.Queue);

    /// <summary>Why the answer is pending and what to do, after the place in line when it is known.</summary>
    private static string? Said(ReplyOutcome outcome)
    {
        var why = outcome.Why switch
        {
            PendingReason.NotAnsweredYet => NotAnsweredYet,
            PendingReason.TwilioFailed => TwilioFailed,
            PendingReason.HandedOff => HandedOff,
            PendingReason.NobodyAvailable => $"{outcome.Away?.Sentence} {NobodyAvailable}",
            _ => null,
        };
        return why is not null && outcome.Queue is { } place ? $"{QueueWords.Place(place)} {why}" : why;
    }
}

/// <summary>
/// Waits for the engine's delivery and writes its outcome. Its replies were marked handed out before the answer was
/// written: the delivery is confirmed once the answer is written, and abandoned (the replies are handed out again) when
/// the caller hung up first. (The endpoint returns this at once, so no frame of its own, holding the request, waits as well.)
/// </summary>
public sealed class AgentRepliesResult(Task<Delivery> delivering) : IResult
{
    /// <summary>
    /// The web defaults, held here rather than read from the request's services: an answer written as the server stops
    /// (pending, for every caller still waiting) may outlive the container the host is already disposing.
    /// </summary>
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        await using var delivery = await delivering;
        var aborted = httpContext.RequestAborted;
        try
        {
            await httpContext.Response.WriteAsJsonAsync(AgentReplies.From(delivery.Outcome), Json, aborted);
            await httpContext.Response.CompleteAsync();
        }
        catch (Exception error) when (error is IOException or OperationCanceledException)
        {
            // The caller is gone: the delivery, unconfirmed, gives its replies back.
        }

        if (!aborted.IsCancellationRequested)
        {
            delivery.Confirm();
        }
    }
}
