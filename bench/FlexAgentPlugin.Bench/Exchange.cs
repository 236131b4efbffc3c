using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FlexAgentPlugin.Bench;

/// <summary>One caller's exchange with the server, and what the emulator knows about it.</summary>
internal static class Exchange
{
    /// <summary>What the emulator's simulated agent answers (kept in step with the sandbox's).</summary>
    public static string AutoReplyTo(string text) => $"(auto-reply) Thanks, I received: {text}";

    public static async Task<(string Reply, DateTimeOffset AnsweredAt)> SendAsync(HttpClient http, string username, string text)
    {
        // With a Content-Length, as GPT Actions send it (JsonContent alone would be sent chunked).
        using var body = new StringContent(JsonSerializer.Serialize(new { msg = text }), Encoding.UTF8, "application/json");
        using var response = await http.PostAsync($"/send/{username}", body);
        var answer = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var answeredAt = DateTimeOffset.UtcNow;
        var replies = answer["replies"]?.AsArray();
        return (replies is { Count: 1 } ? (string)replies[0]! : $"unexpected: {answer.ToJsonString()}", answeredAt);
    }

    public static async Task<Dictionary<string, string>> ConversationSidsAsync(HttpClient emulator) =>
        JsonNode.Parse(await emulator.GetStringAsync("/sandbox/api/conversations"))!.AsArray()
            .ToDictionary(c => (string)c!["customer"]!, c => (string)c!["sid"]!);

    /// <summary>Each customer's newest message time (the agent's answer, once it came).</summary>
    public static async Task<Dictionary<string, DateTimeOffset>> LastMessageTimesAsync(HttpClient emulator) =>
        JsonNode.Parse(await emulator.GetStringAsync("/sandbox/api/conversations"))!.AsArray()
            .ToDictionary(c => (string)c!["customer"]!, c => DateTimeOffset.Parse((string)c!["lastMessageAt"]!, CultureInfo.InvariantCulture));

    public static async Task<DateTimeOffset> AgentMessageCreatedAsync(HttpClient emulator, string sid, string body)
    {
        var conversation = JsonNode.Parse(await emulator.GetStringAsync($"/sandbox/api/conversations/{sid}"))!;
        var message = conversation["messages"]!.AsArray().Last(m => (bool)m!["fromAgent"]! && (string)m["body"]! == body)!;
        return DateTimeOffset.Parse((string)message["createdAt"]!, CultureInfo.InvariantCulture);
    }

    public static async Task<long> RestRequestsAsync(HttpClient emulator) =>
        (long)JsonNode.Parse(await emulator.GetStringAsync("/sandbox/api/stats"))!["twilioRestRequests"]!;
}

internal static class Stats
{
    public static double Percentile(List<double> sorted, int percent) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(percent / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];

    public static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
