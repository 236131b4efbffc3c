using FlexAgentPlugin.Sandbox.Emulator;

namespace FlexAgentPlugin.Sandbox.Console;

/// <summary>
/// With <see cref="EmulatorBehavior.AutoReplyAfter"/> set (<c>SANDBOX_AUTO_REPLY_SECONDS</c>), a simulated agent answers
/// each routed customer message after that long (on the injected clock; at once for zero), for demos, tests and
/// benchmarks. It is an agent of its own (<see cref="EmulatorState.SimulatedAgentIdentity"/>), not the console's.
/// </summary>
public sealed partial class SimulatedAgent(
    EmulatorState state,
    EmulatorBehavior behavior,
    TimeProvider clock,
    IHostApplicationLifetime lifetime,
    ILogger<SimulatedAgent> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        state.CustomerMessageRouted += Answer;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        state.CustomerMessageRouted -= Answer;
        return Task.CompletedTask;
    }

    public static string ReplyTo(string? body) => $"(auto-reply) Thanks, I received: {body}";

    private void Answer(EmulatedConversation conversation, EmulatedMessage message)
    {
        if (behavior.AutoReplyAfter is not { } delay || behavior.AgentsAway)
        {
            return;
        }

        if (delay == TimeSpan.Zero)
        {
            Reply(conversation, message);
            return;
        }

        _ = AnswerLaterAsync(conversation, message, delay);
    }

    private async Task AnswerLaterAsync(EmulatedConversation conversation, EmulatedMessage message, TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, clock, lifetime.ApplicationStopping);
            Reply(conversation, message);
        }
        catch (OperationCanceledException)
        {
            // The sandbox is stopping.
        }
    }

    private void Reply(EmulatedConversation conversation, EmulatedMessage message)
    {
        try
        {
            state.Join(conversation, EmulatorState.SimulatedAgentIdentity);
            state.AddMessage(conversation, EmulatorState.SimulatedAgentIdentity, ReplyTo(message.Body), null, webhookEnabled: false, fromAgent: true);
        }
        catch (EmulatorException fault)
        {
            AutoReplyDropped(logger, conversation.Sid, fault.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "The simulated agent did not answer in {ConversationSid}: {Reason}")]
    private static partial void AutoReplyDropped(ILogger logger, string conversationSid, string reason);
}
