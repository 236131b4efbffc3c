using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using FlexAgentPlugin.Sandbox;
using FlexAgentPlugin.Sandbox.Console;
using FlexAgentPlugin.Sandbox.Emulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace FlexAgentPlugin.Tests.Infrastructure;

/// <summary>
/// The sandbox's Twilio emulator, in memory, as the Twilio the server under test talks to. The emulator is strict
/// (a request or parameter Twilio does not define is recorded in <see cref="UnknownRequests"/>, which fails the test);
/// on top, for tests only: every request is recorded as Twilio would have received it, and faults can be injected
/// before (<see cref="Intercept"/>) or after (<see cref="FailAfterApplying"/>) a request takes effect. The emulator's
/// webhooks reach the server under test.
/// </summary>
public sealed class EmulatedTwilio : IDisposable
{
    public const string BaseUrl = "http://twilio.emulator.test";
    public const string AgentIdentity = "agent@flex.example";

    private readonly WebApplication emulator;
    private readonly TestServer server;
    private readonly Lock gate = new();
    private readonly List<RecordedRequest> requests = [];
    private readonly List<(Func<RecordedRequest, bool> Match, TaskCompletionSource<RecordedRequest> Signal)> waiters = [];

    public EmulatedTwilio(string accountSid, string authToken, TimeProvider clock)
    {
        Account = new SandboxAccount(accountSid, authToken);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer(options => options.BaseAddress = new Uri(BaseUrl));
        builder.Services.AddSingleton(clock);
        builder.Services.AddTwilioEmulator(Account, Behavior);
        builder.Services.AddHttpClient(SandboxSetup.WebhookClientName).ConfigurePrimaryHttpMessageHandler(() => new WebhookForwarder(this));
        emulator = builder.Build();
        emulator.MapTwilioEmulator();
        emulator.StartAsync().GetAwaiter().GetResult();
        server = emulator.GetTestServer();
        State = emulator.Services.GetRequiredService<EmulatorState>();
    }

    public static string ConversationsBaseUrl => BaseUrl + SandboxAccount.TwilioPath;

    public static string FlexBaseUrl => BaseUrl + SandboxAccount.FlexPath;

    public static string VoiceBaseUrl => BaseUrl + SandboxAccount.VoicePath;

    public static string SyncBaseUrl => BaseUrl + SandboxAccount.SyncPath;

    public static string IamBaseUrl => BaseUrl + SandboxAccount.IamPath;
    public static string VerifyBaseUrl => BaseUrl + SandboxAccount.VerifyPath;

    public static string TaskRouterBaseUrl => BaseUrl + SandboxAccount.TaskRouterPath;

    public SandboxAccount Account { get; }

    public EmulatorBehavior Behavior { get; } = new();

    public EmulatorState State { get; }

    /// <summary>Where the emulator's webhooks go: the server under test, once it exists.</summary>
    public Func<HttpMessageHandler>? WebhookTarget { get; set; }

    /// <summary>False for tests that post every conversation event themselves, so no event arrives on its own.</summary>
    public bool DeliversWebhooks { get; set; } = true;

    /// <summary>The Basic-auth user the API accepts (the account SID unless a test plays an API key).</summary>
    public string User { get => Account.RestUser; set => Account.RestUser = value; }

    /// <summary>The Basic-auth password the API accepts; a test changes it to play rotated credentials.</summary>
    public string Password { get => Account.RestPassword; set => Account.RestPassword = value; }

    /// <summary>When set, the simulated agent answers every routed customer message at once.</summary>
    public bool AutoReply { get => Behavior.AutoReplyAfter is not null; set => Behavior.AutoReplyAfter = value ? TimeSpan.Zero : null; }

    /// <summary>Runs before a request reaches the emulator; return a response to answer with it instead.</summary>
    public Func<RecordedRequest, Task<HttpResponseMessage?>>? Intercept { get; set; }

