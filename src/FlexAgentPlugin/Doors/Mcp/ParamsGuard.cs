using System.Text.Json;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Core.Users;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace FlexAgentPlugin.Doors.Mcp;

/// <summary>
/// Runs around every JSON-RPC request the MCP server takes: params the SDK cannot read (a member of the wrong type, a
/// tool call whose arguments are not an object) and a call to a tool this server does not have are the client's
/// mistake, so they answer Invalid params (-32602) naming the member, where the SDK would answer an internal error
/// (-32603) or log an unknown tool as an error of the server.
/// </summary>
internal static class ParamsGuard
{
    public static McpMessageHandler Filter(McpMessageHandler next) =>
        async (context, cancellationToken) =>
        {
            if (context.JsonRpcMessage is not JsonRpcRequest request)
            {
                await next(context, cancellationToken);
                return;
            }

            if (request.Method == RequestMethods.ToolsCall)
            {
                CheckTool(request.Params, context.Server.ServerOptions.ToolCollection);
            }

            try
            {
                await next(context, cancellationToken);
            }
            catch (JsonException unreadable)
            {
                var member = unreadable.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? Printable(path[2..]) : null;
                throw Invalid(member is null
                    ? $"{request.Method} takes its params as a JSON object with its required members."
                    : $"'{member}' has the wrong type for {request.Method}.");
            }
        };

    /// <summary>The call names a tool this server has, and its arguments (when given) are an object.</summary>
    private static void CheckTool(JsonNode? parameters, McpServerPrimitiveCollection<McpServerTool>? tools)
    {
        var names = string.Join(", ", tools?.Select(t => t.ProtocolTool.Name) ?? []);
        if (parameters is not JsonObject call || call["name"] is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
        {
            throw Invalid($"tools/call needs params with 'name', the tool to call (one of {names}), and 'arguments', an object.");
        }

        var name = value.GetValue<string>();
        if (tools is null || !tools.TryGetPrimitive(name, out _))
        {
            throw Invalid($"Unknown tool '{Printable(name)}': this server has {names}.");
        }

        if (call.TryGetPropertyValue("arguments", out var arguments) && arguments is not (null or JsonObject))
        {
            throw Invalid($"'arguments' must be a JSON object: {name}'s arguments by name.");
        }
    }

    private static McpProtocolException Invalid(string detail) => new($"Invalid params: {detail}", McpErrorCode.InvalidParams);

    /// <summary>A name as it may be echoed back: short, without control characters.</summary>
    private static string Printable(string name) => new([.. UserMessages.Clean(name).Take(40)]);
}
