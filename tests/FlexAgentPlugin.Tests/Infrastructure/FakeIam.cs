using System.Collections.Concurrent;
using System.Globalization;
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
/// Twilio's IAM token validation (<c>POST /v1/Accounts/{AccountSid}/Tokens/validate</c>) played by a WireMock.Net server,
/// started on first use. A request matches only on that path for the test account, with the account's Basic auth (the
/// account SID and auth token, as Twilio's validator sends them) and a JSON body of exactly <c>{"token": "…"}</c>; it is
/// answered with what the test scripted for that token (<see cref="Knows"/>). Anything else (another path, other
/// credentials, another body, an unscripted token) is in <see cref="Unknown"/>, which the factory fails the test on.
/// </summary>
public sealed class FakeIam : IDisposable
{
    /// <summary>Where TWILIO_IAM_BASE_URL points; <see cref="Route"/> sends it on to WireMock.</summary>
    public const string BaseUrl = "http://iam.fake.test";

    public static readonly string ValidatePath = $"/v1/Accounts/{PluginFactory.AccountSid}/Tokens/validate";

    private readonly ConcurrentDictionary<string, ConcurrentQueue<JsonObject>> script = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> unknown = new();
    private readonly ConcurrentQueue<string> asked = new();
    private readonly Lazy<WireMockServer> server;

    public FakeIam() => server = new(Start);

    /// <summary>The settings that point the server's token validation at this fake.</summary>
    public static Dictionary<string, string?> Settings() => new() { ["TWILIO_IAM_BASE_URL"] = BaseUrl };

    /// <summary>When set, every validation is answered with this status and Twilio's error body.</summary>
    public HttpStatusCode? Failing { get; set; }

    /// <summary>The tokens Twilio was asked about, in order.</summary>
    public IReadOnlyList<string> Asked => [.. asked];

    public IReadOnlyList<string> Unknown
    {
        get
        {
            var unmatched = server.IsValueCreated
                ? server.Value.LogEntries.Where(e => e.MappingGuid is null).Select(e => $"{e.RequestMessage.Method} {e.RequestMessage.Path}: matches no mapping (path, method, credentials)")
                : [];
            return [.. unknown, .. unmatched];
        }
    }

    /// <summary>Twilio's answers for <paramref name="token"/>, one per validation; the last one answers every later one.</summary>
    public FakeIam Knows(string token, params JsonObject[] answers)
    {
        script[token] = new ConcurrentQueue<JsonObject>(answers);
        return this;
    }

    /// <summary>How many times Twilio was asked about <paramref name="token"/>.</summary>
    public int Validations(string token) => asked.Count(t => t == token);

    /// <summary>A valid token's answer, with Twilio's field names.</summary>
    public static JsonObject Valid(string identity, DateTimeOffset expiration, string workerSid, params string[] roles) => new()
    {
        ["valid"] = true,
        ["code"] = 0,
        ["message"] = null,
        ["expiration"] = expiration.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        ["realm_user_id"] = $"{identity}@example.com",
        ["identity"] = identity,
        ["roles"] = new JsonArray([.. roles.Select(role => JsonValue.Create(role))]),
        ["worker_sid"] = workerSid,
    };

    /// <summary>A refused token's answer.</summary>
    public static JsonObject Invalid(int code, string message) => new()
    {
        ["valid"] = false, ["code"] = code, ["message"] = message, ["expiration"] = null,
        ["realm_user_id"] = null, ["identity"] = null, ["roles"] = null, ["worker_sid"] = null,
    };

    /// <summary>
    /// The server's Twilio handler: requests for <see cref="BaseUrl"/>'s host go to the WireMock server over HTTP, the
    /// rest to <paramref name="rest"/> (the emulated Twilio).
    /// </summary>
    public HttpMessageHandler Route(HttpMessageHandler rest) => new Router(this, rest, new SocketsHttpHandler());

    /// <summary>Stops the server: from now on IAM is unreachable.</summary>
    public void Stop() => server.Value.Stop();

    public void Dispose()
    {
        if (server.IsValueCreated)
        {
            server.Value.Stop();
            server.Value.Dispose();
        }
    }

    private WireMockServer Start()
    {
        var wireMock = WireMockServer.Start();
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{PluginFactory.AccountSid}:{PluginFactory.AuthToken}"));
        wireMock.Given(Request.Create().WithPath(ValidatePath).UsingPost().WithHeader("Authorization", $"Basic {basic}"))
            .RespondWith(Response.Create().WithCallback(Answer));
        return wireMock;
    }

    private ResponseMessage Answer(IRequestMessage request)
    {
        var contentType = request.Headers?.FirstOrDefault(h => h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault() ?? "";
        var body = contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) ? Parse(request.Body) : null;
        if (body is null || body.Count != 1 || body["token"] is not JsonValue value || !value.TryGetValue<string>(out var token))
        {
            return Refuse($"the body is not JSON of exactly {{\"token\": \"…\"}}: {contentType} {request.Body}");
        }

        asked.Enqueue(token);
        if (Failing is { } status)
        {
            return Json(new JsonObject { ["code"] = 20500, ["message"] = "Internal error", ["more_info"] = "https://www.twilio.com/docs/errors/20500", ["status"] = (int)status }, status);
        }

        if (!script.TryGetValue(token, out var answers) || answers.IsEmpty)
        {
            return Refuse("nothing was scripted for this token");
        }

        var answer = answers.Count > 1 && answers.TryDequeue(out var next) ? next : answers.First();
        return Json(answer.DeepClone().AsObject(), HttpStatusCode.OK);
    }

    private static JsonObject? Parse(string? body)
    {
        try
        {
            return JsonNode.Parse(body ?? "") as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private ResponseMessage Refuse(string why)
    {
        unknown.Enqueue($"POST {ValidatePath}: {why}");
        return Json(new JsonObject { ["code"] = 20001, ["message"] = why, ["status"] = 400 }, HttpStatusCode.BadRequest);
    }

    private static ResponseMessage Json(JsonObject body, HttpStatusCode status) => new()
    {
        StatusCode = (int)status,
        Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("application/json") },
        BodyData = new BodyData { DetectedBodyType = BodyType.String, BodyAsString = body.ToJsonString(), Encoding = Encoding.UTF8 },
    };

    /// <summary>IAM's host to WireMock (path and query unchanged), everything else to the emulated Twilio.</summary>
    private sealed class Router(FakeIam iam, HttpMessageHandler rest, HttpMessageHandler wire) : HttpMessageHandler
    {
        private readonly HttpMessageInvoker toRest = new(rest);
        private readonly HttpMessageInvoker toWire = new(wire);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.Host != new Uri(BaseUrl).Host)
            {
                return toRest.SendAsync(request, cancellationToken);
            }

            var target = new Uri(iam.server.Value.Url!);
            request.RequestUri = new UriBuilder(request.RequestUri) { Scheme = target.Scheme, Host = target.Host, Port = target.Port }.Uri;
            return toWire.SendAsync(request, cancellationToken);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                toRest.Dispose();
                toWire.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