    /// <summary>When true for a request, it is carried out and then answered 503, as if Twilio's answer was lost.</summary>
    public Func<RecordedRequest, bool>? FailAfterApplying { get; set; }

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (gate)
            {
                return [.. requests];
            }
        }
    }

    public IReadOnlyList<string> UnknownRequests => State.UnknownRequests;

    public IReadOnlyList<TwilioConversation> Conversations =>
        [.. State.Conversations().Select(c => new TwilioConversation(c.Sid, c.State, c.UniqueName,
            [.. c.Participants.Select(p => p.Identity ?? p.Address ?? "")], c.Webhooks, c.Messages))];

    /// <summary>The Interactions Flex accepted, oldest first, with the Channel and Routing documents as sent.</summary>
    public IReadOnlyList<FlexInteraction> Interactions =>
        [.. State.Interactions().Select(i => new FlexInteraction(i.Sid, JsonNode.Parse(i.Channel)!.AsObject(), JsonNode.Parse(i.Routing)!.AsObject()))];

    /// <summary>What the simulated agent answers to <paramref name="body"/>.</summary>
    public static string AutoReplyTo(string body) => SimulatedAgent.ReplyTo(body);

    public HttpMessageHandler CreateHandler() => new Recorder(this, server.CreateHandler());

    /// <summary>Answers the next <paramref name="times"/> requests to <paramref name="path"/> with a 400 (Twilio error 20001) instead.</summary>
    public void Refuse(string path, int times)
    {
        var left = times;
        Intercept = r => Task.FromResult(r.Path == path && Interlocked.Decrement(ref left) >= 0
            ? Error(HttpStatusCode.BadRequest, 20001, "Invalid parameter")
            : null);
    }

    public int Count(string method, string pathPattern) =>
        Requests.Count(r => r.Method == method && Regex.IsMatch(r.Path, $"^{pathPattern}$"));

    /// <summary>Completes when a request matching <paramref name="match"/> arrives (or has arrived).</summary>
    public Task<RecordedRequest> WaitForRequestAsync(Func<RecordedRequest, bool> match)
    {
        lock (gate)
        {
            if (requests.FirstOrDefault(match) is { } seen)
            {
                return Task.FromResult(seen);
            }

            var signal = new TaskCompletionSource<RecordedRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
            waiters.Add((match, signal));
            return signal.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>Completes once <paramref name="condition"/> holds for the emulated world (checked at each change), within 10 s.</summary>
    public async Task WaitUntilAsync(Func<bool> condition)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var seen = State.Version;
        while (!condition())
        {
            seen = await State.WaitForChangeAsync(seen, limit.Token);
        }
    }

    /// <summary>A conversation made outside the server (an AI Assistant's, say).</summary>
    public string AddConversation() => State.CreateConversation("existing", uniqueName: null, attributes: null).Sid;

    /// <summary>
    /// A customer's conversation on a channel (SMS for +1…, WhatsApp for whatsapp:+1…, chat otherwise), set up as a
    /// Conversations address does, with a scoped webhook for new messages to <paramref name="webhookUrl"/>.
    /// </summary>
    public string AddChannelConversation(string address, string webhookUrl)
    {
        var conversation = State.CreateConversation($"Customer: {address}", uniqueName: null, attributes: null);
        var phone = address.StartsWith('+') || address.StartsWith("whatsapp:", StringComparison.Ordinal);
        State.AddParticipant(conversation, phone ? null : address, attributes: null, phone ? address : null);
        State.AddWebhook(conversation, "webhook", ["onMessageAdded"], flowSid: null, webhookUrl, "post");
        return conversation.Sid;
    }

    /// <summary>The customer writes on their channel: the message is added and the conversation's webhooks fire.</summary>
    public EmulatedMessage CustomerWrites(string conversationSid, string address, string body) =>
        State.AddMessage(State.Get(conversationSid), address, body, attributes: null, webhookEnabled: true, fromAgent: false);

    /// <summary>Someone writes in the conversation from Flex's side (an agent, unless <paramref name="author"/> says otherwise).</summary>
    public void AgentSays(string conversationSid, string body, string author = AgentIdentity) =>
        State.AddMessage(State.Get(conversationSid), author, body, attributes: null, webhookEnabled: true, fromAgent: true);

    /// <summary>An agent accepts the conversation's task in Flex and joins it as a participant.</summary>
    public void AgentJoins(string conversationSid, string identity = AgentIdentity) => State.Join(State.Get(conversationSid), identity);

    /// <summary>True for a participant who is not one of the agents (the emulator's simulated agent, or <see cref="AgentIdentity"/>).</summary>
    public static bool IsCustomer(string participant) => participant is not (EmulatorState.AgentIdentity or EmulatorState.SimulatedAgentIdentity or AgentIdentity);

    /// <summary>The agent closes the conversation in Flex.</summary>
    public void Close(string conversationSid) => State.Close(State.Get(conversationSid));

    /// <summary>The conversation is deleted in Twilio.</summary>
    public void Delete(string conversationSid) => State.Delete(conversationSid);

    public static HttpResponseMessage Error(HttpStatusCode status, int code, string message) => new(status)
    {
        Content = new StringContent(new JsonObject
        {
            ["code"] = code,
            ["message"] = message,
            ["more_info"] = $"https://www.twilio.com/docs/errors/{code}",
            ["status"] = (int)status,
        }.ToJsonString(), Encoding.UTF8, "application/json"),
    };

    public void Dispose() => emulator.DisposeAsync().AsTask().GetAwaiter().GetResult();

    private void Record(RecordedRequest recorded)
    {
        lock (gate)
        {
            requests.Add(recorded);
            foreach (var waiter in waiters.Where(w => w.Match(recorded)).ToList())
            {
                waiters.Remove(waiter);
                waiter.Signal.TrySetResult(recorded);
            }
        }
    }

    /// <summary>Records each request, injects faults, and hands the rest to the emulator.</summary>
    private sealed class Recorder(EmulatedTwilio twilio, HttpMessageHandler emulator) : DelegatingHandler(emulator)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var recorded = await RecordedRequest.FromAsync(request);
            twilio.Record(recorded);
            if (twilio.Intercept is { } intercept && await intercept(recorded).WaitAsync(cancellationToken) is { } injected)
            {
                return injected;
            }

            var response = await base.SendAsync(request, cancellationToken);
            return twilio.FailAfterApplying?.Invoke(recorded) == true
                ? Error(HttpStatusCode.ServiceUnavailable, 20503, "Service unavailable (after applying the request)")
                : response;
        }
    }

    /// <summary>Delivers the emulator's webhooks to the server under test (its in-memory handler), as Twilio would over the internet.</summary>
    private sealed class WebhookForwarder(EmulatedTwilio twilio) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            twilio.DeliversWebhooks && twilio.WebhookTarget is { } target
                ? new HttpMessageInvoker(target(), disposeHandler: false).SendAsync(request, cancellationToken)
                : Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
    }
}

