using System.Security.Cryptography;

namespace FlexAgentPlugin.Bench;

/// <summary>
/// What one measurement runs: the sandbox's Twilio emulator as its own process, and the server as its own, pointed at
/// the emulator as at any Twilio-compatible host (an account, a Studio flow, its public URL for webhooks). The
/// server's figures are then the server's alone.
/// </summary>
internal sealed class Deployment : IAsyncDisposable
{
    public const string AccountSid = "AC00000000000000000000000000000000";
    public const string StudioFlowSid = "FW00000000000000000000000000000000";

    private readonly string dataFolder;

    private Deployment(ChildProcess emulator, ChildProcess server, string dataFolder, Uri clientAddress, string authToken, Uri serverAddress)
    {
        AuthToken = authToken;
        ServerAddress = serverAddress;
        Emulator = emulator;
        Server = server;
        ClientAddress = clientAddress;
        this.dataFolder = dataFolder;
    }

    public ChildProcess Emulator { get; }

    /// <summary>The emulated account's auth token, which signs what Twilio sends the server.</summary>
    public string AuthToken { get; }

    /// <summary>The server's own (HTTP/1.1) address, where Twilio reaches it.</summary>
    public Uri ServerAddress { get; }

    public ChildProcess Server { get; }

    /// <summary>Where callers reach the server (an HTTP/2 endpoint when asked for).</summary>
    public Uri ClientAddress { get; }

    /// <summary>Environment for the server only (e.g. GC settings), on top of the benchmark's own settings.</summary>
    public static IReadOnlyDictionary<string, string> ExtraServerEnvironment { get; set; } = new Dictionary<string, string>();

    /// <summary>
    /// The folder of the server's FlexAgentPlugin.dll: its Release build unless given (<c>--server</c>), e.g. the folder
    /// <c>dotnet publish</c> wrote, which is what the container image runs (ReadyToRun).
    /// </summary>
    public static string? ServerFolder { get; set; }

    /// <summary>The server's FlexAgentPlugin.dll under <paramref name="root"/>.</summary>
    public static string ServerAssembly(string root) =>
        Path.Combine(ServerFolder ?? Path.Combine(root, "src", "FlexAgentPlugin", "bin", "Release", "net10.0"), "FlexAgentPlugin.dll");

