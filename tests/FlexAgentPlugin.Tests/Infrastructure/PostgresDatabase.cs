using Npgsql;

namespace FlexAgentPlugin.Tests.Infrastructure;

/// <summary>
/// A database of its own for one test, on the PostgreSQL server named by FLEXAGENT_TEST_POSTGRES (a connection string
/// to the server, e.g. <c>Host=127.0.0.1;Username=flexagent;Password=flexagent</c>; .ci/run sets it up). Dropped at
/// the end, with every connection to it.
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    public const string ServerVariable = "FLEXAGENT_TEST_POSTGRES";

    private readonly NpgsqlConnectionStringBuilder server;

    private PostgresDatabase(NpgsqlConnectionStringBuilder server, string name)
    {
        this.server = server;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = name, Pooling = true }.ConnectionString;
    }

    public static string? Server => Environment.GetEnvironmentVariable(ServerVariable) is { Length: > 0 } value ? value : null;

    public static bool Required => Environment.GetEnvironmentVariable("POSTGRES_TESTS") == "required";

    public string Name { get; }

    /// <summary>The value for DATABASE_URL.</summary>
    public string ConnectionString { get; }

    public static async Task<PostgresDatabase> CreateAsync()
    {
        var server = new NpgsqlConnectionStringBuilder(Server ?? throw new InvalidOperationException($"Set {ServerVariable} to a PostgreSQL server's connection string.")) { Database = "postgres", Pooling = false };
        var name = "flexagent_test_" + Guid.NewGuid().ToString("N")[..16];
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await create.ExecuteNonQueryAsync();
        return new PostgresDatabase(server, name);
    }

    /// <summary>Runs a statement against the test's database (as an operator would, e.g. to kill a connection).</summary>
    public async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    /// <summary>
    /// The database goes away, as in a restart or a fail-over: every connection to it is ended and new ones are refused
    /// until <see cref="AcceptConnectionsAsync"/>.
    /// </summary>
    public async Task RefuseConnectionsAsync()
    {
        await OnServerAsync($"ALTER DATABASE {Name} ALLOW_CONNECTIONS false");
        await OnServerAsync($"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '{Name}' AND usename = current_user AND pid <> pg_backend_pid()");
    }

    /// <summary>The database is back.</summary>
    public Task AcceptConnectionsAsync() => OnServerAsync($"ALTER DATABASE {Name} ALLOW_CONNECTIONS true");

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", connection);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await drop.ExecuteNonQueryAsync();
                return;
            }
            catch (PostgresException busy) when (attempt < 20 && busy.SqlState == PostgresErrorCodes.InsufficientPrivilege)
            {
                // The server's autovacuum is working in the database (FORCE may not end its process): it is done soon.
                await Task.Delay(100);
            }
        }
    }

    private async Task OnServerAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>A test that needs a real PostgreSQL: skipped where none is configured, unless PostgreSQL tests are required (CI).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (PostgresDatabase.Server is null && !PostgresDatabase.Required)
        {
            Skip = $"No PostgreSQL server: set {PostgresDatabase.ServerVariable} (.ci/run installs and starts one, and requires these tests).";
        }
    }
}
