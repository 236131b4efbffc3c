using System.Text;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Sandbox.Emulator;

namespace FlexAgentPlugin.Sandbox.StandIn;

/// <summary>
/// The stand-in model over OpenAI's HTTP API, under <see cref="SandboxAccount.ModelPath"/>: <c>POST /chat/completions</c>
/// (Chat Completions) and <c>POST /responses</c> (the Responses API), with the request and answer shapes of OpenAI's
/// OpenAPI description, bearer-key auth and OpenAI's error bodies. A request it does not understand is refused (400,
/// 404) and recorded as unknown, as the Twilio emulator does, so the server's real model client is what talks to it.
/// </summary>
internal static class StandInEndpoints
{
    private static readonly string[] Roles = ["system", "developer", "user", "assistant", "tool"];

    public static void MapStandInModel(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup(SandboxAccount.ModelPath).ExcludeFromDescription();
        api.MapPost("/chat/completions", (HttpContext context, SandboxSession session, EmulatorState state, TimeProvider clock) =>
            AnswerAsync(context, session, state, body => ChatCompletion(body, clock)));
        api.MapPost("/responses", (HttpContext context, SandboxSession session, EmulatorState state, TimeProvider clock) =>
            AnswerAsync(context, session, state, body => Response(body, clock)));
        app.Map($"{SandboxAccount.ModelPath}/{{**rest}}", (HttpContext context, EmulatorState state) =>
        {
            state.RecordUnknown($"model API: {context.Request.Method} {context.Request.Path}");
            return Json(StandInModel.Error($"Unknown request URL: {context.Request.Method} {context.Request.Path}.", "invalid_request_error", code: "unknown_url"), 404);
        }).ExcludeFromDescription();
    }

    private static async Task<IResult> AnswerAsync(HttpContext context, SandboxSession session, EmulatorState state, Func<JsonObject, JsonObject> answer)
    {
        if (context.Request.Headers.Authorization.ToString() != $"Bearer {session.ModelKey}")
        {
            return Json(StandInModel.Error("Incorrect API key provided.", "invalid_request_error", code: "invalid_api_key"), 401);
        }

        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        if (StandInModel.ParseOrNull(await reader.ReadToEndAsync(context.RequestAborted)) is not JsonObject body)
        {
            return Refuse(state, context, "We could not parse the JSON body of your request.", null);
        }

        try
        {
            var answered = answer(body);
            return body["stream"] is JsonValue stream && stream.TryGetValue(out bool streamed) && streamed && answered["object"]?.GetValue<string>() == "chat.completion"
                ? Results.Text(StandInStream.ChatChunks(answered), "text/event-stream")
                : Json(answered, 200);
        }
        catch (InvalidRequest invalid)
        {
            return Refuse(state, context, invalid.Message, invalid.Param);
        }
        catch (Exception wrongType) when (wrongType is InvalidOperationException or FormatException)
        {
            return Refuse(state, context, $"A field has the wrong type: {wrongType.Message}", null);
        }
    }

    private static IResult Refuse(EmulatorState state, HttpContext context, string message, string? param)
    {
        state.RecordUnknown($"model API: {context.Request.Path}: {message}");
        return Json(StandInModel.Error(message, "invalid_request_error", param), 400);
    }

    /// <summary>Chat Completions: <c>model</c>, <c>messages</c> (system, developer, user, assistant, tool), <c>tools</c> of type function.</summary>
    private static JsonObject ChatCompletion(JsonObject body, TimeProvider clock)
    {
        var model = Model(body);
        if (body["messages"] is not JsonArray { Count: > 0 } messages)
        {
            throw new InvalidRequest("messages", "'messages' must be a non-empty array.");
        }

        var instructions = new StringBuilder();
        var turns = new List<(string Role, string Text)>();
        foreach (var item in messages)
        {
            var role = (item as JsonObject)?["role"]?.GetValue<string>();
            if (role is null || !Roles.Contains(role))
            {
                throw new InvalidRequest("messages", $"Each message needs a role of {string.Join(", ", Roles)}.");
            }

            var text = Text(item!["content"], "messages");
            if (role is "system" or "developer")
            {
                instructions.AppendLine(text);
            }
            else
            {
                turns.Add((role, text));
            }
        }

        var offered = Tools(body, function => function["function"]?["name"]?.GetValue<string>());
        var decision = Decide(instructions.ToString(), turns);
        var message = new JsonObject { ["role"] = "assistant", ["content"] = decision.Text, ["refusal"] = null };
        var handoff = decision.HandoffReason is not null && offered;
        if (handoff)
        {
            message["tool_calls"] = new JsonArray(new JsonObject
            {
                ["id"] = StandInModel.NewId("call_"),
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = StandInModel.HandoffTool, ["arguments"] = StandInModel.HandoffArguments(decision).ToJsonString() },
            });
        }
        else
        {
            message["content"] = decision.Text ?? "I can't help with that here.";
        }

