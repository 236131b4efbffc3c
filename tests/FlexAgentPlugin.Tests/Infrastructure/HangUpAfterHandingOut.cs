using FlexAgentPlugin.Core.State;
using Microsoft.AspNetCore.Http;

namespace FlexAgentPlugin.Tests.Infrastructure;

/// <summary>
/// The store, except that the first time replies are handed out to a request under <paramref name="path"/>, its caller
/// hangs up (<paramref name="hangUp"/> is cancelled) before the answer is written; <see cref="GivenBack"/> completes when
/// a hand-out's mark is then moved back.
/// </summary>
public sealed class HangUpAfterHandingOut(IConversationStore inner, IHttpContextAccessor http, CancellationTokenSource hangUp, string path) : IConversationStore
{
    private readonly TaskCompletionSource givenBack = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task GivenBack => givenBack.Task;

    public Task InitializeAsync(CancellationToken cancellationToken) => inner.InitializeAsync(cancellationToken);

    public Task<bool> IsReachableAsync(CancellationToken cancellationToken) => inner.IsReachableAsync(cancellationToken);

    public Task<StoredConversation?> FindAsync(string userKey, CancellationToken cancellationToken) => inner.FindAsync(userKey, cancellationToken);

    public Task SaveNewAsync(string userKey, string conversationSid, CancellationToken cancellationToken) => inner.SaveNewAsync(userKey, conversationSid, cancellationToken);

    public Task MarkClosedAsync(string conversationSid, CancellationToken cancellationToken) => inner.MarkClosedAsync(conversationSid, cancellationToken);

    public async Task<bool> TryMoveDeliveryMarkAsync(string userKey, string conversationSid, long? expected, long moveTo, CancellationToken cancellationToken)
    {
        var moved = await inner.TryMoveDeliveryMarkAsync(userKey, conversationSid, expected, moveTo, cancellationToken);
        if (moved && moveTo < (expected ?? -1))
        {
            givenBack.TrySetResult();
        }

        if (moved && moveTo > (expected ?? -1) && !hangUp.IsCancellationRequested && http.HttpContext?.Request.Path.StartsWithSegments(path) == true)
        {
            var aborted = http.HttpContext.RequestAborted;
            await hangUp.CancelAsync();
            await Task.Delay(Timeout.Infinite, aborted).ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        }

        return moved;
    }
}
