using System.Text.Json;
using FlexAgentPlugin.Core.Services;
using FlexAgentPlugin.Core.Users;
using FlexAgentPlugin.Hosting.Access;
using FlexAgentPlugin.Hosting.Problems;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace FlexAgentPlugin.Doors.Mcp;

/// <summary>
/// Runs around every tool call: refuses arguments the tool's input schema does not allow (a missing or unknown argument,
/// a wrong type), counts the call against the caller's rate limit, and turns what a caller or Twilio can get wrong into
/// a tool error with a sentence the model can act on (the same sentences the HTTP API gives), never a crash of the
/// session. A client that hangs up ends its call quietly. Failures of the server's own are left to the SDK (a generic
/// tool error, logged).
/// </summary>
internal static partial class ToolGuard
{
    public static McpRequestHandler<CallToolRequestParams, CallToolResult> Filter(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        async (request, cancellationToken) =>
        {
            var services = request.Services!;
            var http = services.GetRequiredService<IHttpContextAccessor>().HttpContext!;

            // Read now: once the client is gone the request may end, and its context with it, before the call does.
            var hungUp = http.RequestAborted;
            try
            {
                if (request.MatchedPrimitive is McpServerTool tool)
                {
                    CheckArguments(tool.ProtocolTool, request.Params?.Arguments);
                }

                await services.GetRequiredService<CallerLimits>().TakeAsync(AccessSetup.Caller(http), cancellationToken);
                return await next(request, cancellationToken);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && hungUp.IsCancellationRequested)
            {
                // The client hung up (its connection dropped before it cancelled the call): no failure of the server. The
                // result goes nowhere; it only ends the call without the SDK logging a crash.
                var logger = Logger(services);
                CallerLeft(logger, request.Params?.Name ?? "");
                return new CallToolResult { IsError = true, Content = [new TextContentBlock { Text = "The client hung up before the call ended." }] };
            }
            catch (Exception error) when (ProblemMapping.Map(error).Problem is { Detail: { } detail })
            {
                var logger = Logger(services);
                if (error is ServiceRefusedException or ServiceUnavailableException or ServiceNotConfiguredException)
                {
                    TwilioFailed(logger, request.Params?.Name ?? "", error.Message);
                }
                else
                {
                    Refused(logger, request.Params?.Name ?? "", detail);
                }

                return new CallToolResult { IsError = true, Content = [new TextContentBlock { Text = detail }] };
            }
        };

    /// <summary>Every required argument is there, every argument is one the tool takes, and each has its declared JSON type.</summary>
    public static void CheckArguments(Tool tool, IDictionary<string, JsonElement>? arguments)
    {
        var schema = tool.InputSchema;
        var properties = schema.TryGetProperty("properties", out var declared) && declared.ValueKind == JsonValueKind.Object ? declared : default;
        var names = properties.ValueKind == JsonValueKind.Object ? properties.EnumerateObject().Select(p => p.Name).ToList() : [];
        foreach (var (name, value) in arguments ?? new Dictionary<string, JsonElement>())
        {
            if (!names.Contains(name))
            {
                throw new InvalidInputException(name, $"{tool.Name} has no argument '{name}'; it takes {string.Join(", ", names)}.");
            }

            var types = TypesOf(properties.GetProperty(name));
            if (types.Count > 0 && !types.Any(t => Is(value, t)) && !(value.ValueKind == JsonValueKind.Null && !IsRequired(schema, name)))
            {
                throw new InvalidInputException(name, $"{name} must be {string.Join(" or ", types.Select(Article))}.");
            }
        }

        if (schema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array)
        {
            foreach (var name in required.EnumerateArray().Select(r => r.GetString()!))
            {
                if (arguments is null || !arguments.TryGetValue(name, out var value) || value.ValueKind == JsonValueKind.Null)
                {
                    throw new InvalidInputException(name, $"{tool.Name} needs the argument '{name}'.");
                }
            }
        }
    }

    private static bool IsRequired(JsonElement schema, string name) =>
        schema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array
        && required.EnumerateArray().Any(r => r.GetString() == name);

    private static List<string> TypesOf(JsonElement property) =>
        !property.TryGetProperty("type", out var type) ? []
        : type.ValueKind == JsonValueKind.Array ? [.. type.EnumerateArray().Select(t => t.GetString()!)]
        : [type.GetString()!];

    private static bool Is(JsonElement value, string type) => type switch
    {
        "string" => value.ValueKind == JsonValueKind.String,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out _),
        "number" => value.ValueKind == JsonValueKind.Number,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => value.ValueKind == JsonValueKind.Null,
        "array" => value.ValueKind == JsonValueKind.Array,
        "object" => value.ValueKind == JsonValueKind.Object,
        _ => true,
    };

    private static string Article(string type) => type switch
    {
        "integer" => "a whole number",
        "null" => "null",
        "array" => "an array",
        "object" => "an object",
        _ => $"a {type}",
    };

    private static ILogger Logger(IServiceProvider services) => services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ToolGuard));

    [LoggerMessage(Level = LogLevel.Information, Message = "Tool call {Tool} ended: the client hung up")]
    private static partial void CallerLeft(ILogger logger, string tool);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tool call {Tool} answered with a tool error, Twilio failed: {Failure}")]
    private static partial void TwilioFailed(ILogger logger, string tool, string failure);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Tool call {Tool} answered with a tool error: {Reason}")]
    private static partial void Refused(ILogger logger, string tool, string reason);
}
