using System.Net;
using System.Text.Json.Nodes;

namespace FlexAgentPlugin.Tests.Infrastructure;

/// <summary>The shapes of the requests the server must send to OpenAI's API, from OpenAI's OpenAPI description.</summary>
public static class ModelRequestShapes
{
    /// <summary>Chat Completions (CreateChatCompletionRequest): a model, messages with known roles and text content, function tools.</summary>
    public static string? ChatShapeProblem(JsonObject json)
    {
        if (json["model"]?.GetValueKind() != System.Text.Json.JsonValueKind.String)
        {
            return "model must be a string";
        }

        if (json["messages"] is not JsonArray { Count: > 0 } messages)
        {
            return "messages must be a non-empty array";
        }

        foreach (var message in messages)
        {
            var role = (string?)message?["role"];
            if (role is not ("system" or "developer" or "user" or "assistant"))
            {
                return $"unexpected message role {role}";
            }

            if (message!["content"] is not JsonValue and not JsonArray)
            {
                return "message content must be text or parts";
            }
        }

        return json["tools"] is null or JsonArray && (json["tools"] as JsonArray ?? []).All(t =>
            (string?)t?["type"] == "function" && t["function"]?["name"] is JsonValue && t["function"]?["parameters"] is JsonObject)
            ? null
            : "tools must be function tools with a name and parameters";
    }

    /// <summary>Responses (CreateResponse): a model, input (text or message items), function tools.</summary>
    public static string? ResponsesShapeProblem(JsonObject json)
    {
        if (json["model"]?.GetValueKind() != System.Text.Json.JsonValueKind.String)
        {
            return "model must be a string";
        }

        if (json["input"] is not JsonValue and not JsonArray)
        {
            return "input must be text or an array of items";
        }

        if (json["input"] is JsonArray items && items.Any(i => (string?)i?["role"] is not ("user" or "assistant" or "system" or "developer")))
        {
            return "input items must be messages with a role";
        }

        return json["tools"] is null or JsonArray && (json["tools"] as JsonArray ?? []).All(t =>
            (string?)t?["type"] == "function" && t["name"] is JsonValue && t["parameters"] is JsonObject)
            ? null
            : "tools must be function tools with a name and parameters";
    }
}

/// <summary>A request the fake received: which API, its JSON body and headers.</summary>
public sealed record ModelRequest(string Api, JsonObject Body, IReadOnlyDictionary<string, string> Headers)
{
    /// <summary>The instructions: the system or developer message (Chat Completions) or <c>instructions</c> (Responses).</summary>
    public string Instructions => Api == "chat"
        ? string.Concat(Body["messages"]!.AsArray().Where(m => (string?)m!["role"] is "system" or "developer").Select(m => Text(m!["content"])))
        : (string?)Body["instructions"] ?? "";

    /// <summary>The conversation as (role, text), without the instructions.</summary>
    public IReadOnlyList<(string Role, string Text)> Conversation => Api == "chat"
        ? [.. Body["messages"]!.AsArray().Where(m => (string?)m!["role"] is "user" or "assistant").Select(m => ((string)m!["role"]!, Text(m["content"])))]
        : Body["input"] is JsonArray items ? [.. items.Select(i => ((string)i!["role"]!, Text(i["content"])))] : [("user", (string)Body["input"]!)];

    public IReadOnlyList<string> ToolNames => [.. (Body["tools"] as JsonArray ?? []).Select(t => (string)(t!["function"]?["name"] ?? t["name"])!)];

    private static string Text(JsonNode? content) => content switch
    {
        JsonArray parts => string.Concat(parts.Select(p => (string?)p!["text"])),
        null => "",
        _ => (string)content!,
    };
}

/// <summary>What the fake answers: text, a hand-off tool call (with optional text), a refusal, or an HTTP failure.</summary>
public sealed record ModelAnswer(HttpStatusCode Status, string? Content, string? Refusal, JsonObject? HandoffArguments)
{
    /// <summary>The pieces a streamed answer's text comes in (one piece when not given).</summary>
    public IReadOnlyList<string>? Tokens { get; init; }

    public static ModelAnswer Text(string text) => new(HttpStatusCode.OK, text, null, null);

    /// <summary>Text that a streamed request gets in these pieces, one chunk each.</summary>
    public static ModelAnswer Streamed(params string[] tokens) => new(HttpStatusCode.OK, string.Concat(tokens), null, null) { Tokens = tokens };

