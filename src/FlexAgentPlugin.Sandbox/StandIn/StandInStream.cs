using System.Text;
using System.Text.Json.Nodes;

namespace FlexAgentPlugin.Sandbox.StandIn;

/// <summary>
/// The stand-in's chat completion as Chat Completions streams it (<c>stream: true</c>): <c>chat.completion.chunk</c>
/// server-sent events, the text a word at a time, a tool call in one piece, then <c>[DONE]</c>.
/// </summary>
internal static class StandInStream
{
    public static string ChatChunks(JsonObject completion)
    {
        var choice = completion["choices"]![0]!;
        var message = choice["message"]!;
        var events = new StringBuilder();
        void Chunk(JsonObject delta, string? finish) => events.Append("data: ").Append(new JsonObject
        {
            ["id"] = completion["id"]?.DeepClone(),
            ["object"] = "chat.completion.chunk",
            ["created"] = completion["created"]?.DeepClone(),
            ["model"] = completion["model"]?.DeepClone(),
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finish, ["logprobs"] = null }),
        }.ToJsonString()).Append("\n\n");

        Chunk(new JsonObject { ["role"] = "assistant", ["content"] = "" }, null);
        var text = message["content"]?.GetValue<string>() ?? "";
        foreach (var word in text.Split(' ').Select((w, i) => i == 0 ? w : " " + w).Where(w => w.Length > 0))
        {
            Chunk(new JsonObject { ["content"] = word }, null);
        }

        if (message["tool_calls"] is JsonArray calls)
        {
            var call = (JsonObject)calls[0]!.DeepClone();
            call["index"] = 0;
            Chunk(new JsonObject { ["tool_calls"] = new JsonArray(call) }, null);
        }

        Chunk(new JsonObject(), choice["finish_reason"]?.GetValue<string>());
        return events.Append("data: [DONE]\n\n").ToString();
    }
}
