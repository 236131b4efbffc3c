using System.Reflection;
using Xunit.Sdk;

namespace FlexAgentPlugin.Tests.Infrastructure;

/// <summary>
/// The store a server under test keeps its rows in: the embedded SQLite file (the factory's default) or, for
/// <see cref="Postgres"/>, a PostgreSQL database of the test's own (DATABASE_URL). Tests of the store's part of a
/// guarantee take it as a theory argument, <c>[Theory, OnSqlite, OnPostgres]</c>, so one text runs on both.
/// </summary>
public sealed class TestStore : IAsyncDisposable
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    private readonly PostgresDatabase? database;

    private TestStore(PostgresDatabase? database) => this.database = database;

    public static async Task<TestStore> CreateAsync(string kind) => kind switch
    {
        Sqlite => new TestStore(null),
        Postgres => new TestStore(await PostgresDatabase.CreateAsync()),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "sqlite or postgres"),
    };

    /// <summary><paramref name="settings"/>, with DATABASE_URL when the store is PostgreSQL.</summary>
    public Dictionary<string, string?> Settings(IDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>());
        if (database is not null)
        {
            all["DATABASE_URL"] = database.ConnectionString;
        }

        return all;
    }

    public ValueTask DisposeAsync() => database?.DisposeAsync() ?? ValueTask.CompletedTask;
}

/// <summary>A theory row that runs the test on the embedded SQLite store.</summary>
public sealed class OnSqliteAttribute : DataAttribute
{
    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [[TestStore.Sqlite]];
}

/// <summary>A theory row that runs the test on PostgreSQL; skipped where no server is configured, unless required (as in CI).</summary>
public sealed class OnPostgresAttribute : DataAttribute
{
    public OnPostgresAttribute()
    {
        if (PostgresDatabase.Server is null && !PostgresDatabase.Required)
        {
            Skip = $"No PostgreSQL server: set {PostgresDatabase.ServerVariable} (.ci/run installs and starts one, and requires these tests).";
        }
    }

    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [[TestStore.Postgres]];
}

/// <summary>
/// A test class whose tests each run on the store they are given: <see cref="StartAsync"/> makes the store and starts
/// a server on it (<see cref="Factory"/>, <see cref="Client"/>); <see cref="UseStoreAsync"/> only makes the store, for a
/// test that starts its own servers. Both are disposed after the test.
/// </summary>
public abstract class OnEitherStore : IAsyncLifetime
{
    protected TestStore? Store { get; private set; }

    protected PluginFactory Factory { get; private set; } = null!;

    protected HttpClient Client { get; private set; } = null!;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        Factory?.Dispose();
        if (Store is not null)
        {
            await Store.DisposeAsync();
        }
    }

    protected async Task<TestStore> UseStoreAsync(string kind) => Store = await TestStore.CreateAsync(kind);

    protected async Task StartAsync(string kind, IDictionary<string, string?> settings)
    {
        var store = await UseStoreAsync(kind);
        Factory = new PluginFactory(store.Settings(settings));
        Client = Factory.CreateClient();
    }
}
