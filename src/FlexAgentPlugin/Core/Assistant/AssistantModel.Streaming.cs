using FlexAgentPlugin.Core.Conversations;
using Microsoft.Extensions.AI;

namespace FlexAgentPlugin.Core.Assistant;

/// <summary>The model's turn streamed: the answer's text reaches the caller as the model writes it (phone calls).</summary>
public sealed partial class AssistantModel
{
    /// <summary>
    /// As <see cref="AnswerAsync"/>, with the instructions, knowledge and hand-off tool, but the answer's text is handed
    /// to <paramref name="speak"/> piece by piece while the model writes it, the hand-off marker held back and removed.
    /// A failure or timeout after some text was spoken still hands off as <see cref="Unavailable"/>. Cancelling
    /// <paramref name="cancellationToken"/> (an interruption, a hang-up) stops the model at once and throws.
    /// </summary>
    public async Task<AssistantAnswer> StreamAsync(
        IReadOnlyList<ChatTurn> history, Func<string, CancellationToken, Task> speak, CancellationToken cancellationToken)
    {
        var waiting = Waiting(history);
        if (waiting.Any(AsksForPerson))
        {
            return new AssistantAnswer(null, new Handoff(AskedForPerson, CustomerWords(waiting)));
        }

        var updates = new List<ChatResponseUpdate>();
        var filter = new MarkerFilter(options.Value.HandoffMarker);
        using var timer = new CancellationTokenSource(options.Value.Timeout, clock);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, cancellationToken);
        try
        {
            await foreach (var update in chat.GetStreamingResponseAsync(Messages(history), TurnOptions(), limit.Token).WithCancellation(limit.Token))
            {
                updates.Add(update);
                if (filter.Pass(update.Text) is { Length: > 0 } text)
                {
                    await speak(text, limit.Token);
                }
            }

            if (filter.Flush() is { Length: > 0 } rest)
            {
                await speak(rest, limit.Token);
            }
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

        return Read(updates.ToChatResponse(), waiting);
    }

    /// <summary>
    /// Passes streamed text on, except the hand-off marker: a tail that could be the marker's start is held back until
    /// the next piece shows whether it is.
    /// </summary>
    private sealed class MarkerFilter(string marker)
    {
        private string pending = "";

        public string Pass(string? text)
        {
            pending += text;
            if (marker.Length == 0)
            {
                return Flush();
            }

            for (var at = pending.IndexOf(marker, StringComparison.OrdinalIgnoreCase); at >= 0; at = pending.IndexOf(marker, StringComparison.OrdinalIgnoreCase))
            {
                pending = pending.Remove(at, marker.Length);
            }

            var held = HeldBack();
            var passed = pending[..^held];
            pending = pending[^held..];
            return passed;
        }

        public string Flush()
        {
            var rest = pending;
            pending = "";
            return rest;
        }

        private int HeldBack()
        {
            for (var length = Math.Min(marker.Length - 1, pending.Length); length > 0; length--)
            {
                if (marker.StartsWith(pending[^length..], StringComparison.OrdinalIgnoreCase))
                {
                    return length;
                }
            }

            return 0;
        }
    }
}
