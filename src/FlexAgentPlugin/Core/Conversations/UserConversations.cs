using System.Diagnostics.CodeAnalysis;
using FlexAgentPlugin.Core.State;
using FlexAgentPlugin.Core.Users;

namespace FlexAgentPlugin.Core.Conversations;

/// <summary>
/// The conversation a user's message goes to; <see cref="IsNew"/> when it was just set up for the user, <see cref="Fresh"/>
/// when Twilio had nothing of it before (no earlier, interrupted attempt). <see cref="LastDeliveredIndex"/> is the Index
/// of the last message handed to the user's callers; <see cref="Source"/> the door of the call that uses it;
/// <see cref="Contact"/> the phone number or email address the user proved, when they signed in (the customer Flex shows).
/// </summary>
public sealed record UserConversation(
    string Username, string UserKey, string Sid, bool IsNew, long LastDeliveredIndex, MessageSource Source, bool Fresh = false, Contact? Contact = null);

/// <summary>
/// A user's message on its way into their conversation, from <see cref="Source"/>. <see cref="ClientMessageId"/> names it in
/// Twilio (a fresh id when null); when <see cref="MayBeThereAlready"/>, an earlier attempt may have posted it, so it is
/// looked for before posting.
/// </summary>
public sealed record OutgoingMessage(string Text, MessageSource Source, string? ClientMessageId = null, bool MayBeThereAlready = false);

/// <summary>
/// Each user's open Twilio conversation: found in the store, or created (under a lock per user, so concurrent first
/// messages make one). Whether a stored conversation is still open comes from the store (kept by the state webhook and
/// by failed posts), not from a fetch before every message. The row is written only once Twilio has the conversation.
/// </summary>
public sealed partial class UserConversations(
    IConversationStore store,
    ConversationSetup setup,
    IKeyedLock locks,
    IConversationLog twilio,
    ICallerOrigins origins,
    ILogger<UserConversations> logger)
{
    public Task<StoredConversation?> FindAsync(string username, CancellationToken cancellationToken) =>
        store.FindAsync(Usernames.Key(username), cancellationToken);

    /// <summary>
    /// The user's open conversation (a new one made for <paramref name="source"/>, carrying <paramref name="contact"/> when
    /// the user proved one); concurrent calls for one user share it.
    /// </summary>
    public Task<UserConversation> GetOrCreateAsync(string username, Contact? contact, MessageSource source, CancellationToken cancellationToken) =>
        GetOrCreateAsync(username, contact, source, gone: null, cancellationToken);

    /// <summary>After Twilio said <paramref name="goneSid"/> is closed or gone: records that, and gives the user a new one (once).</summary>
    public async Task<UserConversation> ReplaceAsync(string username, Contact? contact, string goneSid, MessageSource source, CancellationToken cancellationToken)
    {
        await store.MarkClosedAsync(goneSid, cancellationToken);
        return await GetOrCreateAsync(username, contact, source, goneSid, cancellationToken);
    }

    /// <summary>
    /// Posts the user's message into the conversation (webhooks enabled, so Flex and the events webhook see it), marked
    /// with its door and the caller's origin.
    /// </summary>
    public Task<ConversationMessage> PostAsync(UserConversation conversation, OutgoingMessage message, CancellationToken cancellationToken) =>
        twilio.SendMessageAsync(conversation.Sid, conversation.Username, message.Text, origins.Current.AddTo(MessageMarks.FromDoor(message.Source)), cancellationToken,
            message.ClientMessageId, message.MayBeThereAlready);

    private async Task<UserConversation> GetOrCreateAsync(string username, Contact? contact, MessageSource source, string? gone, CancellationToken cancellationToken)
    {
        // A user with an open conversation needs no lock (the row changes only under it, and is read whole); without
        // one, the lock is taken and the row read again, so concurrent first messages make one conversation.
        var userKey = Usernames.Key(username);
        var stored = await store.FindAsync(userKey, cancellationToken);
        if (IsOpen(stored, gone))
        {
            return await ExistingAsync(username, contact, stored, source, cancellationToken);
        }

        await using var held = await locks.AcquireAsync($"user:{userKey}", cancellationToken);
        stored = await store.FindAsync(userKey, cancellationToken);
        if (IsOpen(stored, gone))
        {
            return await ExistingAsync(username, contact, stored, source, cancellationToken);
        }

        if (stored is not null)
        {
            Log.Replacing(logger, stored.ConversationSid);
        }

        var (sid, existed) = await setup.CreateAsync(username, contact, ConversationSetup.UniqueName(userKey, stored?.ConversationSid), source, cancellationToken);
        await store.SaveNewAsync(userKey, sid, cancellationToken);
        return new UserConversation(username, userKey, sid, IsNew: true, LastDeliveredIndex: -1, source, Fresh: !existed, contact);
    }

    private static bool IsOpen([NotNullWhen(true)] StoredConversation? stored, string? gone) => stored is { Closed: false } && stored.ConversationSid != gone;

    private async Task<UserConversation> ExistingAsync(string username, Contact? contact, StoredConversation stored, MessageSource source, CancellationToken cancellationToken)
    {
        var mark = stored.LastDeliveredIndex ?? await MarkLegacyRowAsync(stored, cancellationToken);
        return new UserConversation(username, stored.UserKey, stored.ConversationSid, IsNew: false, mark, source, Contact: contact);
    }

    /// <summary>
    /// A row from before delivery marks were kept: everything already in the conversation counts as handed out, so the
    /// user is not sent their history again.
    /// </summary>
    private async Task<long> MarkLegacyRowAsync(StoredConversation stored, CancellationToken cancellationToken)
    {
        var newest = await twilio.ListMessagesAsync(stored.ConversationSid, newestFirst: true, pageSize: 1, cancellationToken);
        var mark = newest.Messages.Count > 0 ? newest.Messages[0].Index : -1L;
        await store.TryMoveDeliveryMarkAsync(stored.UserKey, stored.ConversationSid, expected: null, mark, cancellationToken);
        return mark;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Information, Message = "Conversation {ConversationSid} is closed or gone; starting a new one for the user")]
        public static partial void Replacing(ILogger logger, string conversationSid);
    }
}
