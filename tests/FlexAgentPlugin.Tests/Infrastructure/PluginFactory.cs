using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using FlexAgentPlugin.Backends.OpenAi;
using FlexAgentPlugin.Backends.Twilio;
using FlexAgentPlugin.Core.Callbacks;
using FlexAgentPlugin.Doors.Handover;
using FlexAgentPlugin.Sandbox;
using FlexAgentPlugin.Sandbox.Emulator;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FlexAgentPlugin.Tests.Infrastructure;

/// <summary>
/// The server under test: real pipeline and SQLite (in a temporary folder), Twilio played by the sandbox's emulator
/// (<see cref="EmulatedTwilio"/>, in memory), time by <see cref="ManualClock"/>. Disposing it fails the test if the
/// emulator saw a request Twilio does not define. <see cref="Sandbox"/> and <see cref="RealSandbox"/> run the server in
/// sandbox mode instead (no account: the emulator inside the server).
/// </summary>
public sealed class PluginFactory : WebApplicationFactory<Program>
{
    public const string AccountSid = "AC0123456789abcdef0123456789abcdef";
    public const string AuthToken = "test-auth-token-0001";
    public const string FlowSid = "FW0123456789abcdef0123456789abcdef";
    public const string WorkspaceSid = "WS0123456789abcdef0123456789abcdef";
    public const string WorkflowSid = "WW0123456789abcdef0123456789abcdef";
    public const string HandoverToken = "handover-token-0123456789";

    private readonly string dataFolder = Path.Combine(Path.GetTempPath(), "flexagent-tests", Guid.NewGuid().ToString("N"));

    private readonly Mode mode;
    private readonly bool ownsTwilio;

    /// <summary>A server against an emulated Twilio: a new one, or <paramref name="twilio"/> to share it across a restart.</summary>
    public PluginFactory(IDictionary<string, string?>? settings = null, EmulatedTwilio? twilio = null)
        : this(Mode.EmulatedTwilio, ValidSettings(databasePath: null, settings), twilio)
    {
    }

    private PluginFactory(Mode mode, Dictionary<string, string?> settings, EmulatedTwilio? twilio = null, bool consoleToken = false)
    {
        this.mode = mode;
        Settings = settings;
        Settings.TryAdd("DATABASE_PATH", Path.Combine(dataFolder, "convs.db"));
        if (mode == Mode.EmulatedTwilio)
        {
            ownsTwilio = twilio is null;
            Twilio = twilio ?? new EmulatedTwilio(AccountSid, AuthToken, Clock);
            Twilio.WebhookTarget = () => Server.CreateHandler();
        }
        else
        {
            Twilio = null!;
        }
        if (mode == Mode.RealSandbox)
        {
            // Kestrel listens on loopback (UseKestrel); an address others could reach, as the sandbox sees it, asks for the console's token.
            var port = FreePort();
            Settings["urls"] = consoleToken ? $"http://0.0.0.0:{port}" : $"http://127.0.0.1:{port}";
            BaseAddress = new Uri($"http://127.0.0.1:{port}/");
            UseKestrel(port);
        }
    }

    private enum Mode
    {
        EmulatedTwilio,
        Sandbox,
        RealSandbox,
    }

    /// <summary>The real Kestrel address in <see cref="RealSandbox"/> mode.</summary>
    public Uri? BaseAddress { get; }

    /// <summary>No Twilio account: the built-in sandbox, reached in memory, on the manual clock.</summary>
    public static PluginFactory Sandbox(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null) =>
        new(Mode.Sandbox, SandboxSettings(settings)) { TestServices = services };

    /// <summary>
    /// The sandbox on a real Kestrel port and the real clock: the relay reaches its emulator over HTTP, a browser reaches the
    /// console (which, with <paramref name="consoleToken"/>, asks for its token as on an address others can reach).
    /// </summary>
    public static PluginFactory RealSandbox(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null, bool consoleToken = false)
    {
        var factory = new PluginFactory(Mode.RealSandbox, SandboxSettings(consoleToken ? With(new() { ["SANDBOX"] = "true" }, settings) : settings), consoleToken: consoleToken)
        {
            TestServices = services,
        };
        factory.StartServer();
        return factory;
    }

    /// <summary>Services a test adds or replaces, after the server's own.</summary>
    public Action<IServiceCollection>? TestServices { get; init; }

    public Dictionary<string, string?> Settings { get; }

    /// <summary>A complete, valid configuration pointing at the emulated Twilio, with <paramref name="overrides"/> applied.</summary>
    public static Dictionary<string, string?> ValidSettings(string? databasePath, IDictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ACCOUNT_SID"] = AccountSid,
            ["AUTH_TOKEN"] = AuthToken,
            ["CONV_FLOW"] = FlowSid,
            ["TWILIO_CONVERSATIONS_BASE_URL"] = EmulatedTwilio.ConversationsBaseUrl,
            ["TWILIO_FLEX_BASE_URL"] = EmulatedTwilio.FlexBaseUrl,
            ["TWILIO_API_BASE_URL"] = EmulatedTwilio.VoiceBaseUrl,
            ["TWILIO_SYNC_BASE_URL"] = EmulatedTwilio.SyncBaseUrl,
            ["TWILIO_IAM_BASE_URL"] = EmulatedTwilio.IamBaseUrl,
            ["TWILIO_VERIFY_BASE_URL"] = EmulatedTwilio.VerifyBaseUrl,
            ["TWILIO_TASKROUTER_BASE_URL"] = EmulatedTwilio.TaskRouterBaseUrl,
            ["VERIFY_SERVICE_SID"] = SandboxAccount.VerifyServiceSid,
        };
        if (databasePath is not null)
        {
            settings["DATABASE_PATH"] = databasePath;
        }

