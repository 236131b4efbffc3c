using System.Text.Json;
using System.Text.RegularExpressions;
using FlexAgentPlugin.Core.Conversations;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Core.Assistant;

/// <summary>One message of the conversation as the model sees it: the customer's, or an answer (the AI's or an agent's).</summary>
public sealed record ChatTurn(bool FromCustomer, string Text);

/// <summary>What the AI says to the customer (null: nothing of its own), and the hand-off when it hands them to a person.</summary>
public sealed record AssistantAnswer(string? Text, Handoff? Handoff);

/// <summary>
/// One turn of the language model: the conversation so far in, an answer or a hand-off out. The hand-off is a tool call
/// (<see cref="HandoffTool"/> with <c>reason</c> and <c>summary</c>) or the marker phrase in the text, which is removed.
/// A customer who asks for a person is handed off without asking the model. The model never loses a message: an error,
/// a timeout (AI_TIMEOUT_SECONDS), a refusal or an empty answer hands off with reason <see cref="Unavailable"/>.
/// </summary>
public sealed partial class AssistantModel(
    IChatClient chat,
    AssistantBrief brief,
    IOptions<AssistantOptions> options,
    TimeProvider clock,
    ILogger<AssistantModel> logger)
{
    public const string HandoffTool = "handoff_to_human";
    public const string Unavailable = "assistant unavailable";
    public const string AskedForPerson = "the customer asked for a person";
    public const string MarkerReason = "the assistant handed off";

    /// <summary>The longest summary made from the customer's own words when the model gives none.</summary>
    private const int SummaryLength = 500;

    private static readonly AIFunctionDeclaration Handoff = AIFunctionFactory.CreateDeclaration(
        HandoffTool,
        "Hands the conversation to a human agent in Flex. Call it when the customer asks for a person, or when you cannot "
        + "answer from your knowledge. The agent sees the whole conversation and your summary.",
        JsonDocument.Parse("""
            {
              "type": "object",
              "properties": {
                "reason": { "type": "string", "description": "Why a person should take over, in a few words." },
                "summary": { "type": "string", "description": "What the customer wants and what has been said, for the agent." }
              },
              "required": ["reason", "summary"],
              "additionalProperties": false
            }
            """).RootElement);

    private readonly string systemText = brief.SystemText(options.Value.HandoffMarker);

    public async Task<AssistantAnswer> AnswerAsync(IReadOnlyList<ChatTurn> history, CancellationToken cancellationToken)
    {
        var waiting = Waiting(history);
        if (waiting.Any(AsksForPerson))
        {
            return new AssistantAnswer(null, new Handoff(AskedForPerson, CustomerWords(waiting)));
        }

        ChatResponse response;
        using (var timer = new CancellationTokenSource(options.Value.Timeout, clock))
        using (var limit = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, cancellationToken))
        {
            try
            {
                response = await chat.GetResponseAsync(Messages(history), TurnOptions(), limit.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                Log.TimedOut(logger, options.Value.TimeoutSeconds);
                return UnavailableFor(waiting);
            }
            catch (Exception error) when (!cancellationToken.IsCancellationRequested && error is not OperationCanceledException)
            {
                Log.Failed(logger, error.GetType().Name, error.Message);
                return UnavailableFor(waiting);
            }
        }

        return Read(response, waiting);
    }

    /// <summary>True when the customer asks in so many words for a person rather than a machine.</summary>
    public static bool AsksForPerson(string text) => PersonRequest().IsMatch(text) || BarePersonRequest().IsMatch(text.Trim());

    /// <summary>The customer's messages after the last answer: what this turn answers.</summary>
    private static List<string> Waiting(IReadOnlyList<ChatTurn> history) =>
        history.Reverse().TakeWhile(t => t.FromCustomer).Reverse().Select(t => t.Text).ToList();

    private static List<ChatMessage> Messages(IReadOnlyList<ChatTurn> history) =>
        [.. history.Select(t => new ChatMessage(t.FromCustomer ? ChatRole.User : ChatRole.Assistant, t.Text))];

    private ChatOptions TurnOptions() => new() { Instructions = systemText, Tools = [Handoff], ToolMode = ChatToolMode.Auto };

    private AssistantAnswer Read(ChatResponse response, IReadOnlyList<string> waiting)
    {
        var contents = response.Messages.SelectMany(m => m.Contents).ToList();
        var text = string.Concat(contents.OfType<TextContent>().Select(t => t.Text)).Trim();
        var marker = options.Value.HandoffMarker;
        var marked = marker.Length > 0 && text.Contains(marker, StringComparison.OrdinalIgnoreCase);
        var said = (marked ? text.Replace(marker, "", StringComparison.OrdinalIgnoreCase).Trim() : text) is { Length: > 0 } t ? t : null;

        if (contents.OfType<FunctionCallContent>().FirstOrDefault(c => c.Name == HandoffTool) is { } call)
        {
            return new AssistantAnswer(said, new Handoff(
                Argument(call, "reason") ?? MarkerReason,
                Argument(call, "summary") ?? CustomerWords(waiting)));
        }

        if (contents.OfType<ErrorContent>().Any() || response.FinishReason == ChatFinishReason.ContentFilter)
        {
            Log.Refused(logger, response.FinishReason?.Value ?? "refusal");
            return UnavailableFor(waiting);
        }

        if (marked)
        {
            return new AssistantAnswer(said, new Handoff(MarkerReason, CustomerWords(waiting)));
        }

        if (said is null)
        {
            Log.Empty(logger);
            return UnavailableFor(waiting);
        }

        return new AssistantAnswer(said, null);
    }

    private static AssistantAnswer UnavailableFor(IReadOnlyList<string> waiting) => new(null, new Handoff(Unavailable, CustomerWords(waiting)));

    private static string? Argument(FunctionCallContent call, string name) =>
        call.Arguments?.TryGetValue(name, out var value) == true && value?.ToString()?.Trim() is { Length: > 0 } text ? text : null;

    /// <summary>The customer's waiting messages, as a summary when the model gave none.</summary>
    private static string CustomerWords(IReadOnlyList<string> waiting)
    {
        var words = "The customer wrote: " + string.Join(" / ", waiting);
        return words.Length <= SummaryLength ? words : words[..(SummaryLength - 1)] + "…";
    }

    [GeneratedRegex(@"\b(talk|speak|chat|connect|transfer|put)\b[^.?!]{0,40}\b(human|person|people|agent|representative|operator|someone real|somebody real|staff)\b|\b(want|need|get)\b[^.?!]{0,20}\b(human|real person|live agent|representative|operator)\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PersonRequest();

    [GeneratedRegex(@"^(a |an )?(human|person|real person|agent|live agent|representative|operator)( please)?[.!?]*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex BarePersonRequest();

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "The model did not answer within {Seconds} s (AI_TIMEOUT_SECONDS); the customer is handed to a person")]
        public static partial void TimedOut(ILogger logger, double seconds);

        [LoggerMessage(Level = LogLevel.Warning, Message = "The model call failed ({Error}: {Detail}); the customer is handed to a person")]
        public static partial void Failed(ILogger logger, string error, string detail);

        [LoggerMessage(Level = LogLevel.Warning, Message = "The model refused to answer ({Reason}); the customer is handed to a person")]
        public static partial void Refused(ILogger logger, string reason);

        [LoggerMessage(Level = LogLevel.Warning, Message = "The model answered nothing; the customer is handed to a person")]
        public static partial void Empty(ILogger logger);
    }
}
