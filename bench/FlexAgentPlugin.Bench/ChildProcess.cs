using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace FlexAgentPlugin.Bench;

/// <summary>A program under measurement, as its own process (so its memory is its own), started from a built dll.</summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private static readonly char[] Blanks = [' ', '\t'];
    private static readonly string[] Inherited = ["ACCOUNT_SID", "AUTH_TOKEN", "TWILIO_API_KEY", "TWILIO_API_SECRET", "CONV_FLOW", "PUBLIC_BASE_URL", "SANDBOX", "DATABASE_URL"];

    private readonly Process process;

    private ChildProcess(Process process, Uri baseAddress)
    {
        this.process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public int Pid => process.Id;

    public static async Task<ChildProcess> StartAsync(
        string name, string dll, Uri baseAddress, IEnumerable<KeyValuePair<string, string>> environment, IEnumerable<string>? arguments = null)
    {
        var start = new ProcessStartInfo("dotnet", [dll, .. arguments ?? []])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        foreach (var variable in Inherited)
        {
            start.Environment.Remove(variable);
        }

        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"  {name}: {e.Data}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var child = new ChildProcess(process, baseAddress);
        using var probe = new HttpClient { BaseAddress = baseAddress };
        for (var attempt = 0; attempt < 300; attempt++)
        {
            try
            {
                if ((await probe.GetAsync("/healthz")).IsSuccessStatusCode)
                {
                    return child;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (process.HasExited)
            {
                break;
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException($"The {name} did not start within 30 seconds.");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Resident memory now and the peak so far (VmHWM), in MiB, the thread count, and CPU seconds used, from /proc.</summary>
    public (double Rss, double Peak, int Threads, double CpuSeconds) Memory()
    {
        var status = File.ReadAllLines($"/proc/{process.Id}/status");
        double Read(string key) => double.Parse(status.First(l => l.StartsWith(key, StringComparison.Ordinal))
            .Split(Blanks, StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        process.Refresh();
        return (Read("VmRSS:") / 1024, Read("VmHWM:") / 1024, (int)Read("Threads:"), process.TotalProcessorTime.TotalSeconds);
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }
}
