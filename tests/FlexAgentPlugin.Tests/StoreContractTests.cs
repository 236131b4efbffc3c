using FlexAgentPlugin.Backends.Postgres;
using FlexAgentPlugin.Backends.Sqlite;
using FlexAgentPlugin.Core.State;
using FlexAgentPlugin.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using Npgsql;

namespace FlexAgentPlugin.Tests;

/// <summary>
/// The store's part of the guarantees, written once and run against both stores: the embedded SQLite one and the
/// shared PostgreSQL one (where a server is configured; CI requires it).
/// </summary>
public sealed class StoreContractTests
{
    private const string User = "user-key-0001";
    private const string Sid = "CH00000000000000000000000000000001";

    [Fact]
    public Task TheDeliveryMarkMovesOnlyFromWhatTheCallerSawOnSqlite() => OnSqliteAsync(TheDeliveryMarkMovesOnlyFromWhatTheCallerSaw);

    [PostgresFact]
    public Task TheDeliveryMarkMovesOnlyFromWhatTheCallerSawOnPostgres() => OnPostgresAsync(TheDeliveryMarkMovesOnlyFromWhatTheCallerSaw);

    [Fact]
    public Task OfConcurrentMarkMovesFromOnePlaceExactlyOneWinsOnSqlite() => OnSqliteAsync(OfConcurrentMarkMovesFromOnePlaceExactlyOneWins);

    [PostgresFact]
    public Task OfConcurrentMarkMovesFromOnePlaceExactlyOneWinsOnPostgres() => OnPostgresAsync(OfConcurrentMarkMovesFromOnePlaceExactlyOneWins);

    [Fact]
    public Task TheFirstRouteRecordedStaysOnSqlite() => OnSqliteAsync(TheFirstRouteRecordedStays);

    [PostgresFact]
    public Task TheFirstRouteRecordedStaysOnPostgres() => OnPostgresAsync(TheFirstRouteRecordedStays);

    [Fact]
    public Task AnEventIsClaimedOnceOnSqlite() => OnSqliteAsync(AnEventIsClaimedOnce);

    [PostgresFact]
    public Task AnEventIsClaimedOnceOnPostgres() => OnPostgresAsync(AnEventIsClaimedOnce);

    [Fact]
    public Task ASendRecordKeepsItsStepsAndExpiresOnSqlite() => OnSqliteAsync(ASendRecordKeepsItsStepsAndExpires);

    [PostgresFact]
    public Task ASendRecordKeepsItsStepsAndExpiresOnPostgres() => OnPostgresAsync(ASendRecordKeepsItsStepsAndExpires);

    [Fact]
    public Task AClosedConversationIsRecordedAndReplacedOnSqlite() => OnSqliteAsync(AClosedConversationIsRecordedAndReplaced);

    [PostgresFact]
    public Task AClosedConversationIsRecordedAndReplacedOnPostgres() => OnPostgresAsync(AClosedConversationIsRecordedAndReplaced);

    private static async Task TheDeliveryMarkMovesOnlyFromWhatTheCallerSaw(Stores stores)
    {
        await stores.Conversations.SaveNewAsync(User, Sid, CancellationToken.None);

        Assert.True(await stores.Conversations.TryMoveDeliveryMarkAsync(User, Sid, -1, 3, CancellationToken.None));
        Assert.False(await stores.Conversations.TryMoveDeliveryMarkAsync(User, Sid, -1, 5, CancellationToken.None));
        Assert.False(await stores.Conversations.TryMoveDeliveryMarkAsync(User, "CH00000000000000000000000000000009", 3, 5, CancellationToken.None));
        Assert.Equal(new StoredConversation(User, Sid, 3, Closed: false), await stores.Conversations.FindAsync(User, CancellationToken.None));
    }

    private static async Task OfConcurrentMarkMovesFromOnePlaceExactlyOneWins(Stores stores)
    {
        await stores.Conversations.SaveNewAsync(User, Sid, CancellationToken.None);

        var moves = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => stores.Conversations.TryMoveDeliveryMarkAsync(User, Sid, -1, i, CancellationToken.None)));

        Assert.Single(moves, moved => moved);
    }

    private static async Task TheFirstRouteRecordedStays(Stores stores)
    {
        var first = await stores.Routes.SaveRouteAsync(new ConversationRoute(Sid, "interactions", "KD1"), CancellationToken.None);
        var second = await stores.Routes.SaveRouteAsync(new ConversationRoute(Sid, "interactions", "KD2"), CancellationToken.None);

        Assert.Equal("KD1", first.InteractionSid);
        Assert.Equal("KD1", second.InteractionSid);
        Assert.Null(await stores.Routes.FindRouteAsync("CH00000000000000000000000000000009", CancellationToken.None));
    }

    private static async Task AnEventIsClaimedOnce(Stores stores)
    {
        var claims = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => stores.Claims.TryClaimAsync("message:IM1", CancellationToken.None)));

        Assert.Single(claims, claimed => claimed);
        Assert.True(await stores.Claims.TryClaimAsync("message:IM2", CancellationToken.None));
    }

    private static async Task ASendRecordKeepsItsStepsAndExpires(Stores stores)
    {
        var created = new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
        await stores.Sends.SaveSendAsync(new SendRecord(User, "key", "message", false, null, created), created.AddDays(-1), CancellationToken.None);
        await stores.Sends.MarkSendPostedAsync(User, "key", CancellationToken.None);
        await stores.Sends.SaveSendOutcomeAsync(User, "key", "{\"status\":\"replied\"}", CancellationToken.None);

        var found = await stores.Sends.FindSendAsync(User, "key", created.AddDays(-1), CancellationToken.None);
        var expired = await stores.Sends.FindSendAsync(User, "key", created.AddMinutes(1), CancellationToken.None);

        Assert.Equal(new SendRecord(User, "key", "message", true, "{\"status\":\"replied\"}", created), found);
        Assert.Null(expired);
    }

    private static async Task AClosedConversationIsRecordedAndReplaced(Stores stores)
    {
        await stores.Conversations.SaveNewAsync(User, Sid, CancellationToken.None);
        await stores.Conversations.TryMoveDeliveryMarkAsync(User, Sid, -1, 4, CancellationToken.None);
        await stores.Conversations.MarkClosedAsync(Sid, CancellationToken.None);
        var closed = await stores.Conversations.FindAsync(User, CancellationToken.None);

        await stores.Conversations.SaveNewAsync(User, "CH00000000000000000000000000000002", CancellationToken.None);

        Assert.True(closed!.Closed);
        Assert.Equal(new StoredConversation(User, "CH00000000000000000000000000000002", -1, Closed: false), await stores.Conversations.FindAsync(User, CancellationToken.None));
    }

    private static async Task OnSqliteAsync(Func<Stores, Task> contract)
    {
        var folder = Directory.CreateTempSubdirectory("flexagent-store-").FullName;
        try
        {
            using var store = new SqliteStore(Options.Create(new SqliteOptions { DatabasePath = Path.Combine(folder, "convs.db") }), TimeProvider.System);
            await store.InitializeAsync(CancellationToken.None);
            await contract(new Stores(store, store, store, store));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task OnPostgresAsync(Func<Stores, Task> contract)
    {
        await using var database = await PostgresDatabase.CreateAsync();
        await using var source = NpgsqlDataSource.Create(database.ConnectionString);
        var store = new PostgresStore(source, TimeProvider.System);
        await store.InitializeAsync(CancellationToken.None);
        await contract(new Stores(store, store, store, store));
    }

    private sealed record Stores(IConversationStore Conversations, IRoutingStore Routes, ISendRecords Sends, IEventClaims Claims);
}
