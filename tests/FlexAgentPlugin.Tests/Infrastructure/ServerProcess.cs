using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace FlexAgentPlugin.Tests.Infrastructure;

/// <summary>
/// The built server as its own process, as a user starts it: for what only a real process shows (its exit code, what it
/// prints, how it stops). No Twilio account reaches it from the test machine's environment.
/// </summary>
public sealed class ServerProcess : IDisposable
{
    private static readonly string[] Inherited = ["ACCOUNT_SID", "AUTH_TOKEN", "TWILIO_API_KEY", "TWILIO_API_SECRET", "CONV_FLOW", "SANDBOX", "PUBLIC_BASE_URL", "DATABASE_PATH"];

    private readonly Process process;
    private readonly ConcurrentQueue<string> output = new();
    private readonly ConcurrentQueue<string> errors = new();
    private readonly string dataFolder = Path.Combine(Path.GetTempPath(), "flexagent-tests", Guid.NewGuid().ToString("N"));

    private ServerProcess(IEnumerable<string> args, IDictionary<string, string> environment, string? workingDirectory)
    {
        Directory.CreateDirectory(dataFolder);
        var start = new ProcessStartInfo("dotnet", [typeof(Program).Assembly.Location, .. args])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = workingDirectory ?? dataFolder,
        };
        foreach (var name in Inherited)
        {
            start.Environment.Remove(name);
        }

        start.Environment["DATABASE_PATH"] = Path.Combine(dataFolder, "convs.db");
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) errors.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public IReadOnlyList<string> Output => [.. output];

    public IReadOnlyList<string> Errors => [.. errors];

    public static ServerProcess Start(IEnumerable<string> args, IDictionary<string, string>? environment = null, string? workingDirectory = null) =>
        new(args, environment ?? new Dictionary<string, string>(), workingDirectory);

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Waits for the process to end by itself and returns its exit code.</summary>
    public async Task<int> ExitCodeAsync()
    {
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return process.ExitCode;
    }

    /// <summary>Waits until a line of standard output matches.</summary>
    public async Task<string> WaitForOutputAsync(Func<string, bool> match)
    {
        for (var waited = TimeSpan.Zero; waited < TimeSpan.FromSeconds(60); waited += TimeSpan.FromMilliseconds(50))
        {
            if (output.FirstOrDefault(match) is { } line)
            {
                return line;
            }

            Assert.False(process.HasExited, $"The server ended: {string.Join("\n", errors)}");
            await Task.Delay(50);
        }

        throw new TimeoutException("The server did not print the expected line:\n" + string.Join("\n", output));
    }

    /// <summary>Asks the process to stop as Ctrl+C or a container stop does (SIGTERM) and returns how long it took.</summary>
    public async Task<TimeSpan> StopAsync()
    {
        var stopping = Stopwatch.StartNew();
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return stopping.Elapsed;
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        process.Dispose();
        try
        {
            Directory.Delete(dataFolder, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}
