using System.Security.Cryptography;
using FlexAgentPlugin.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FlexAgentPlugin.Tests;

/// <summary>ASP.NET Core's data-protection keys live in the store: shared by the instances on it, kept across restarts.</summary>
public sealed class DataProtectionKeysTests : IAsyncLifetime
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "flexagent-tests", Guid.NewGuid().ToString("N"));
    private readonly List<TestStore> stores = [];

    [Theory, OnSqlite, OnPostgres]
    public async Task AValueProtectedByOneInstanceIsReadByAnotherOnTheSameStoreAndByNoneOnAnother(string store)
    {
        var shared = await StoreAsync(store);
        using var first = Instance(shared, "shared.db");
        var sealedValue = Protector(first).Protect("a value of the first instance");
        using var second = Instance(shared, "shared.db");
        using var elsewhere = Instance(await StoreAsync(store), "other.db");

        Assert.Equal("a value of the first instance", Protector(second).Unprotect(sealedValue));
        Assert.ThrowsAny<CryptographicException>(() => Protector(elsewhere).Unprotect(sealedValue));
    }

    [Theory, OnSqlite, OnPostgres]
    public async Task StartingWritesNoWarningAboutTheKeys(string store)
    {
        using var server = Instance(await StoreAsync(store), "keys.db");

        Protector(server).Protect("anything");

        Assert.DoesNotContain(server.Logs.Lines, line => line.Category.StartsWith("Microsoft.AspNetCore.DataProtection", StringComparison.Ordinal)
            && line.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task AServerInAContainerStartsWithoutWarningThatItsKeysAreLostWithTheContainer()
    {
        Directory.CreateDirectory(folder);
        using var server = ServerProcess.Start(["--urls", $"http://127.0.0.1:{ServerProcess.FreePort()}"], new Dictionary<string, string>
        {
            ["DOTNET_RUNNING_IN_CONTAINER"] = "true",
            ["HOME"] = folder,
        });

        await server.WaitForOutputAsync(line => line.Contains("FlexAgentPlugin started", StringComparison.Ordinal));

        Assert.DoesNotContain(server.Output.Concat(server.Errors), line => line.Contains("Microsoft.AspNetCore.DataProtection", StringComparison.Ordinal));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in stores)
        {
            await store.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private async Task<TestStore> StoreAsync(string kind)
    {
        var store = await TestStore.CreateAsync(kind);
        stores.Add(store);
        return store;
    }

    /// <summary>A server on <paramref name="store"/>; on SQLite, on the database file <paramref name="file"/> of this test.</summary>
    private PluginFactory Instance(TestStore store, string file)
    {
        var server = new PluginFactory(store.Settings(new Dictionary<string, string?> { ["DATABASE_PATH"] = Path.Combine(folder, file) }));
        server.CreateClient().Dispose();
        return server;
    }

    private static IDataProtector Protector(PluginFactory server) =>
        server.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("FlexAgentPlugin.Tests");
}
