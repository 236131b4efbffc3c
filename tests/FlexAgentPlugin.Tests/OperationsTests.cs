using System.Net;
using FlexAgentPlugin.Backends.Sqlite;
using FlexAgentPlugin.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Tests;

/// <summary>What an operator relies on: liveness, readiness, and a clean shutdown.</summary>
[Collection(RunsAlone.Name)]
public sealed class OperationsTests
{
    [Fact]
    public async Task ReadyzIsHealthyWhenSqliteAnswers()
    {
        using var factory = new PluginFactory();

        var response = await factory.CreateClient().GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ReadyzFailsWhileLivenessStaysUpWhenTheDatabaseIsGone()
    {
        using var factory = new PluginFactory();
        var client = factory.CreateClient();
        SqliteConnection.ClearAllPools();
        Directory.Delete(Path.GetDirectoryName(factory.DatabasePath)!, recursive: true);

        var ready = await client.GetAsync("/readyz");
        var alive = await client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }

    [Fact]
    public async Task ShutdownAnswersWaitingCallersPendingInsteadOfCuttingThemOff()
    {
        using var factory = new PluginFactory();
        var send = PluginFactory.SendAsync(factory.CreateClient(), "alice", "Hi");
        await factory.Clock.WaitForArmedTimerAsync();

        factory.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

        var response = await send.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"status\":\"pending\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task StoppedServerCheckpointsTheWriteAheadLogIntoTheDatabaseFile()
    {
        using var factory = new PluginFactory();
        var send = PluginFactory.SendAsync(factory.CreateClient(), "alice", "Hi");
        await factory.Clock.WaitForArmedTimerAsync();
        var wal = new FileInfo(factory.DatabasePath + "-wal");
        Assert.True(wal.Exists && wal.Length > 0, "The row should first be in the write-ahead log.");
        var lifetime = factory.Services.GetRequiredService<IHostApplicationLifetime>();

        lifetime.StopApplication();
        await send.WaitAsync(TimeSpan.FromSeconds(10));

        // The pooled connections stay open (closing the last one would checkpoint by itself): only the
        // server's own checkpoint can empty the log here.
        for (var attempt = 0; attempt < 100 && (!lifetime.ApplicationStopped.IsCancellationRequested || Length(wal) > 0); attempt++)
        {
            await Task.Delay(50);
        }

        Assert.Equal(0, Length(wal));
        Assert.Single(factory.StoredRows());
    }

    [Fact]
    public async Task AWriteThatComesAfterTheStopsCheckpointGoesIntoTheDatabaseFileToo()
    {
        var folder = Directory.CreateTempSubdirectory("flexagent-checkpoint-").FullName;
        try
        {
            using var store = new SqliteStore(Options.Create(new SqliteOptions { DatabasePath = Path.Combine(folder, "convs.db") }), TimeProvider.System);
            await store.InitializeAsync(CancellationToken.None);
            var wal = new FileInfo(store.DatabasePath + "-wal");
            await store.BeginWaitAsync("CH00000000000000000000000000000001", 1, CancellationToken.None);
            Assert.True(Length(wal) > 0, "The first write should be in the write-ahead log.");
            store.Checkpoint();
            Assert.Equal(0, Length(wal));

            // Something still writing as the process ends (a recording beside a wait, say) after the stop's checkpoint.
            await store.BeginWaitAsync("CH00000000000000000000000000000002", 1, CancellationToken.None);

            Assert.Equal(0, Length(wal));
            Assert.NotNull(await store.FindWaitAsync("CH00000000000000000000000000000002", CancellationToken.None));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }

    private static long Length(FileInfo file)
    {
        file.Refresh();
        return file.Exists ? file.Length : 0;
    }
}
