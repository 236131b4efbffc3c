using System.Text.Json;
using System.Text.Json.Serialization;
using FlexAgentPlugin.Core.Services;
using FlexAgentPlugin.Hosting.Access;
using FlexAgentPlugin.Hosting.Problems;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace FlexAgentPlugin.Doors.Mcp;

/// <summary>
/// Runs around every tool call: counts the call against the caller's rate limit, and turns what a caller or Twilio can
/// get wrong into a tool error with a sentence the model can act on (the same sentences the HTTP API gives), never a
/// crash of the session. The arguments are bound by the SDK with <see cref="ArgumentBinding"/>; what it refuses comes
/// back naming the argument. A client that hangs up ends its call quietly. Failures of the server's own are left to
/// the SDK (a generic tool error, logged).
/// </summary>
internal static partial class ToolGuard
{
    /// <summary>
    /// How the SDK binds the tools' arguments: an argument a tool does not take is refused, as the HTTP API's strict
    /// JSON binder refuses an unknown field (a misspelt name never silently loses input), and a number is a JSON number.
    /// </summary>
    public static readonly JsonSerializerOptions ArgumentBinding = new(McpJsonUtilities.DefaultOptions)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.Strict,
    };

    public static McpRequestHandler<CallToolRequestParams, CallToolResult> Filter(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        async (request, cancellationToken) =>
        {
            var services = request.Services!;
            var http = services.GetRequiredService<IHttpContextAccessor>().HttpContext!;

            // Read now: once the client is gone the request may end, and its context with it, before the call does.
            var hungUp = http.RequestAborted;
            try
            {
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
            catch (Exception error) when ((Unbound(error, request) ?? ProblemMapping.Map(error).Problem?.Detail) is { } detail)
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

    /// <summary>
    /// The sentence for arguments the SDK's binding refused: one the tool does not take, a required one missing, a value
    /// not of its declared type. The SDK's own error names no argument the model could correct, so the argument is
    /// found in the tool's input schema. Null when the failure was not the binding's (the arguments fit the schema).
    /// </summary>
    private static string? Unbound(Exception error, RequestContext<CallToolRequestParams> request)
    {
        if (error is not (JsonException or ArgumentException { ParamName: "arguments" }) || request.MatchedPrimitive is not McpServerTool { ProtocolTool: var tool })
        {
            return null;
        }

        var properties = tool.InputSchema.GetProperty("properties");
        var names = properties.EnumerateObject().Select(p => p.Name).ToList();
        var arguments = request.Params?.Arguments ?? new Dictionary<string, JsonElement>();
        if (arguments.Keys.FirstOrDefault(name => !names.Contains(name)) is { } unknown)
        {
            return $"{tool.Name} has no argument '{unknown}'; it takes {string.Join(", ", names)}.";
        }

        var required = tool.InputSchema.TryGetProperty("required", out var list) ? list.EnumerateArray().Select(r => r.GetString()!) : [];
        if (required.FirstOrDefault(name => !arguments.ContainsKey(name)) is { } missing)
        {
            return $"{tool.Name} needs the argument '{missing}'.";
        }

        return arguments.Select(a => (a.Key, a.Value, Types: TypesOf(properties.GetProperty(a.Key))))
            .Where(a => a.Types.Count > 0 && !a.Types.Any(type => Is(a.Value, type)))
            .Select(a => $"{a.Key} must be {string.Join(" or ", a.Types.Select(Article))}.")
            .FirstOrDefault();
    }

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
        _ => true,
    };

    private static string Article(string type) => type switch
    {
        "integer" => "a whole number",
        "null" => "null",
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
