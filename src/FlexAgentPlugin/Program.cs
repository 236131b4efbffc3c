using FlexAgentPlugin.Access;
using FlexAgentPlugin.Configuration;
using FlexAgentPlugin.Events;
using FlexAgentPlugin.Handover;
using FlexAgentPlugin.Health;
using FlexAgentPlugin.PluginFiles;
using FlexAgentPlugin.Relay;
using FlexAgentPlugin.Replies;
using FlexAgentPlugin.Sandbox;
using FlexAgentPlugin.Storage;
using FlexAgentPlugin.Twilio;

// appsettings.json (log levels) ships beside the binary; .env is read from the working directory.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

// Settings: environment variables and an optional .env, the original's names; listens on :5002 by default.
builder.AddEnvironmentSettings(args);

// Errors are ProblemDetails; time comes from one clock that tests can move.
builder.Services.AddProblemDetails();
builder.Services.AddSingleton(TimeProvider.System);

// Capabilities: access (bearer token, rate limits), plugin files, the relay (conversations, Flex routing,
// replies), Twilio's conversation events, the AI Assistant hand-over tool, Twilio, storage, health, and the
// built-in Flex sandbox used when no Twilio account is configured.
builder.Services
    .AddAccess()
    .AddPluginFiles()
    .AddRelay()
    .AddConversationEvents()
    .AddHandover()
    .AddTwilio()
    .AddStorage()
    .AddHealth()
    .AddSandbox();

var app = builder.Build();

// Pipeline: client address from a local proxy, failures as ProblemDetails (Twilio faults included),
// CORS for ChatGPT, rate limits, Swagger UI.
app.UseForwardedHeaders();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseCors(PluginFilesEndpoints.CorsPolicy);
app.UseRateLimiter();
app.UsePluginSwaggerUi();

// Endpoints: the API (bearer token, rate limits) and everything around it.
var api = app.MapApi(RelayEndpoints.ApiTag);
api.MapRelay();
api.MapReplies();
app.MapPluginFiles();
app.MapConversationEvents();
app.MapHandover();
app.MapHealth();
app.MapSandbox();

app.WarnWhenOpen();
return app.RunOrExplain();

/// <summary>The entry point, visible to the test host.</summary>
public partial class Program;
