using FlexAgentPlugin.Sandbox.Emulator;

namespace FlexAgentPlugin.Sandbox;

/// <summary>
/// The sandbox on its own: a stand-in Twilio (and agent console) for a server started elsewhere, e.g. by the
/// benchmark, which then measures the server alone. Point the server at it with ACCOUNT_SID=AC000…,
/// AUTH_TOKEN=SANDBOX_AUTH_TOKEN, TWILIO_CONVERSATIONS_BASE_URL={this}/sandbox/twilio and
/// TWILIO_FLEX_BASE_URL={this}/sandbox/flex.
/// </summary>
public static class SandboxProgram
{
    public static int Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls("http://localhost:5100");
        }

        var refusals = new List<string>();
        var settings = SandboxSettings.Read(builder.Configuration, refusals);
        var urls = SandboxSwitch.ListeningUrls(builder.Configuration);
        if (settings is null)
        {
            refusals.ForEach(r => System.Console.Error.WriteLine($"Configuration error: {r}"));
            return 1;
        }

        var self = urls.FirstOrDefault(u => u.StartsWith("http://", StringComparison.OrdinalIgnoreCase))?.TrimEnd('/').Replace("0.0.0.0", "localhost", StringComparison.Ordinal) ?? "http://localhost:5100";
        builder.Services.AddSingleton(TimeProvider.System);
        var session = builder.Services.AddFlexSandbox(new SandboxSwitch(true, self, NeedsConsoleToken: false, []), settings);
        var app = builder.Build();
        app.UseWebSockets();
        app.UseFlexSandbox();
        app.MapGet("/healthz", () => "Healthy");
        app.Lifetime.ApplicationStarted.Register(() => System.Console.WriteLine(
            $"Twilio emulator: account {session.Account.AccountSid}, auth token {session.Account.AuthToken}, "
            + $"Conversations at {session.ConversationsBaseUrl}, Flex at {session.FlexBaseUrl}"));
        app.Run();
        return 0;
    }
}