    public static ModelAnswer Handoff(string reason, string summary, string? text = null) =>
        new(HttpStatusCode.OK, text, null, new JsonObject { ["reason"] = reason, ["summary"] = summary });

    public static ModelAnswer Refuses(string refusal) => new(HttpStatusCode.OK, null, refusal, null);

    public static ModelAnswer Fails(HttpStatusCode status) => new(status, null, null, null);

    /// <summary>As CreateChatCompletionResponse.</summary>
    public JsonObject AsChatCompletion(JsonObject request)
    {
        var message = new JsonObject { ["role"] = "assistant", ["content"] = Content, ["refusal"] = Refusal };
        if (HandoffArguments is not null)
        {
            message["tool_calls"] = new JsonArray(new JsonObject
            {
                ["id"] = "call_0001",
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = "handoff_to_human", ["arguments"] = HandoffArguments.ToJsonString() },
            });
        }

        return new JsonObject
        {
            ["id"] = "chatcmpl-0001",
            ["object"] = "chat.completion",
            ["created"] = 1_790_000_000,
            ["model"] = (string?)request["model"],
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = message,
                ["finish_reason"] = HandoffArguments is not null ? "tool_calls" : "stop",
                ["logprobs"] = null,
            }),
        };
    }

    /// <summary>As a streamed chat completion: <c>chat.completion.chunk</c> server-sent events, then <c>[DONE]</c>.</summary>
    public string AsChatChunks(JsonObject request)
    {
        var chunks = new List<JsonObject> { Chunk(request, new JsonObject { ["role"] = "assistant", ["content"] = "" }, null) };
        chunks.AddRange((Tokens ?? (Content is null ? [] : [Content])).Select(token => Chunk(request, new JsonObject { ["content"] = token }, null)));
        if (HandoffArguments is not null)
        {
            chunks.Add(Chunk(request, new JsonObject
            {
                ["tool_calls"] = new JsonArray(new JsonObject
                {
                    ["index"] = 0,
                    ["id"] = "call_0001",
                    ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = "handoff_to_human", ["arguments"] = HandoffArguments.ToJsonString() },
                }),
            }, null));
        }

        chunks.Add(Chunk(request, new JsonObject(), HandoffArguments is not null ? "tool_calls" : "stop"));
        return string.Concat(chunks.Select(c => $"data: {c.ToJsonString()}\n\n")) + "data: [DONE]\n\n";
    }

    private static JsonObject Chunk(JsonObject request, JsonObject delta, string? finish) => new()
    {
        ["id"] = "chatcmpl-0001",
        ["object"] = "chat.completion.chunk",
        ["created"] = 1_790_000_000,
        ["model"] = (string?)request["model"],
        ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finish, ["logprobs"] = null }),
    };

    /// <summary>As the Response object.</summary>
    public JsonObject AsResponse(JsonObject request)
    {
        var output = new JsonArray();
        if (Content is not null || Refusal is not null)
        {
            output.Add(new JsonObject
            {
                ["type"] = "message",
                ["id"] = "msg_0001",
                ["role"] = "assistant",
                ["status"] = "completed",
                ["content"] = new JsonArray(Refusal is not null
                    ? new JsonObject { ["type"] = "refusal", ["refusal"] = Refusal }
                    : new JsonObject { ["type"] = "output_text", ["text"] = Content, ["annotations"] = new JsonArray(), ["logprobs"] = new JsonArray() }),
            });
        }

        if (HandoffArguments is not null)
        {
            output.Add(new JsonObject
            {
                ["type"] = "function_call",
                ["id"] = "fc_0001",
                ["call_id"] = "call_0001",
                ["name"] = "handoff_to_human",
                ["arguments"] = HandoffArguments.ToJsonString(),
                ["status"] = "completed",
            });
        }

        return new JsonObject
        {
            ["id"] = "resp_0001",
            ["object"] = "response",
            ["created_at"] = 1_790_000_000,
            ["status"] = "completed",
            ["error"] = null,
            ["incomplete_details"] = null,
            ["instructions"] = request["instructions"]?.DeepClone(),
            ["model"] = (string?)request["model"],
            ["tools"] = request["tools"]?.DeepClone() ?? new JsonArray(),
            ["output"] = output,
            ["parallel_tool_calls"] = true,
            ["metadata"] = new JsonObject(),
            ["tool_choice"] = "auto",
            ["temperature"] = 1,
            ["top_p"] = 1,
        };
    }
}