        return With(settings, overrides);
    }

    private static Dictionary<string, string?> SandboxSettings(IDictionary<string, string?>? overrides) =>
        With(new Dictionary<string, string?> { ["ACCOUNT_SID"] = "", ["AUTH_TOKEN"] = "", ["CONV_FLOW"] = "" }, overrides);

    private static Dictionary<string, string?> With(Dictionary<string, string?> settings, IDictionary<string, string?>? overrides)
    {
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>SQLite may still be closing its -wal/-shm files for a moment: retry, then leave the temp folder.</summary>
    private void DeleteTemporaryFolder()
    {
        for (var attempt = 0; attempt < 20 && Directory.Exists(dataFolder); attempt++)
        {
            try
            {
                Directory.Delete(dataFolder, recursive: true);
            }
            catch (IOException)
            {
                Thread.Sleep(25);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>OpenAI's API as the server's model client reaches it (with <see cref="FakeOpenAi.Settings"/>), played by WireMock.</summary>
    public FakeOpenAi OpenAi { get; } = new();

    /// <summary>Twilio's IAM token validation as the server reaches it (with <see cref="FakeIam.Settings"/>), played by WireMock.</summary>
    public FakeIam Iam { get; } = new();

    /// <summary>The emulated Twilio (not in the sandbox modes, where the server has its own).</summary>
    public EmulatedTwilio Twilio { get; }

    public ManualClock Clock { get; } = new();

    public LogCapture Logs { get; } = new();

    public string DatabasePath => Settings["DATABASE_PATH"]!;

    /// <summary>Starts POST /send/{username} and returns the pending response.</summary>
    public static Task<HttpResponseMessage> SendAsync(HttpClient client, string username, string msg, CancellationToken cancellationToken = default) =>
        client.PostAsJsonAsync($"/send/{username}", new { msg }, cancellationToken);

    /// <summary>Posts a conversation event to the server as Twilio would, signed with the auth token for PUBLIC_BASE_URL.</summary>
    public Task<HttpResponseMessage> PostEventAsync(HttpClient client, params (string Name, string Value)[] form) =>
        PostSignedAsync(client, TwilioCallbacks.ConversationEventsPath, form);

    /// <summary>Posts a form to <paramref name="path"/> as Twilio would, signed with the auth token for PUBLIC_BASE_URL.</summary>
    public Task<HttpResponseMessage> PostSignedAsync(HttpClient client, string path, params (string Name, string Value)[] form)
    {
        var pairs = form.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)).ToList();
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(pairs) };
        request.Headers.Add(TwilioSignature.Header, RequestSigner.Sign(AuthToken, Settings["PUBLIC_BASE_URL"] + path, pairs));
        return client.SendAsync(request);
    }

    /// <summary>A hand-over tool call as a Twilio AI Assistant makes it, with HANDOVER_TOKEN as the bearer token.</summary>
    public static HttpRequestMessage HandoverRequest(string? sessionId, string? identity, string query = "")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, HandoverEndpoints.Path + query);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", HandoverToken);
        if (!string.IsNullOrEmpty(sessionId))
        {
            request.Headers.Add(HandoverInput.SessionHeader, sessionId);
        }

        if (identity is not null)
        {
            request.Headers.Add(HandoverInput.IdentityHeader, identity);
        }

        return request;
    }

    /// <summary>A client with the sandbox's Basic auth, as the server's Twilio clients have, for calling its emulator.</summary>
    public HttpClient CreateSandboxEmulatorClient()
    {
        var emulator = CreateClient();
        var account = Services.GetRequiredService<SandboxSession>().Account;
        emulator.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{account.AccountSid}:{account.AuthToken}")));
        return emulator;
    }

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

        // Early (UseSetting), so Program sees them when it decides on the sandbox, and last (app configuration), so they
        // win over anything in the developer's environment.
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(Settings));
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
        builder.ConfigureTestServices(services =>
        {
            switch (mode)
            {
                case Mode.EmulatedTwilio:
                    services.AddSingleton<TimeProvider>(Clock);
                    services.AddHttpClient(TwilioSetup.ClientName).ConfigurePrimaryHttpMessageHandler(() => Iam.Route(Twilio.CreateHandler()));
                    services.AddHttpClient(OpenAiSetup.ClientName).ConfigurePrimaryHttpMessageHandler(OpenAi.CreateHandler);
                    break;
                case Mode.Sandbox:
                    services.AddSingleton<TimeProvider>(Clock);
                    services.AddHttpClient(TwilioSetup.ClientName).ConfigurePrimaryHttpMessageHandler(() => Server.CreateHandler());
                    services.AddHttpClient(SandboxSetup.WebhookClientName).ConfigurePrimaryHttpMessageHandler(() => Server.CreateHandler());
                    services.AddHttpClient(OpenAiSetup.ClientName).ConfigurePrimaryHttpMessageHandler(() => Server.CreateHandler());
                    break;
                case Mode.RealSandbox:
                    break;
            }

            TestServices?.Invoke(services);
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
        DeleteTemporaryFolder();
        var unknown = Twilio?.UnknownRequests ?? [];
        var unknownToTheModel = OpenAi.Unknown;
        var unknownToIam = Iam.Unknown;
        OpenAi.Dispose();
        Iam.Dispose();
        if (ownsTwilio)
        {
            Twilio!.Dispose();
        }

        Assert.True(unknown.Count == 0, "The emulated Twilio received requests Twilio does not define:\n" + string.Join("\n", unknown));
        Assert.True(unknownToTheModel.Count == 0, "The fake OpenAI API received requests it does not accept:\n" + string.Join("\n", unknownToTheModel));
        Assert.True(unknownToIam.Count == 0, "The fake IAM received requests it does not accept:\n" + string.Join("\n", unknownToIam));
    }
}