/// <summary>A conversation as Twilio holds it: participants by identity, its webhooks and messages.</summary>
public sealed record TwilioConversation(
    string Sid, string State, string? UniqueName, IReadOnlyList<string> Participants, IReadOnlyList<EmulatedWebhook> Webhooks, IReadOnlyList<EmulatedMessage> Messages);

/// <summary>An Interaction as Flex received it: the Channel and Routing documents.</summary>
public sealed record FlexInteraction(string Sid, JsonObject Channel, JsonObject Routing);

/// <summary>One request as Twilio would have received it; <see cref="Path"/> is the API's path (/v1/…), <see cref="Api"/> which API.</summary>
public sealed record RecordedRequest(
    string Method,
    string Path,
    IReadOnlyDictionary<string, string> Query,
    IReadOnlyList<KeyValuePair<string, string>> Form,
    IReadOnlyDictionary<string, string> Headers,
    string? ContentType,
    string Api)
{
    public string? Form1(string name) => Form.Where(p => p.Key == name).Select(p => p.Value).SingleOrDefault();

    public IReadOnlyList<string> FormAll(string name) => [.. Form.Where(p => p.Key == name).Select(p => p.Value)];

    public static async Task<RecordedRequest> FromAsync(HttpRequestMessage request)
    {
        var uri = request.RequestUri!;
        var query = Parse(uri.Query.TrimStart('?')).ToDictionary(p => p.Key, p => p.Value);
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync();
        var headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        var path = uri.AbsolutePath;
        var (api, prefix) = new[] { ("flex", SandboxAccount.FlexPath), ("voice", SandboxAccount.VoicePath), ("sync", SandboxAccount.SyncPath), ("verify", SandboxAccount.VerifyPath), ("taskrouter", SandboxAccount.TaskRouterPath), ("conversations", SandboxAccount.TwilioPath) }
            .FirstOrDefault(a => path.StartsWith(a.Item2 + "/", StringComparison.Ordinal), ("conversations", ""));
        path = path[prefix.Length..];
        return new RecordedRequest(request.Method.Method, path, query, [.. Parse(body)], headers, request.Content?.Headers.ContentType?.MediaType, api);
    }

    private static IEnumerable<KeyValuePair<string, string>> Parse(string encoded) =>
        encoded.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(pair =>
        {
            var parts = pair.Split('=', 2);
            return new KeyValuePair<string, string>(
                Uri.UnescapeDataString(parts[0].Replace('+', ' ')),
                parts.Length > 1 ? Uri.UnescapeDataString(parts[1].Replace('+', ' ')) : "");
        });
}
