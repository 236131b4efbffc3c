using System.Net.Http.Json;
using FlexAgentPlugin.Twilio;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace FlexAgentPlugin.Tests.Infrastructure;

/// <summary>
/// The server under test: real pipeline and SQLite (in a temporary folder), Twilio replaced by
/// <see cref="FakeTwilio"/>, time by <see cref="ManualClock"/>. Disposing it fails the test if the
/// fake saw a request it does not know.
/// </summary>
public sealed class PluginFactory : WebApplicationFactory<Program>
{
    public const string AccountSid = "AC0123456789abcdef0123456789abcdef";
    public const string AuthToken = "test-auth-token-0001";
    public const string FlowSid = "FW0123456789abcdef0123456789abcdef";

    private readonly string dataFolder = Path.Combine(Path.GetTempPath(), "flexagent-tests", Guid.NewGuid().ToString("N"));

    public PluginFactory(IDictionary<string, string?>? settings = null)
    {
        Settings = ValidSettings(Path.Combine(dataFolder, "convs.db"), settings);
        Twilio = new FakeTwilio(AccountSid, AuthToken);
    }

    public Dictionary<string, string?> Settings { get; }

    /// <summary>A complete, valid configuration pointing at the fake Twilio, with <paramref name="overrides"/> applied.</summary>
    public static Dictionary<string, string?> ValidSettings(string databasePath, IDictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ACCOUNT_SID"] = AccountSid,
            ["AUTH_TOKEN"] = AuthToken,
            ["CONV_FLOW"] = FlowSid,
            ["TWILIO_CONVERSATIONS_BASE_URL"] = FakeTwilio.Host,
            ["DATABASE_PATH"] = databasePath,
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }

    public FakeTwilio Twilio { get; }

    public ManualClock Clock { get; } = new();

    public string DatabasePath => Settings["DATABASE_PATH"]!;

    /// <summary>Starts POST /send/{username} and returns the pending response.</summary>
    public static Task<HttpResponseMessage> SendAsync(HttpClient client, string username, string msg, CancellationToken cancellationToken = default) =>
        client.PostAsJsonAsync($"/send/{username}", new { msg }, cancellationToken);

    /// <summary>Sends and, for each poll, moves the clock on until the server answers.</summary>
    public async Task<HttpResponseMessage> SendAndWaitAsync(HttpClient client, string username, string msg) =>
        await Clock.RunUntilDoneAsync(SendAsync(client, username, msg));

    /// <summary>Rows of the user table, read straight from the database file.</summary>
    public IReadOnlyList<(string UserKey, string ConversationSid)> StoredRows()
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT user_key, conversation_sid FROM user_conversations ORDER BY user_key";
        using var reader = command.ExecuteReader();
        var rows = new List<(string, string)>();
        while (reader.Read())
        {
            rows.Add((reader.GetString(0), reader.GetString(1)));
        }

        return rows;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Test");
        builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(Settings));
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            services.AddHttpClient<ConversationsClient>().ConfigurePrimaryHttpMessageHandler(Twilio.CreateHandler);
        });
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (!disposing)
        {
            return;
        }

        SqliteConnection.ClearAllPools();
        if (Directory.Exists(dataFolder))
        {
            Directory.Delete(dataFolder, recursive: true);
        }

        Assert.True(Twilio.UnknownRequests.Count == 0,
            "The fake Twilio received requests it does not know:\n" + string.Join("\n", Twilio.UnknownRequests));
    }
}
