using FlexAgentPlugin.Core.Conversations;
using FlexAgentPlugin.Core.Assistant;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Core.AgentDesk;

/// <summary>How a draft went: drafted, no such conversation, no model configured, or the model failed.</summary>
public enum DraftStatus
{
    Drafted,
    UnknownConversation,
    NoModel,
    ModelFailed,
}

/// <summary>A draft reply (when <see cref="Status"/> is <see cref="DraftStatus.Drafted"/>).</summary>
public sealed record DraftOutcome(DraftStatus Status, string? Draft = null);

/// <summary>
/// Drafts the agent's next reply with the language model, grounded in the AI's instructions and knowledge
/// (AI_INSTRUCTIONS, AI_KNOWLEDGE_PATH) and the conversation so far. The draft goes back to the agent to edit; it is
/// never posted. One call per draft, bounded by AI_TIMEOUT_SECONDS.
/// </summary>
public sealed partial class ReplyDrafts(
    IChatClient chat,
    IServiceProvider services,
    IConversationLog twilio,
    IModelConfiguration model,
    IOptions<AssistantOptions> options,
    TimeProvider clock,
    ILogger<ReplyDrafts> logger)
{
    public const string DraftingInstructions =
        "You are helping a human support agent. Write the reply the agent could send next to the customer, answering the "
        + "customer's latest messages from the knowledge you are given and the conversation so far, in the customer's "
        + "language. Write only the reply itself, no preamble. If the knowledge does not hold the answer, say briefly what "
        + "the agent will check, without making up facts, prices or promises.";

    public async Task<DraftOutcome> DraftAsync(string conversationSid, CancellationToken cancellationToken)
    {
        ConversationContexts.CheckSid(conversationSid);
        if (await twilio.FetchConversationAsync(conversationSid, cancellationToken) is null)
        {
            return new DraftOutcome(DraftStatus.UnknownConversation);
        }

        if (!model.IsConfigured)
        {
            return new DraftOutcome(DraftStatus.NoModel);
        }

        var history = await ConversationHistory.ReadAsync(twilio, conversationSid, ConversationContexts.HistoryLength, cancellationToken);
        var brief = services.GetRequiredService<AssistantBrief>();
        var system = brief.Instructions + "\n\n" + DraftingInstructions + (brief.Knowledge.Length > 0 ? "\n\n# Knowledge\n\n" + brief.Knowledge : "");
        List<ChatMessage> messages = [.. history.Where(m => !string.IsNullOrWhiteSpace(m.Message.Body))
            .Select(m => new ChatMessage(m.FromCustomer ? ChatRole.User : ChatRole.Assistant, m.Message.Body))];
        using var timer = new CancellationTokenSource(options.Value.Timeout, clock);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, cancellationToken);
        try
        {
            var response = await chat.GetResponseAsync(messages, new ChatOptions { Instructions = system }, limit.Token);
            return response.Text.Trim() is { Length: > 0 } draft ? new DraftOutcome(DraftStatus.Drafted, draft) : Failed("the model answered nothing");
        }
        catch (Exception error) when (!cancellationToken.IsCancellationRequested)
        {
            return Failed(error is OperationCanceledException ? $"no answer within {options.Value.TimeoutSeconds} s (AI_TIMEOUT_SECONDS)" : error.Message);
        }
    }

    private DraftOutcome Failed(string failure)
    {
        DraftFailed(logger, failure);
        return new DraftOutcome(DraftStatus.ModelFailed);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The model could not draft a reply: {Failure}")]
    private static partial void DraftFailed(ILogger logger, string failure);
}
