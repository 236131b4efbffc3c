using System.Collections.Concurrent;
using System.Net;
using FlexAgentPlugin.Core.Conversations;
using FlexAgentPlugin.Core.Services;
using FlexAgentPlugin.Core.State;

namespace FlexAgentPlugin.Core.Replies;

/// <summary>
/// What one look at a user's conversation found: the stored row (null when the user has none), and the messages after
/// its delivery mark not written by the user, oldest first (null when Twilio no longer has the conversation).
/// </summary>
public sealed record Look(StoredConversation? Stored, IReadOnlyList<ConversationMessage>? Fresh);

/// <summary>
/// Looks at a user's conversation for messages not handed out yet: the delivery mark from the store and the newest
/// messages from Twilio, read at the same time (neither needs the other). Every wait for one user shares the looks: a
/// wait joins the next look to start (see <see cref="SharedRuns{TKey, TResult}"/>), so however many calls wait for the
/// user, a wake-up costs a few looks, not one per call (Twilio serves 30 actions a second on a conversation: one look
/// per call would queue the calls behind one another far past their timeout). Handing out stays each wait's own
/// compare-and-set, so a shared look never hands a reply out twice. Reading back stops at the mark, or sooner, at
/// messages already seen to be only the user's own: a user with many unanswered messages costs a page a look, not all
/// of them.
/// </summary>
public sealed class ConversationLooks
{
    /// <summary>The newest messages read per page.</summary>
    public const int PageSize = 10;

    /// <summary>How many conversations' runs of the user's own messages are remembered.</summary>
    private const int RememberedConversations = 100_000;

    private readonly IConversationStore store;
    private readonly IConversationLog twilio;
    private readonly SharedRuns<(string UserKey, string Username, string ConversationSid), Look> looks;
    private readonly SharedRuns<string, bool> refreshes;

    /// <summary>Per conversation, messages with an Index in (After, Through] that are all the user's own.</summary>
    private readonly ConcurrentDictionary<string, (long After, long Through)> ownOnly = new(StringComparer.Ordinal);

    public ConversationLooks(IConversationStore store, IConversationLog twilio)
    {
        this.store = store;
        this.twilio = twilio;
        looks = new(ReadAsync);
        refreshes = new(RefreshAsync);
    }

    /// <summary>Looks at <paramref name="conversationSid"/> for <paramref name="username"/>'s replies, with the other waits for them.</summary>
    public Task<Look> LookAsync(string userKey, string username, string conversationSid, CancellationToken cancellationToken) =>
        looks.JoinAsync((userKey, username, conversationSid), cancellationToken);

    /// <summary>The fallback for a missed state webhook: asks Twilio whether the conversation is closed or gone (once for all its waits).</summary>
    public Task RefreshStateAsync(string conversationSid, CancellationToken cancellationToken) => refreshes.JoinAsync(conversationSid, cancellationToken);

    private async Task<Look> ReadAsync((string UserKey, string Username, string ConversationSid) key)
    {
        var finding = store.FindAsync(key.UserKey, CancellationToken.None);
        var listing = NewestPageAsync(key.ConversationSid);
        await Task.WhenAll(finding, listing);
        var stored = await finding;
        if (stored is null || stored.ConversationSid != key.ConversationSid)
        {
            return new Look(stored, []);
        }

        var fresh = await listing is { } newest ? await MessagesAfterAsync(newest, key.ConversationSid, key.Username, stored.LastDeliveredIndex ?? -1) : null;
        if (fresh is null)
        {
            await store.MarkClosedAsync(key.ConversationSid, CancellationToken.None);
        }

        return new Look(stored, fresh);
    }

    private async Task<bool> RefreshAsync(string conversationSid)
    {
        var conversation = await twilio.FetchConversationAsync(conversationSid, CancellationToken.None);
        if (conversation is null or { IsClosed: true })
        {
            await store.MarkClosedAsync(conversationSid, CancellationToken.None);
        }

        return true;
    }

    /// <summary>The newest page of the conversation's messages, or null when Twilio says the conversation is gone.</summary>
    private async Task<MessagePage?> NewestPageAsync(string conversationSid)
    {
        try
        {
            return await twilio.ListMessagesAsync(conversationSid, newestFirst: true, PageSize, CancellationToken.None);
        }
        catch (ServiceRefusedException error) when (error.Status == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// Messages with an Index above <paramref name="mark"/> not written by the user, oldest first, reading newest-first
    /// pages from <paramref name="newest"/> as far back as needed (null when the conversation is gone meanwhile). A
    /// message seen on two pages (one was written between the page reads) counts once.
    /// </summary>
    private async Task<IReadOnlyList<ConversationMessage>?> MessagesAfterAsync(MessagePage newest, string conversationSid, string username, long mark)
    {
        // Indexes only grow, and a message keeps its author: a run of the user's own messages seen once needs no second read.
        var known = ownOnly.TryGetValue(conversationSid, out var run) && run.After <= mark && run.Through > mark ? run : (After: mark, Through: mark);
        var found = new SortedDictionary<int, ConversationMessage>();
        var newestIndex = newest.Messages.Count > 0 ? newest.Messages[0].Index : mark;
        try
        {
            for (MessagePage? page = newest; page is not null; page = await twilio.NextPageAsync(page, CancellationToken.None))
            {
                if (ReadBack(page, username, known.Through, found))
                {
                    break;
                }
            }
        }
        catch (ServiceRefusedException error) when (error.Status == HttpStatusCode.NotFound)
        {
            return null;
        }

        if (found.Count == 0 && newestIndex > known.Through)
        {
            if (ownOnly.Count >= RememberedConversations)
            {
                ownOnly.Clear();
            }

            ownOnly[conversationSid] = (known.After, newestIndex);
        }

        return [.. found.Values];
    }

    /// <summary>Adds the page's messages above <paramref name="stopAt"/> not written by the user; true once the page reaches it.</summary>
    private static bool ReadBack(MessagePage page, string username, long stopAt, SortedDictionary<int, ConversationMessage> found)
    {
        foreach (var message in page.Messages)
        {
            if (message.Index <= stopAt)
            {
                return true;
            }

            if (!string.Equals(message.Author, username, StringComparison.Ordinal))
            {
                found.TryAdd(message.Index, message);
            }
        }

        return false;
    }
}
