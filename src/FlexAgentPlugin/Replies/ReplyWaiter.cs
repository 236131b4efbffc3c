using FlexAgentPlugin.Twilio;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Replies;

/// <summary>
/// Waits for the agent without holding a thread: each poll is an awaited Twilio call and each pause an
/// awaited timer on the injected <see cref="TimeProvider"/>. Cancelling (the caller hung up) ends the wait
/// before the next Twilio call.
/// </summary>
public sealed class ReplyWaiter(ConversationsClient twilio, IOptions<ReplyOptions> options, TimeProvider clock)
{
    /// <summary>The newest messages read per poll.</summary>
    public const int PageSize = 10;

    public async Task<AgentReplies> WaitAsync(string conversationSid, string username, int userMessageIndex, CancellationToken cancellationToken)
    {
        while (true)
        {
            var page = await twilio.ListMessagesAsync(conversationSid, newestFirst: true, PageSize, cancellationToken);
            var replies = AgentReplies.After(page.Messages, userMessageIndex, username);
            if (replies.Count > 0)
            {
                return AgentReplies.Replied(replies);
            }

            var conversation = await twilio.FetchConversationAsync(conversationSid, cancellationToken);
            if (conversation is null or { IsClosed: true })
            {
                return AgentReplies.Closed;
            }

            await Task.Delay(options.Value.PollInterval, clock, cancellationToken);
        }
    }
}
