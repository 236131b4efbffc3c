using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Types;
using WireMock.Util;

namespace FlexAgentPlugin.Tests.Infrastructure;

/// <summary>
/// OpenAI's HTTP API (Chat Completions and Responses) played by a WireMock.Net server, started on first use. A request
/// matches only with the right path, method and key; its body is then checked against the shapes the server must send
/// (<see cref="ModelRequestShapes"/>), recorded, and answered by the next scripted answer (<see cref="Script"/>). A
/// request that matches no mapping (another path, a wrong key), of the wrong shape, or that nothing was scripted for is
/// in <see cref="Unknown"/>, which the factory fails the test on.
/// </summary>
public sealed class FakeOpenAi : IDisposable
{
    /// <summary>Where the server's settings point the model client; <see cref="CreateHandler"/> sends it on to WireMock.</summary>
    public const string BaseUrl = "http://openai.fake.test/v1";
    public const string ApiKey = "sk-test-0123456789abcdef";
    public const string Model = "gpt-test-mini";

    private readonly Lock gate = new();
    private readonly List<ModelRequest> requests = [];
    private readonly List<string> unknown = [];
    private readonly Queue<Func<ModelRequest, Task<ModelAnswer>>> script = new();
    private readonly CancellationTokenSource stopping = new();
    private readonly Lazy<WireMockServer> server;
    private TaskCompletionSource<ModelRequest> next = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool disposed;

    public FakeOpenAi() => server = new(Start);

    /// <summary>The settings that point the server at this fake.</summary>
    public static Dictionary<string, string?> Settings(string api = "chat") => new()
    {
        ["RESPONDER"] = "ai-first",
        ["OPENAI_API_KEY"] = ApiKey,
        ["AI_BASE_URL"] = BaseUrl,
        ["AI_MODEL"] = Model,
        ["AI_API"] = api,
    };

    public IReadOnlyList<ModelRequest> Requests
    {
        get
        {
            lock (gate)
            {
                return [.. requests];
            }
        }
    }

    /// <summary>Requests WireMock matched to no mapping, and those the scripted mappings refused.</summary>
    public IReadOnlyList<string> Unknown
    {
        get
        {
            var unmatched = server.IsValueCreated
                ? server.Value.LogEntries.Where(e => e.MappingGuid is null).Select(e => $"{e.RequestMessage.Method} {e.RequestMessage.Path}: matches no mapping (path, method and key)")
                : [];
            lock (gate)
            {
                return [.. unknown, .. unmatched];
            }
        }
    }

    /// <summary>Answers the next request with <paramref name="answer"/> (which may wait, or fail).</summary>
    public FakeOpenAi Script(Func<ModelRequest, Task<ModelAnswer>> answer)
    {
        lock (gate)
        {
            script.Enqueue(answer);
        }

        return this;
    }

    public FakeOpenAi Says(string text) => Script(_ => Task.FromResult(ModelAnswer.Text(text)));

    public FakeOpenAi HandsOff(string reason, string summary, string? text = null) =>
        Script(_ => Task.FromResult(ModelAnswer.Handoff(reason, summary, text)));

    /// <summary>Completes with the next request the fake receives (after those already received, <paramref name="after"/> of them).</summary>
    public async Task<ModelRequest> WaitForRequestAsync(int after)
    {
        while (true)
        {
            Task<ModelRequest> waiting;
            lock (gate)
            {
                if (requests.Count > after)
                {
                    return requests[after];
                }

                waiting = next.Task;
            }

            await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>
    /// The model client's handler: its requests for <see cref="BaseUrl"/> (the address the settings name before any
    /// server exists) go to the WireMock server, over HTTP.
    /// </summary>
    public HttpMessageHandler CreateHandler() => new ToWireMock(new Uri(server.Value.Url!)) { InnerHandler = new SocketsHttpHandler() };

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        stopping.Cancel();
        if (server.IsValueCreated)
        {
            server.Value.Stop();
            server.Value.Dispose();
        }

        stopping.Dispose();
    }

    private WireMockServer Start()
    {
        var wireMock = WireMockServer.Start();
        foreach (var (path, api) in new[] { ("/v1/chat/completions", "chat"), ("/v1/responses", "responses") })
        {
            wireMock.Given(Request.Create().WithPath(path).UsingPost().WithHeader("Authorization", $"Bearer {ApiKey}"))
                .RespondWith(Response.Create().WithCallback(request => AnswerAsync(api, request)));
        }

        return wireMock;
    }

    private async Task<IResponseMessage> AnswerAsync(string api, IRequestMessage request)
    {
        JsonObject? json;
        try
        {
            json = JsonNode.Parse(request.Body ?? "") as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            json = null;
        }

        if (json is null)
        {
            return Refuse($"{request.Path}: the body is not a JSON object", HttpStatusCode.BadRequest);
        }

        var shape = api == "chat" ? ModelRequestShapes.ChatShapeProblem(json) : ModelRequestShapes.ResponsesShapeProblem(json);
        if (shape is not null)
        {
            return Refuse($"{request.Path}: {shape}", HttpStatusCode.BadRequest);
        }

        var headers = request.Headers?.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase) ?? [];
        var recorded = new ModelRequest(api, json, headers);
        Func<ModelRequest, Task<ModelAnswer>>? answer;
        lock (gate)
        {
            requests.Add(recorded);
            next.TrySetResult(recorded);
            next = new TaskCompletionSource<ModelRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
            script.TryDequeue(out answer);
        }

        if (answer is null)
        {
            return Refuse($"{request.Path}: nothing was scripted for this request", HttpStatusCode.InternalServerError);
        }

        // An answer that never comes (a model that hangs) ends when the fake is disposed.
        var scripted = await answer(recorded).WaitAsync(stopping.Token);
        if (scripted.Status == HttpStatusCode.OK && api == "chat" && json["stream"]?.GetValueKind() == System.Text.Json.JsonValueKind.True)
        {
            return EventStream(scripted.AsChatChunks(json));
        }

        return scripted.Status != HttpStatusCode.OK
            ? Json(Error("The fake was told to fail.", "server_error"), scripted.Status)
            : Json(api == "chat" ? scripted.AsChatCompletion(json) : scripted.AsResponse(json), HttpStatusCode.OK);
    }

    private ResponseMessage Refuse(string why, HttpStatusCode status)
    {
        lock (gate)
        {
            unknown.Add(why);
        }

        return Json(Error(why, "invalid_request_error"), status);
    }

    private static JsonObject Error(string message, string type) =>
        new() { ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = null, ["code"] = null } };

    private static ResponseMessage Json(JsonObject body, HttpStatusCode status) => new()
    {
        StatusCode = (int)status,
        Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("application/json") },
        BodyData = new BodyData { DetectedBodyType = BodyType.String, BodyAsString = body.ToJsonString(), Encoding = Encoding.UTF8 },
    };

    private static ResponseMessage EventStream(string events) => new()
    {
        StatusCode = 200,
        Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("text/event-stream") },
        BodyData = new BodyData { DetectedBodyType = BodyType.String, BodyAsString = events, Encoding = Encoding.UTF8 },
    };

    /// <summary>Sends requests for <see cref="BaseUrl"/>'s host to the WireMock server, path and query unchanged.</summary>
    private sealed class ToWireMock(Uri wireMock) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.RequestUri = new UriBuilder(request.RequestUri!) { Scheme = wireMock.Scheme, Host = wireMock.Host, Port = wireMock.Port }.Uri;
            return base.SendAsync(request, cancellationToken);
        }
    }
}
