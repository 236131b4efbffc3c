using FlexAgentPlugin.Backends;
using FlexAgentPlugin.Backends.OpenAi;
using FlexAgentPlugin.Backends.Twilio;
using FlexAgentPlugin.Configuration;
using FlexAgentPlugin.Core.Exchanges;
using FlexAgentPlugin.Doors.AgentDesk;
using FlexAgentPlugin.Doors.AiResponder;
using FlexAgentPlugin.Doors.GptAction;
using FlexAgentPlugin.Doors.Handover;
using FlexAgentPlugin.Doors.Mcp;
using FlexAgentPlugin.Doors.PhoneAi;
using FlexAgentPlugin.Doors.PluginFiles;
using FlexAgentPlugin.Doors.SignIn;
using FlexAgentPlugin.Doors.TwilioEvents;
using FlexAgentPlugin.Doors.Voice;
using FlexAgentPlugin.Doors.VoiceAssistFunctions;
using FlexAgentPlugin.Hosting;
using FlexAgentPlugin.Hosting.Access;
using FlexAgentPlugin.Hosting.Health;
using FlexAgentPlugin.Hosting.Logging;
using FlexAgentPlugin.Hosting.OAuth;
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

    // Who may call (agents with their Flex token too), and the front doors, each an AddXxx here and a MapXxx below: the
    // GPT Action API's files (the API itself needs only the engine), the MCP server, Twilio's webhooks (conversation
    // events, the AI responder for customers on channels), the hand-over tool, voice assist, the Functions the
    // voice-assist Flex plugin calls, the agents' desk (a messaging task's context and reply drafts for the agents'
    // Flex plugin), the AI on the phone.
    builder.Services.AddAccess();
    builder.Services.AddPluginFiles().AddMcp().AddConversationEvents().AddAiResponder().AddHandover()
        .AddVoice().AddVoiceAssistFunctions().AddAgentDesk().AddPhoneAi().AddHealth();

    // Sign-in (OAuth 2.1) once the server knows its public URL (or runs the sandbox): the built-in authorization server
    // and its pages, where a person proves their phone or email with a code (Twilio Verify), or OAUTH_AUTHORITY's tokens.
    // Then /mcp takes a sign-in token or an API key, and /send and /replies also take a token.
    var signIn = builder.Services.AddOAuth(builder.Configuration, sandbox?.SelfBaseUrl);
    builder.Services.AddBearerTokens(signIn, builder.Configuration).AddSignIn(signIn);

    var app = builder.Build();

    // Pipeline: client address from a local proxy, request log, failures as ProblemDetails, CORS (any page for the
    // sign-in's metadata and token endpoints, Flex UI's on the agents' endpoints, ChatGPT for the rest), the sandbox's
    // console, authentication (the sign-in's endpoints and metadata too), authorization, rate limits, WebSockets
    // (voice), Swagger UI.
    app.UseForwardedHeaders();
    app.UseHttpLogging();
    app.UseExceptionHandler();
    app.UseStatusCodePages();
    app.UseOAuthCors();
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

    // Endpoints: the doors, in the order added above, and sign-in's pages.
    app.MapGptAction();
    app.MapPluginFiles();
    app.MapMcp();
    app.MapConversationEvents();
    app.MapAiResponder();
    app.MapHandover();
    app.MapVoice();
    app.MapVoiceAssistFunctions();
    app.MapAgentDesk();
    app.MapPhoneAi();
    app.MapHealth();
    app.MapSignIn();

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
