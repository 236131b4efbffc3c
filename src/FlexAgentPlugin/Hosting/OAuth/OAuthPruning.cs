using FlexAgentPlugin.Backends.OAuthStore;
using OpenIddict.Abstractions;

namespace FlexAgentPlugin.Hosting.OAuth;

/// <summary>
/// Once an hour, forgets what can no longer be used: tokens and grants that ended more than 14 days ago, and clients that
/// registered themselves (or came by their metadata document) 90 days ago and hold no valid grant. Each instance does
/// it; the deletes are harmless to repeat.
/// </summary>
public sealed partial class OAuthPruning(
    IOpenIddictTokenManager tokens,
    IOpenIddictAuthorizationManager authorizations,
    OAuthApplicationStore applications,
    TimeProvider clock,
    ILogger<OAuthPruning> logger) : BackgroundService
{
    public static readonly TimeSpan Every = TimeSpan.FromHours(1);
    public static readonly TimeSpan KeepEnded = TimeSpan.FromDays(14);
    public static readonly TimeSpan KeepUnusedClients = TimeSpan.FromDays(90);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The hour is real time: pruning sooner or later changes nothing anyone sees, and a timer on the server's clock
        // would be one more for tests that move it.
        using var timer = new PeriodicTimer(Every);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var now = clock.GetUtcNow();
                await tokens.PruneAsync(now - KeepEnded, stoppingToken);
                await authorizations.PruneAsync(now - KeepEnded, stoppingToken);
                await applications.PruneRegisteredAsync(now - KeepUnusedClients, stoppingToken);
            }
            catch (Exception error) when (error is System.Data.Common.DbException or TimeoutException)
            {
                PruningFailed(logger, error.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pruning ended sign-in tokens failed this hour (the next hour tries again): {Failure}")]
    private static partial void PruningFailed(ILogger logger, string failure);
}
