using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace FlexAgentPlugin.Bench;

/// <summary>The server under test, as its own process (so its memory is its own), in sandbox mode on a free port.</summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private static readonly char[] Blanks = [' ', '\t'];

    private readonly Process process;
    private readonly string dataFolder;

    private ServerProcess(Process process, Uri baseAddress, string dataFolder)
    {
        this.process = process;
        this.dataFolder = dataFolder;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>Environment for the server only (e.g. GC settings), on top of the benchmark's own settings.</summary>
    public static IReadOnlyDictionary<string, string> ExtraEnvironment { get; set; } = new Dictionary<string, string>();

    public int Pid => process.Id;

    public static async Task<ServerProcess> StartAsync(string serverDll, IReadOnlyDictionary<string, string> settings)
    {
        var port = FreePort();
        var dataFolder = Path.Combine(Path.GetTempPath(), "flexagent-bench", Guid.NewGuid().ToString("N"));
        var start = new ProcessStartInfo("dotnet", [serverDll])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(serverDll)!,
        };
        foreach (var name in new[] { "ACCOUNT_SID", "AUTH_TOKEN", "TWILIO_API_KEY", "TWILIO_API_SECRET", "CONV_FLOW", "PUBLIC_BASE_URL" })
        {
            start.Environment.Remove(name);
        }

        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["DATABASE_PATH"] = Path.Combine(dataFolder, "convs.db");
        start.Environment["Logging__LogLevel__Default"] = "Warning";

        // All load comes from one address, far above the production rate limits: lift them for the measurement.
        start.Environment["RATE_LIMIT_PER_USER"] = "100000";
        start.Environment["RATE_LIMIT_PER_ADDRESS"] = "1000000";
        foreach (var (name, value) in settings.Concat(ExtraEnvironment))
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"  server: {e.Data}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var server = new ServerProcess(process, new Uri($"http://127.0.0.1:{port}/"), dataFolder);
        using var probe = new HttpClient { BaseAddress = server.BaseAddress };
        for (var attempt = 0; attempt < 200; attempt++)
        {
            try
            {
                if ((await probe.GetAsync("/healthz")).IsSuccessStatusCode)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException("The server did not start within 20 seconds.");
    }

    /// <summary>Resident memory now and the peak so far (VmHWM), in MiB, and the thread count, from /proc.</summary>
    public (double Rss, double Peak, int Threads) Memory()
    {
        var status = File.ReadAllLines($"/proc/{process.Id}/status");
        double Read(string key) => double.Parse(status.First(l => l.StartsWith(key, StringComparison.Ordinal))
            .Split(Blanks, StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        return (Read("VmRSS:") / 1024, Read("VmHWM:") / 1024, (int)Read("Threads:"));
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
        if (Directory.Exists(dataFolder))
        {
            Directory.Delete(dataFolder, recursive: true);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
