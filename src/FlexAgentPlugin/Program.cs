using FlexAgentPlugin.Backends;
using FlexAgentPlugin.Backends.OpenAi;
using FlexAgentPlugin.Backends.Twilio;
using FlexAgentPlugin.Configuration;
using FlexAgentPlugin.Core.Exchanges;
using FlexAgentPlugin.Doors.AiResponder;
using FlexAgentPlugin.Doors.GptAction;
using FlexAgentPlugin.Doors.Handover;
using FlexAgentPlugin.Doors.Mcp;
using FlexAgentPlugin.Doors.PhoneAi;
using FlexAgentPlugin.Doors.PluginFiles;
using FlexAgentPlugin.Doors.TwilioEvents;
using FlexAgentPlugin.Doors.Voice;
using FlexAgentPlugin.Hosting;
using FlexAgentPlugin.Hosting.Access;
using FlexAgentPlugin.Hosting.Health;
using FlexAgentPlugin.Hosting.Logging;
using FlexAgentPlugin.Hosting.Problems;
using FlexAgentPlugin.Hosting.Telemetry;
using FlexAgentPlugin.Sandbox;

try
{
    // appsettings.json (log levels) ships beside the binary.
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

    // Settings: environment variables and an optional .env in the working directory; http://localhost:5002 by default.
    builder.AddEnvironmentSettings(args);

    // The built-in Flex sandbox stands in for Twilio when no account is configured and only this machine can reach us.
    var sandbox = builder.AddSandboxWhenOn();

    // Errors are ProblemDetails mapped in one place; request logs hide secrets; one line at start says how the server is
    // set up; OpenTelemetry over OTLP when an endpoint is set; one clock that tests can move.
    builder.Services.AddProblems().AddRequestLogging().AddStartReport().AddTelemetry(builder.Configuration).AddSingleton(TimeProvider.System);

    // The engine, and its back ends: Twilio, a language model (OpenAI's API), and the store with its signals and locks:
    // PostgreSQL shared by several instances with DATABASE_URL, else embedded SQLite in one process.
    builder.Services.AddExchange().AddTwilio().AddOpenAi().AddStore(builder.Configuration);

    // Who may call, and the front doors: the GPT Action API and its files, the MCP server, Twilio's webhooks (conversation
    // events, the AI responder for customers on channels), the hand-over tool, voice assist, the AI on the phone.
    builder.Services.AddAccess().AddPluginFiles().AddMcp().AddHandover().AddVoice().AddPhoneAi().AddHealth();

    var app = builder.Build();

    // Pipeline: client address from a local proxy, request log, failures as ProblemDetails, CORS for ChatGPT, the
    // sandbox's console, authentication, authorization, rate limits, WebSockets (voice), Swagger UI.
    app.UseForwardedHeaders();
    app.UseHttpLogging();
    app.UseExceptionHandler();
    app.UseStatusCodePages();
    app.UseCors(PluginFilesEndpoints.CorsPolicy);
    if (sandbox is not null)
    {
        app.UseFlexSandbox();
    }

    app.UseAuthentication();
    app.UseAuthorization();
    app.UseRateLimiter();
    app.UseWebSockets();
    app.UsePluginSwaggerUi();

    // Endpoints.
    app.MapGptAction();
    app.MapPluginFiles();
    app.MapMcpServer();
    app.MapConversationEvents();
    app.MapAiResponder();
    app.MapHandover();
    app.MapVoice();
    app.MapPhoneAi();
    app.MapHealth();

    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (StartFailures.Explain(ex) is { Count: > 0 } failures)
{
    foreach (var failure in failures)
    {
        Console.Error.WriteLine($"Configuration error: {failure}");
    }

    return 1;
}

/// <summary>The entry point, visible to the test host.</summary>
public partial class Program;
