using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using FlexAgentPlugin.Core.Conversations;
using FlexAgentPlugin.Core.Replies;
using FlexAgentPlugin.Core.State;
using FlexAgentPlugin.Core.Users;

namespace FlexAgentPlugin.Core.Exchanges;

/// <summary>The idempotency key was used, within its day, for another message of the same user.</summary>
public sealed class IdempotencyConflictException()
    : Exception("This Idempotency-Key was already used for a different message; use a new key for a new message.");

/// <summary>
/// How <see cref="ConversationExchange.SendAsync"/> sends with an idempotency key: the same key for the same user within
/// 24 hours never posts twice. The post happens under a lock on the key (a repeat waits for it) and is recorded; a
/// repeat after it waits for the same exchange's replies, and once an outcome was final (replied or closed) a repeat
/// gets that outcome again. The key also names the message in Twilio, so a post interrupted after Twilio took it is
/// found, not made again.
/// </summary>
/// <remarks>
/// Once the message is posted, a failure of the store (or of Twilio) ends in pending, never in an error that would
/// invite the message again: a record left unmarked makes a repeat look for the message in Twilio before posting.
/// </remarks>
internal sealed partial class IdempotentSends(ExchangeSteps steps, ISendRecords records, IKeyedLock locks, TimeProvider clock, ILogger<IdempotentSends> logger)
{
    public static readonly TimeSpan Window = TimeSpan.FromHours(24);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>Sends <paramref name="request"/> under <paramref name="idempotencyKey"/>, for a call that began at <paramref name="since"/>.</summary>
    public async Task<Delivery> SendAsync(SendRequest request, string idempotencyKey, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var userKey = Usernames.Key(request.Username);
        var keyHash = Hash($"{userKey}:{idempotencyKey}");
        var messageHash = Hash(request.Text);
        var notBefore = clock.GetUtcNow() - Window;

        SendRecord? earlier;
        PostedMessage? posted = null;
        await using (await locks.AcquireAsync($"send:{keyHash}", cancellationToken))
        {
            earlier = await records.FindSendAsync(userKey, keyHash, notBefore, cancellationToken);
            if (earlier is not null && earlier.MessageHash != messageHash)
            {
                throw new IdempotencyConflictException();
            }

            if (earlier is null or { Posted: false })
            {
                if (earlier is null)
                {
                    await records.SaveSendAsync(new SendRecord(userKey, keyHash, messageHash, Posted: false, Outcome: null, clock.GetUtcNow()), notBefore, cancellationToken);
                }

                var message = new OutgoingMessage(request.Text, request.Source, keyHash[..32], MayBeThereAlready: earlier is not null);
                posted = await steps.PostAsync(request.Username, request.Contact, message, cancellationToken);
                await AfterPostAsync("post", records.MarkSendPostedAsync(userKey, keyHash, CancellationToken.None));
            }
        }

        Delivery delivery;
        if (posted is not null)
        {
            delivery = await steps.AnswerAsync(posted, request.Wait, since, request.Progress, cancellationToken);
        }
        else if (earlier!.Outcome is { } stored)
        {
            return Delivery.Settled(Read(stored));
        }
        else
        {
            try
            {
                delivery = await steps.WaitForRepliesAsync(request.Username, request.Contact, request.Source, request.Wait, since, request.Progress, cancellationToken);
                if (delivery.Outcome.Status == ReplyStatus.Pending && await records.FindSendAsync(userKey, keyHash, notBefore, cancellationToken) is { Outcome: { } meanwhile })
                {
                    // The first call's outcome is the answer to a repeat; anything this wait handed out goes to the next call.
                    await delivery.AbandonAsync();
                    return Delivery.Settled(Read(meanwhile));
                }
            }
            catch (Exception error) when (ExchangeSteps.IsOutage(error))
            {
                return steps.PendingAfter(error, conversationSid: null);
            }
        }

        if (delivery.Outcome.Status == ReplyStatus.Pending)
        {
            return delivery;
        }

        // Kept for repeats of this key, so a caller that lost this answer gets it again by repeating the call.
        var outcome = delivery.Outcome;
        await AfterPostAsync("outcome", records.SaveSendOutcomeAsync(userKey, keyHash, JsonSerializer.Serialize(new StoredOutcome(outcome.Status, outcome.Replies), Json), CancellationToken.None));
        return Delivery.Settled(outcome);
    }

    /// <summary>
    /// A record written after the post: if the store fails, the exchange goes on without it (without the post's, a repeat
    /// looks for the message in Twilio before posting; without the outcome's, a repeat waits for replies again).
    /// </summary>
    private async Task AfterPostAsync(string record, Task recording)
    {
        try
        {
            await recording;
        }
        catch (Exception error) when (StoreFailures.IsStoreFailure(error))
        {
            RecordLost(logger, record, error.Message);
        }
    }

    private static ReplyOutcome Read(string stored)
    {
        var outcome = JsonSerializer.Deserialize<StoredOutcome>(stored, Json)!;
        return new ReplyOutcome(outcome.Status, outcome.Replies);
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private sealed record StoredOutcome(ReplyStatus Status, IReadOnlyList<Reply> Replies);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The store could not record the {Record} of an idempotent send ({Failure}); the caller is answered all the same")]
    private static partial void RecordLost(ILogger logger, string record, string failure);
}