        return new JsonObject
        {
            ["id"] = StandInModel.NewId("chatcmpl-"),
            ["object"] = "chat.completion",
            ["created"] = StandInModel.Now(clock),
            ["model"] = model,
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = message,
                ["finish_reason"] = handoff ? "tool_calls" : "stop",
                ["logprobs"] = null,
            }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = 0, ["completion_tokens"] = 0, ["total_tokens"] = 0 },
        };
    }

    /// <summary>Responses: <c>model</c>, <c>instructions</c>, <c>input</c> (text or message items), <c>tools</c> of type function.</summary>
    private static JsonObject Response(JsonObject body, TimeProvider clock)
    {
        var model = Model(body);
        var instructions = body["instructions"] is { } given ? Text(given, "instructions") : "";
        var turns = new List<(string Role, string Text)>();
        switch (body["input"])
        {
            case JsonValue single when single.TryGetValue(out string? text):
                turns.Add(("user", text));
                break;
            case JsonArray { Count: > 0 } items:
                foreach (var item in items.OfType<JsonObject>())
                {
                    var type = item["type"]?.GetValue<string>() ?? "message";
                    var role = item["role"]?.GetValue<string>();
                    if (type != "message" || role is null || !Roles.Contains(role))
                    {
                        throw new InvalidRequest("input", "Each input item must be a message with a role the stand-in knows.");
                    }

                    var text = Text(item["content"], "input");
                    if (role is "system" or "developer")
                    {
                        instructions += "\n" + text;
                    }
                    else
                    {
                        turns.Add((role, text));
                    }
                }

                break;
            default:
                throw new InvalidRequest("input", "'input' must be text or a non-empty array of input items.");
        }

        var offered = Tools(body, tool => tool["name"]?.GetValue<string>());
        var decision = Decide(instructions, turns);
        var handoff = decision.HandoffReason is not null && offered;
        JsonObject output = handoff
            ? new JsonObject
            {
                ["type"] = "function_call",
                ["id"] = StandInModel.NewId("fc_"),
                ["call_id"] = StandInModel.NewId("call_"),
                ["name"] = StandInModel.HandoffTool,
                ["arguments"] = StandInModel.HandoffArguments(decision).ToJsonString(),
                ["status"] = "completed",
            }
            : new JsonObject
            {
                ["type"] = "message",
                ["id"] = StandInModel.NewId("msg_"),
                ["role"] = "assistant",
                ["status"] = "completed",
                ["content"] = new JsonArray(new JsonObject
                {
                    ["type"] = "output_text",
                    ["text"] = decision.Text ?? "I can't help with that here.",
                    ["annotations"] = new JsonArray(),
                    ["logprobs"] = new JsonArray(),
                }),
            };
        return new JsonObject
        {
            ["id"] = StandInModel.NewId("resp_"),
            ["object"] = "response",
            ["created_at"] = StandInModel.Now(clock),
            ["status"] = "completed",
            ["error"] = null,
            ["incomplete_details"] = null,
            ["instructions"] = instructions,
            ["model"] = model,
            ["tools"] = body["tools"]?.DeepClone() ?? new JsonArray(),
            ["output"] = new JsonArray(output),
            ["parallel_tool_calls"] = true,
            ["metadata"] = new JsonObject(),
            ["tool_choice"] = "auto",
            ["temperature"] = 1,
            ["top_p"] = 1,
            ["usage"] = new JsonObject
            {
                ["input_tokens"] = 0,
                ["input_tokens_details"] = new JsonObject { ["cached_tokens"] = 0 },
                ["output_tokens"] = 0,
                ["output_tokens_details"] = new JsonObject { ["reasoning_tokens"] = 0 },
                ["total_tokens"] = 0,
            },
        };
    }

    private static StandInModel.Decision Decide(string instructions, List<(string Role, string Text)> turns)
    {
        var waiting = turns.AsEnumerable().Reverse().TakeWhile(t => t.Role == "user").Reverse().Select(t => t.Text).ToList();
        return waiting.Count == 0
            ? new StandInModel.Decision("How can I help?", null, null)
            : StandInModel.Decide(instructions, waiting);
    }

    private static string Model(JsonObject body) =>
        body["model"] is JsonValue value && value.TryGetValue(out string? model) && model.Length > 0
            ? model
            : throw new InvalidRequest("model", "'model' must name a model.");

    /// <summary>True when the request offers the hand-off tool; every tool must be a function with a name.</summary>
    private static bool Tools(JsonObject body, Func<JsonObject, string?> name)
    {
        if (body["tools"] is null)
        {
            return false;
        }

        if (body["tools"] is not JsonArray tools || tools.Any(t => t is not JsonObject o || o["type"]?.GetValue<string>() != "function" || name(o) is null))
        {
            throw new InvalidRequest("tools", "'tools' must be an array of function tools with names.");
        }

        return tools.OfType<JsonObject>().Any(t => name(t) == StandInModel.HandoffTool);
    }

    /// <summary>A content: text, or an array of parts with text (text, input_text, output_text).</summary>
    private static string Text(JsonNode? content, string param) => content switch
    {
        null => "",
        JsonValue value when value.TryGetValue(out string? text) => text,
        JsonArray parts => string.Concat(parts.Select(p => p is JsonObject part && part["text"] is JsonValue t && t.TryGetValue(out string? s)
            ? s
            : throw new InvalidRequest(param, "Content parts must carry text."))),
        _ => throw new InvalidRequest(param, "Content must be text or an array of text parts."),
    };

    private static IResult Json(JsonObject body, int status) =>
        Results.Content(body.ToJsonString(), "application/json", Encoding.UTF8, status);

    private sealed class InvalidRequest(string param, string message) : Exception(message)
    {
        public string Param { get; } = param;
    }
}