    public static async Task<Deployment> StartAsync(string root, double autoReplySeconds, bool http2 = false, IReadOnlyDictionary<string, string>? serverSettings = null)
    {
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var emulatorUrl = new Uri($"http://127.0.0.1:{ChildProcess.FreePort()}");
        var serverUrl = new Uri($"http://127.0.0.1:{ChildProcess.FreePort()}");
        var dataFolder = Path.Combine(Path.GetTempPath(), "flexagent-bench", Guid.NewGuid().ToString("N"));

        var emulator = await ChildProcess.StartAsync("emulator", Path.Combine(root, "src", "FlexAgentPlugin.Sandbox", "bin", "Release", "net10.0", "FlexAgentPlugin.Sandbox.dll"), emulatorUrl,
        [
            new("ASPNETCORE_URLS", emulatorUrl.ToString()),
            new("SANDBOX_AUTH_TOKEN", token),
            new("SANDBOX_AUTO_REPLY_SECONDS", autoReplySeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ]);

        var server = new Dictionary<string, string>
        {
            ["ACCOUNT_SID"] = AccountSid,
            ["AUTH_TOKEN"] = token,
            ["CONV_FLOW"] = StudioFlowSid,
            ["TWILIO_CONVERSATIONS_BASE_URL"] = $"{emulatorUrl}sandbox/twilio",
            ["TWILIO_FLEX_BASE_URL"] = $"{emulatorUrl}sandbox/flex",
            ["PUBLIC_BASE_URL"] = serverUrl.ToString().TrimEnd('/'),
            ["DATABASE_PATH"] = Path.Combine(dataFolder, "convs.db"),

            // The benchmark measures the relay: its MCP callers come without signing in.
            ["OAUTH"] = "off",

            // All load comes from one address, far above the production rate limits: lift them for the measurement.
            ["RATE_LIMIT_PER_USER"] = "100000",
            ["RATE_LIMIT_PER_ADDRESS"] = "1000000",
        };
        var clientUrl = serverUrl;
        if (http2)
        {
            // One process may hold 20,000 files here, so 50,000 callers cannot each have a connection: they share
            // HTTP/2 connections (h2c) on a second endpoint; Twilio's webhooks keep HTTP/1.1 on the first.
            clientUrl = new Uri($"http://127.0.0.1:{ChildProcess.FreePort()}");
            server["Kestrel__Endpoints__Webhooks__Url"] = serverUrl.ToString();
            server["Kestrel__Endpoints__Callers__Url"] = clientUrl.ToString();
            server["Kestrel__Endpoints__Callers__Protocols"] = "Http2";
            server["Kestrel__Limits__Http2__MaxStreamsPerConnection"] = "1000";
        }
        else
        {
            server["ASPNETCORE_URLS"] = serverUrl.ToString();
        }

        foreach (var (key, value) in (serverSettings ?? new Dictionary<string, string>()).Concat(ExtraServerEnvironment))
        {
            server[key] = value;
        }

        var serverProcess = await ChildProcess.StartAsync("server", ServerAssembly(root), serverUrl, server);
        return new Deployment(emulator, serverProcess, dataFolder, clientUrl, token, serverUrl);
    }

    /// <summary>
    /// Two servers on one PostgreSQL database (<paramref name="databaseUrl"/>) and one emulator. Both advertise
    /// <paramref name="publicBaseUrl"/> (a splitter that hands each of Twilio's webhooks to either), so the instance that
    /// hears of a reply is often not the one its caller waits on.
    /// </summary>
    public static async Task<(ChildProcess Emulator, ChildProcess A, ChildProcess B, string AuthToken)> StartPairAsync(
        string root, double autoReplySeconds, string databaseUrl, string publicBaseUrl, IReadOnlyDictionary<string, string> serverSettings)
    {
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var emulatorUrl = new Uri($"http://127.0.0.1:{ChildProcess.FreePort()}");
        var emulator = await ChildProcess.StartAsync("emulator", Path.Combine(root, "src", "FlexAgentPlugin.Sandbox", "bin", "Release", "net10.0", "FlexAgentPlugin.Sandbox.dll"), emulatorUrl,
        [
            new("ASPNETCORE_URLS", emulatorUrl.ToString()),
            new("SANDBOX_AUTH_TOKEN", token),
            new("SANDBOX_AUTO_REPLY_SECONDS", autoReplySeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ]);
        var servers = new List<ChildProcess>();
        foreach (var name in new[] { "server-a", "server-b" })
        {
            var url = new Uri($"http://127.0.0.1:{ChildProcess.FreePort()}");
            var settings = new Dictionary<string, string>
            {
                ["ACCOUNT_SID"] = AccountSid,
                ["AUTH_TOKEN"] = token,
                ["CONV_FLOW"] = StudioFlowSid,
                ["TWILIO_CONVERSATIONS_BASE_URL"] = $"{emulatorUrl}sandbox/twilio",
                ["TWILIO_FLEX_BASE_URL"] = $"{emulatorUrl}sandbox/flex",
                ["PUBLIC_BASE_URL"] = publicBaseUrl,
                ["OAUTH"] = "off",
                ["DATABASE_URL"] = databaseUrl,
                ["ASPNETCORE_URLS"] = url.ToString(),
                ["RATE_LIMIT_PER_USER"] = "100000",
                ["RATE_LIMIT_PER_ADDRESS"] = "1000000",

                // Errors reach the benchmark's console (on standard error), so a failing run says why.
                ["Logging__Console__LogToStandardErrorThreshold"] = "Error",
            };
            foreach (var (key, value) in serverSettings.Concat(ExtraServerEnvironment))
            {
                settings[key] = value;
            }

            servers.Add(await ChildProcess.StartAsync(name, ServerAssembly(root), url, settings));
        }

        return (emulator, servers[0], servers[1], token);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Emulator.DisposeAsync();
        if (Directory.Exists(dataFolder))
        {
            Directory.Delete(dataFolder, recursive: true);
        }
    }
}
