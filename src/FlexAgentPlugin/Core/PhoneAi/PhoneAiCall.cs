using System.Text;
using FlexAgentPlugin.Core.Assistant;
using FlexAgentPlugin.Core.Conversations;
using FlexAgentPlugin.Core.State;

namespace FlexAgentPlugin.Core.PhoneAi;

/// <summary>
/// One call the AI answers. Each final prompt is a turn of the same model as messaging (<see cref="AssistantModel"/>:
/// instructions, knowledge, the hand-off tool), its text spoken as it streams. An interruption stops the turn and the
/// transcript keeps only what the caller heard; 0 on the keypad, or asking for a person in so many words, hands off
/// without a model call; a model failure hands off too. A hang-up stops the model at once. Turns are kept in the store.
/// </summary>
public sealed partial class PhoneAiCall(string callSid, ICallerLine line, AssistantModel model, ICallTurns store, TimeProvider clock, ILogger logger) : IDisposable
{
    private readonly Lock gate = new();
    private readonly List<(int Index, ChatTurn Turn)> transcript = [];
    private readonly CancellationTokenSource hungUp = new();
    private Turn? running;
    private int nextIndex;
    private bool ended;

    public string CallSid { get; } = callSid;

    /// <summary>True once the AI handed the call on: it says no more.</summary>
    public bool Ended
    {
        get
        {
            lock (gate)
            {
                return ended;
            }
        }
    }

    /// <summary>The caller finished speaking: their words join the transcript and the AI answers them.</summary>
    public async Task PromptAsync(string text)
    {
        if (Ended || string.IsNullOrWhiteSpace(text))
        {
            return;
        }

        // Words while the AI still answers: the caller moved on, and the answer so far is kept as said.
        await StopTurnAsync();
        var index = Add(new ChatTurn(true, text.Trim()));
        await SaveAsync(index, CallHandoff.CallerSpeaker, text.Trim());
        lock (gate)
        {
            var turn = new Turn(CancellationTokenSource.CreateLinkedTokenSource(hungUp.Token));
            var history = transcript.Select(t => t.Turn).ToList();
            turn.Run = Task.Run(() => AnswerAsync(history, turn));
            running = turn;
        }
    }

    /// <summary>The caller cut the AI short: the answer stops, and the transcript keeps only <paramref name="heard"/>.</summary>
    public async Task InterruptAsync(string heard)
    {
        await StopTurnAsync();
        int index;
        lock (gate)
        {
            if (transcript.Count == 0 || transcript[^1].Turn.FromCustomer)
            {
                return;
            }

            index = transcript[^1].Index;
            transcript.RemoveAt(transcript.Count - 1);
            if (heard.Trim().Length > 0)
            {
                transcript.Add((index, new ChatTurn(false, heard.Trim())));
            }
        }

        await SaveAsync(index, CallHandoff.AiSpeaker, heard.Trim());
    }

    /// <summary>A key press: 0 hands the caller to a person; other keys mean nothing here.</summary>
    public async Task DigitAsync(string digit)
    {
        if (digit.Trim() != "0" || Ended)
        {
            return;
        }

        await StopTurnAsync();
        await HandOffAsync(new Handoff(CallHandoff.PressedZero, CallerWords()), hungUp.Token);
    }

    /// <summary>The caller hung up (or Twilio went away): the model's work ends now.</summary>
    public async Task HangUpAsync()
    {
        await hungUp.CancelAsync();
        await StopTurnAsync();
    }

    public void Dispose() => hungUp.Dispose();

    /// <summary>The transcript as the agent reads it.</summary>
    public IReadOnlyList<TranscriptLine> Lines()
    {
        lock (gate)
        {
            return [.. transcript.Select(t => new TranscriptLine(t.Turn.FromCustomer ? CallHandoff.CallerSpeaker : CallHandoff.AiSpeaker, t.Turn.Text))];
        }
    }

    private async Task AnswerAsync(List<ChatTurn> history, Turn turn)
    {
        var token = turn.Cancel.Token;
        try
        {
            var answer = await model.StreamAsync(history, async (text, cancellationToken) =>
            {
                turn.Spoken.Append(text);
                await line.SpeakAsync(text, last: false, cancellationToken);
            }, token);
            if (turn.Spoken.Length > 0 || answer.Handoff is null)
            {
                await line.SpeakAsync("", last: true, token);
            }

            await KeepSpokenAsync(turn);
            if (answer.Handoff is { } handoff)
            {
                await HandOffAsync(handoff, token);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            await KeepSpokenAsync(turn);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            // The line broke under the turn (the caller is gone); the socket's end stops the call.
            Log.LineFailed(logger, CallSid, error.Message);
        }
    }

    /// <summary>What the AI said in the turn joins the transcript (once, however the turn ended).</summary>
    private async Task KeepSpokenAsync(Turn turn)
    {
        if (turn.Kept || turn.Spoken.Length == 0)
        {
            return;
        }

        turn.Kept = true;
        var text = turn.Spoken.ToString().Trim();
        await SaveAsync(Add(new ChatTurn(false, text)), CallHandoff.AiSpeaker, text);
    }

    private async Task HandOffAsync(Handoff handoff, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (ended)
            {
                return;
            }

            ended = true;
        }

        var data = new CallHandoff(handoff.Reason, handoff.Summary, CallHandoff.Newest(Lines()));
        Log.HandedOff(logger, CallSid, handoff.Reason);
        await line.EndAsync(data.ToJson(), cancellationToken);
    }

    private async Task StopTurnAsync()
    {
        Turn? turn;
        lock (gate)
        {
            turn = running;
            running = null;
        }

        if (turn is null)
        {
            return;
        }

        await turn.Cancel.CancelAsync();
        await turn.Run;
        turn.Cancel.Dispose();
    }

    private int Add(ChatTurn turn)
    {
        lock (gate)
        {
            var index = nextIndex++;
            transcript.Add((index, turn));
            return index;
        }
    }

    private string CallerWords()
    {
        var said = Lines().Where(l => l.Speaker == CallHandoff.CallerSpeaker).Select(l => l.Text).ToList();
        return said.Count == 0 ? "The caller pressed 0 before saying anything." : "The caller said: " + string.Join(" / ", said);
    }

    private async Task SaveAsync(int index, string speaker, string text)
    {
        try
        {
            await store.SaveCallTurnAsync(CallSid, new CallTurn(index, speaker, text, clock.GetUtcNow()), CancellationToken.None);
        }
        catch (Exception error) when (StoreFailures.IsStoreFailure(error))
        {
            // The call goes on: the hand-off still carries the transcript.
            Log.NotKept(logger, CallSid, error.Message);
        }
    }

    /// <summary>One model turn under way: its cancellation, and the text the caller was sent so far.</summary>
    private sealed class Turn(CancellationTokenSource cancel)
    {
        public CancellationTokenSource Cancel { get; } = cancel;

        public StringBuilder Spoken { get; } = new();

        public Task Run { get; set; } = Task.CompletedTask;

        public bool Kept { get; set; }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "The AI handed call {CallSid} to a person ({Reason})")]
        public static partial void HandedOff(ILogger logger, string callSid, string reason);

        [LoggerMessage(Level = LogLevel.Information, Message = "The AI's answer on call {CallSid} could not be sent ({Failure})")]
        public static partial void LineFailed(ILogger logger, string callSid, string failure);

        [LoggerMessage(Level = LogLevel.Warning, Message = "A turn of call {CallSid} could not be kept in the store ({Failure}); the hand-off still carries it")]
        public static partial void NotKept(ILogger logger, string callSid, string failure);
    }
}
