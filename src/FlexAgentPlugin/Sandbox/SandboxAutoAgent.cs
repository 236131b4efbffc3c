using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Sandbox;

/// <summary>
/// With <c>SANDBOX_AUTO_REPLY_SECONDS</c>, a simulated agent answers each routed customer message after
/// that many seconds (on the injected clock), for demos, tests and benchmarks.
/// </summary>
internal sealed partial class SandboxAutoAgent(
    SandboxState state,
    SandboxMode mode,
    IOptions<SandboxOptions> options,
    TimeProvider clock,
    IHostApplicationLifetime lifetime,
    ILogger<SandboxAutoAgent> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (mode.Enabled && options.Value.AutoReplySeconds is not null)
        {
            state.CustomerMessageRouted += Answer;
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        state.CustomerMessageRouted -= Answer;
        return Task.CompletedTask;
    }

    public static string ReplyTo(string? body) => $"(auto-reply) Thanks, I received: {body}";

    private void Answer(SandboxConversation conversation, SandboxMessage message) => _ = AnswerLaterAsync(conversation, message);

    private async Task AnswerLaterAsync(SandboxConversation conversation, SandboxMessage message)
    {
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(options.Value.AutoReplySeconds!.Value), clock, lifetime.ApplicationStopping);
            state.AddMessage(conversation, SandboxState.AgentIdentity, ReplyTo(message.Body), null, webhookEnabled: false, fromAgent: true);
        }
        catch (OperationCanceledException)
        {
            // The server is stopping.
        }
        catch (SandboxTwilioException fault)
        {
            AutoReplyDropped(logger, conversation.Sid, fault.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "The simulated agent did not answer in {ConversationSid}: {Reason}")]
    private static partial void AutoReplyDropped(ILogger logger, string conversationSid, string reason);
}
