using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Configuration;
using FlexAgentPlugin.Hosting.Access;
using FlexAgentPlugin.Hosting.Requests;
using Microsoft.AspNetCore.Mvc;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol.Protocol;

namespace FlexAgentPlugin.Doors.Mcp;

/// <summary>
/// The MCP server at <c>/mcp</c> (Streamable HTTP, the official SDK): one tool to ask a human agent in Flex, one to fetch
/// their replies, on the same engine, store and exactly-once hand-out as /send. Clients that initialize (protocol
/// 2025-11-25 and older) get a session; 2026-07-28 clients are served per request. With sign-in on, every request
/// carries a sign-in token for <c>/mcp</c> or an API key (in the Authorization header, never the URL); otherwise the
/// API's keys and rules apply.
/// </summary>
public static class McpEndpoints
{
    public const string Path = "/mcp";

    public const string ServerName = "flex-human-agent";

    public const string Instructions =
        "These tools connect the user with a human agent in a contact center (Twilio Flex). "
        + "Call ask_human_agent when the user asks for a person, or needs something only a human agent can do (an account change, "
        + "a refund, a complaint, anything you cannot answer yourself); pass the user's message in their own words. The tool waits "
        + "for the agent's answer and returns it; relay it to the user. If the status is pending, the agent has the message but "
        + "has not answered yet: never send it again; call get_agent_replies with wait_seconds 50 (and the same user) until the "
        + "status is replied or closed. Closed means the agent ended the conversation; a new message starts a new one. "
        + "Use one stable user value per person for every call, or leave it out when your API key identifies the user. "
        + "When the person signed in to connect, they are the user and any user value is ignored.";

    public static IServiceCollection AddMcp(this IServiceCollection services)
    {
        services.AddOptions<McpOptions>()
            .BindEnvironment()
            .Validate(o => o.ReplyTimeoutSeconds is >= 1 and <= 600,
                "MCP_REPLY_TIMEOUT_SECONDS must be a whole number of seconds from 1 to 600 (50 suits clients that give up at 60 s).")
            .Validate(o => McpOrigins.Listed(o.AllowedOrigins).All(origin => McpOrigins.Normalize(origin) is not null),
                "MCP_ALLOWED_ORIGINS must be comma-separated origins such as https://app.example.com (scheme, host and port only).")
            .ValidateOnStart();
        services.AddHttpContextAccessor();
        services.AddSingleton<McpOrigins>();
        services.AddMcpServer(server =>
            {
                server.ServerInfo = new Implementation
                {
                    Name = ServerName,
                    Title = "Human agent in Twilio Flex",
                    Version = typeof(McpEndpoints).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "1.0.0",
                };
                server.ServerInstructions = Instructions;
            })
            .WithHttpTransport(http => http.SessionMode = HttpServerSessionMode.StatefulForInitializeClients)
            .WithTools<HumanAgentTools>(ToolGuard.ArgumentBinding)
            .WithMessageFilters(filters => filters.AddIncomingFilter(ParamsGuard.Filter))
            .WithRequestFilters(filters => filters.AddCallToolFilter(ToolGuard.Filter));
        return services;
    }

    public static IEndpointRouteBuilder MapMcp(this IEndpointRouteBuilder app)
    {
        app.MapGroup("")
            .RequireMcpAccess(app.ServiceProvider)
            .MapMcp(Path)
            .WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes))
            .Add(Guard);
        return app;
    }

    /// <summary>
    /// The largest request body /mcp reads (413 beyond), as endpoint metadata the server applies: JSON-RPC messages here
    /// are small (a message is at most 1,600 characters).
    /// </summary>
    public const long MaxBodyBytes = 1024 * 1024;

    /// <summary>
    /// Wraps the SDK's endpoints: a page of another origin is refused before the SDK sees the request, and so is a POST
    /// whose body is not declared JSON (415), and params the SDK cannot read (an initialize without its required members)
    /// are a JSON-RPC error with 400, not a failure of the server.
    /// </summary>
    private static void Guard(EndpointBuilder endpoint)
    {
        var next = endpoint.RequestDelegate!;
        endpoint.RequestDelegate = async context =>
        {
            var origin = context.Request.Headers.Origin.ToString();
            if (origin.Length > 0 && !context.RequestServices.GetRequiredService<McpOrigins>().Allows(origin))
            {
                await McpOrigins.RefuseAsync(context, origin);
                return;
            }

            if (HttpMethods.IsPost(context.Request.Method) && !context.Request.HasJsonContentType())
            {
                throw RequestRejectedException.MediaType("Send MCP's JSON-RPC messages with the header Content-Type: application/json.");
            }

            try
            {
                await next(context);
            }
            catch (JsonException unreadable) when (!context.Response.HasStarted)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                await context.Response.WriteAsJsonAsync(new JsonObject
                {
                    ["jsonrpc"] = "2.0",
                    ["id"] = null,
                    ["error"] = new JsonObject { ["code"] = -32602, ["message"] = $"Invalid params: {unreadable.Message}" },
                });
            }
        };
    }
}
