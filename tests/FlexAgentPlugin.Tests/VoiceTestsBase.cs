using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using FlexAgentPlugin.Core.Voice;
using FlexAgentPlugin.Tests.Infrastructure;

namespace FlexAgentPlugin.Tests;

/// <summary>
/// What the voice assist tests share: a server with voice assist on (a fake Realtime API, the emulated Twilio, an agent
/// key), Twilio's side of a call (the incoming call's TwiML, then its signed stream) and an agent's side (the key, the
/// event stream).
/// </summary>
public abstract class VoiceTestsBase : IAsyncLifetime
{
    protected const string PublicUrl = "https://voice.example.com";
    protected const string StreamUrl = "wss://voice.example.com/voice/stream";
    protected const string CallSid = "CA0123456789abcdef0123456789abcdef";
    protected const string AgentKey = "agent-key-0123456789abcdef";
    protected static readonly string SyncService = "IS" + new string('a', 32);

    protected FakeRealtime Realtime { get; } = new();

    protected PluginFactory Factory { get; set; } = null!;

    public Task InitializeAsync()
    {
        Factory = Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await Factory.DisposeAsync();
        Assert.Empty(Realtime.Problems);
        await Realtime.DisposeAsync();
    }

    protected PluginFactory Start(int maxCalls = 20, IDictionary<string, string?>? more = null, EmulatedTwilio? twilio = null) => new(With(new Dictionary<string, string?>
    {
        ["PUBLIC_BASE_URL"] = PublicUrl,
        ["FLEX_WORKSPACE_SID"] = PluginFactory.WorkspaceSid,
        ["FLEX_WORKFLOW_SID"] = PluginFactory.WorkflowSid,
        ["ROUTING_MODE"] = "studio",
        ["OPENAI_API_KEY"] = FakeRealtime.ApiKey,
        ["OPENAI_REALTIME_URL"] = Realtime.Url,
        ["VOICE_MODEL"] = "gpt-realtime-test",
        ["VOICE_INSTRUCTIONS"] = "Suggest short answers about owls.",
        ["VOICE_MAX_CALLS"] = maxCalls.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["SYNC_SERVICE_SID"] = SyncService,
        ["VOICE_AGENT_KEYS"] = $"desk={AgentKey}",
    }, more), twilio);

    private static Dictionary<string, string?> With(Dictionary<string, string?> settings, IDictionary<string, string?>? more)
    {
        foreach (var (key, value) in more ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>The call comes in (Twilio's signed <c>/voice/incoming</c>): the ticket its TwiML gives the stream.</summary>
    protected async Task<string> TicketAsync(string callSid)
    {
        using var client = Factory.CreateClient();
        using var response = await Factory.PostSignedAsync(client, "/voice/incoming", ("CallSid", callSid), ("From", "+15551230000"), ("To", "+15005550006"));
        response.EnsureSuccessStatusCode();
        var stream = XDocument.Parse(await response.Content.ReadAsStringAsync()).Root!.Element("Start")!.Element("Stream")!;
        return (string)stream.Elements("Parameter").Single(p => (string?)p.Attribute("name") == StreamTickets.Parameter).Attribute("value")!;
    }

    /// <summary>The call's stream, as Twilio opens it after the incoming call's TwiML: signed, started with its ticket.</summary>
    protected async Task<MediaStreamsClient> ConnectAsync(string callSid = CallSid) =>
        await MediaStreamsClient.ConnectAsync(Factory.Server, StreamUrl, callSid, await TicketAsync(callSid));

    /// <summary>A client of the server that presents the agent's key, as the Flex plugin does.</summary>
    protected HttpClient AgentClient()
    {
        var agent = Factory.CreateClient();
        agent.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AgentKey);
        return agent;
    }

    /// <summary>The next server-sent event: its type and data.</summary>
    protected static async Task<(string Event, string Data)> NextEventAsync(StreamReader reader)
    {
        string? type = null;
        string? data = null;
        while (await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                type = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data = line["data: ".Length..];
            }
            else if (line.Length == 0 && data is not null)
            {
                return (type ?? "message", data);
            }
        }

        throw new InvalidOperationException("The event stream ended.");
    }

    /// <summary>The model's transcription of the caller's words.</summary>
    protected static JsonObject Heard(string transcript) => new()
    {
        ["type"] = "conversation.item.input_audio_transcription.completed", ["item_id"] = "item_1", ["content_index"] = 0, ["transcript"] = transcript,
    };

    /// <summary>The model's text answer, as it wrote it.</summary>
    protected static JsonObject Answered(string text) => new()
    {
        ["type"] = "response.output_text.done", ["response_id"] = "resp_1", ["item_id"] = "item_2", ["output_index"] = 0, ["content_index"] = 0, ["text"] = text,
    };
}
