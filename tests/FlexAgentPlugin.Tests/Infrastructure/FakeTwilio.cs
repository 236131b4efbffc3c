using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace FlexAgentPlugin.Tests.Infrastructure;

/// <summary>
/// An in-process stand-in for Twilio's Conversations v1 REST API and Flex's Interactions API. It answers with the JSON shapes of
/// Twilio's OpenAPI description, checks Basic auth, form names and enums, records every request, and
/// keeps any request it does not know in <see cref="UnknownRequests"/> so the test fails.
/// </summary>
public sealed partial class FakeTwilio
{
    public const string Host = "https://conversations.fake-twilio.test";
    public const string FlexHost = "https://flex-api.fake-twilio.test";
    public const string AgentIdentity = "agent@flex.example";

    private static readonly Dictionary<string, string[]> AllowedForm = new()
    {
        ["create conversation"] = ["FriendlyName", "UniqueName", "DateCreated", "DateUpdated", "MessagingServiceSid", "Attributes", "State", "Timers.Inactive", "Timers.Closed", "Bindings.Email.Address", "Bindings.Email.Name"],
        ["add participant"] = ["Identity", "MessagingBinding.Address", "MessagingBinding.ProxyAddress", "DateCreated", "DateUpdated", "Attributes", "MessagingBinding.ProjectedAddress", "RoleSid"],
        ["add webhook"] = ["Target", "Configuration.Url", "Configuration.Method", "Configuration.Filters", "Configuration.Triggers", "Configuration.FlowSid", "Configuration.ReplayAfter"],
        ["create interaction"] = ["Channel", "Routing", "InteractionContextSid", "WebhookTtid"],
        ["send message"] = ["Author", "Body", "DateCreated", "DateUpdated", "Attributes", "MediaSid", "ContentSid", "ContentVariables", "Subject"],
    };

    private readonly Lock gate = new();
    private readonly List<RecordedRequest> requests = [];
    private readonly List<string> unknown = [];
    private readonly Dictionary<string, FakeConversation> conversations = new(StringComparer.Ordinal);
    private readonly List<FakeInteraction> interactions = [];
    private readonly List<(Func<RecordedRequest, bool> Match, TaskCompletionSource<RecordedRequest> Signal)> waiters = [];
    private int nextSid;

    public FakeTwilio(string user, string password)
    {
        User = user;
        Password = password;
    }

    public string User { get; set; }

    public string Password { get; set; }

    /// <summary>Runs before a request is answered; return a response to answer with it instead (fault injection).</summary>
    public Func<RecordedRequest, Task<HttpResponseMessage?>>? Intercept { get; set; }

    /// <summary>Answers the next <paramref name="times"/> requests to <paramref name="path"/> with a 400 (Twilio error 20001) instead.</summary>
    public void Refuse(string path, int times)
    {
        var left = times;
        Intercept = r => Task.FromResult(r.Path == path && Interlocked.Decrement(ref left) >= 0
            ? Error(HttpStatusCode.BadRequest, 20001, "Invalid parameter")
            : null);
    }

    /// <summary>When true for a request, it is carried out and then answered 503, as if Twilio's answer was lost.</summary>
    public Func<RecordedRequest, bool>? FailAfterApplying { get; set; }

    /// <summary>When set, the agent answers every customer message at once with "re: {body}".</summary>
    public bool AutoReply { get; set; }

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (gate)
            {
                return requests.ToList();
            }
        }
    }

    public IReadOnlyList<string> UnknownRequests
    {
        get
        {
            lock (gate)
            {
                return unknown.ToList();
            }
        }
    }

    public IReadOnlyList<FakeConversation> Conversations
    {
        get
        {
            lock (gate)
            {
                return conversations.Values.ToList();
            }
        }
    }

    /// <summary>The Interactions Flex accepted, oldest first.</summary>
    public IReadOnlyList<FakeInteraction> Interactions
    {
        get
        {
            lock (gate)
            {
                return interactions.ToList();
            }
        }
    }

    public HttpMessageHandler CreateHandler() => new Handler(this);

    public int Count(string method, string pathPattern) =>
        Requests.Count(r => r.Method == method && Regex.IsMatch(r.Path, $"^{pathPattern}$"));

    /// <summary>Completes when a request matching <paramref name="match"/> arrives (or has arrived).</summary>
    public Task<RecordedRequest> WaitForRequestAsync(Func<RecordedRequest, bool> match)
    {
        lock (gate)
        {
            var seen = requests.FirstOrDefault(match);
            if (seen is not null)
            {
                return Task.FromResult(seen);
            }

            var signal = new TaskCompletionSource<RecordedRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
            waiters.Add((match, signal));
            return signal.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    public FakeConversation AddConversation(string state = "active")
    {
        lock (gate)
        {
            var conversation = new FakeConversation(NewSid("CH"), state, "existing", "{}");
            conversations.Add(conversation.Sid, conversation);
            return conversation;
        }
    }

    /// <summary>The agent writes in the conversation, as an agent does from the Flex UI.</summary>
    public void AgentSays(string conversationSid, string body, string author = AgentIdentity)
    {
        lock (gate)
        {
            var conversation = conversations[conversationSid];
            conversation.Messages.Add(new FakeMessage(NewSid("IM"), conversation.Messages.Count, author, body, "{}"));
        }
    }

    public void Close(string conversationSid)
    {
        lock (gate)
        {
            conversations[conversationSid].State = "closed";
        }
    }

    public void Delete(string conversationSid)
    {
        lock (gate)
        {
            conversations.Remove(conversationSid);
        }
    }

    private async Task<HttpResponseMessage> AnswerAsync(HttpRequestMessage request)
    {
        var recorded = await RecordedRequest.FromAsync(request);
        lock (gate)
        {
            requests.Add(recorded);
            foreach (var waiter in waiters.Where(w => w.Match(recorded)).ToList())
            {
                waiters.Remove(waiter);
                waiter.Signal.TrySetResult(recorded);
            }
        }

        if (!IsAuthorized(request.Headers.Authorization))
        {
            return Error(HttpStatusCode.Unauthorized, 20003, "Authenticate");
        }

        if (Intercept is { } intercept && await intercept(recorded) is { } injected)
        {
            return injected;
        }

        lock (gate)
        {
            var response = Route(recorded) ?? Unknown(recorded, "no such resource or method");
            return FailAfterApplying?.Invoke(recorded) == true
                ? Error(HttpStatusCode.ServiceUnavailable, 20503, "Service unavailable (after applying the request)")
                : response;
        }
    }

    private HttpResponseMessage? Route(RecordedRequest r)
    {
        var segments = r.Path.Trim('/').Split('/');
        if (segments is ["v1", "Interactions"] && r.Method == "POST")
        {
            return CreateInteraction(r);
        }

        if (segments is not ["v1", "Conversations", ..])
        {
            return null;
        }

        if (segments.Length == 2 && r.Method == "POST")
        {
            return CreateConversation(r);
        }

        if (segments.Length < 3)
        {
            return null;
        }

        if (!conversations.TryGetValue(segments[2], out var conversation)
            && conversations.Values.FirstOrDefault(c => c.UniqueName == segments[2]) is not { } named)
        {
            return Error(HttpStatusCode.NotFound, 20404, $"The requested resource /Conversations/{segments[2]} was not found");
        }

        conversation ??= conversations.Values.First(c => c.UniqueName == segments[2]);

        return (r.Method, segments.Length > 3 ? segments[3] : null) switch
        {
            ("GET", null) when segments.Length == 3 => Json(HttpStatusCode.OK, ConversationJson(conversation)),
            ("POST", "Participants") when segments.Length == 4 => AddParticipant(r, conversation),
            ("POST", "Webhooks") when segments.Length == 4 => AddWebhook(r, conversation),
            ("GET", "Webhooks") when segments.Length == 4 => ListWebhooks(conversation),
            ("POST", "Messages") when segments.Length == 4 => SendMessage(r, conversation),
            ("GET", "Messages") when segments.Length == 4 => ListMessages(r, conversation),
            _ => null,
        };
    }

    private HttpResponseMessage CreateConversation(RecordedRequest r)
    {
        if (CheckForm(r, "create conversation") is { } bad)
        {
            return bad;
        }

        var uniqueName = r.Form1("UniqueName");
        if (uniqueName is not null && conversations.Values.Any(c => c.UniqueName == uniqueName))
        {
            return Error(HttpStatusCode.Conflict, 50353, "Conversation with provided unique name already exists");
        }

        var conversation = new FakeConversation(NewSid("CH"), "active", r.Form1("FriendlyName"), r.Form1("Attributes") ?? "{}") { UniqueName = uniqueName };
        conversations.Add(conversation.Sid, conversation);
        return Json(HttpStatusCode.Created, ConversationJson(conversation));
    }

    /// <summary>Flex's POST /v1/Interactions: Channel and Routing are JSON documents in form fields; the conversation must exist.</summary>
    private HttpResponseMessage CreateInteraction(RecordedRequest r)
    {
        if (CheckForm(r, "create interaction") is { } bad)
        {
            return bad;
        }

        JsonObject? channel, routing;
        try
        {
            channel = JsonNode.Parse(r.Form1("Channel") ?? "null") as JsonObject;
            routing = JsonNode.Parse(r.Form1("Routing") ?? "{}") as JsonObject;
        }
        catch (JsonException)
        {
            return Error(HttpStatusCode.BadRequest, 20001, "Invalid Channel or Routing: not JSON");
        }

        if (channel is null || routing is null)
        {
            return Error(HttpStatusCode.BadRequest, 20001, "Missing required parameter Channel in the post body");
        }

        var conversationSid = (string?)channel["properties"]?["media_channel_sid"];
        if (conversationSid is null || !conversations.ContainsKey(conversationSid))
        {
            return Error(HttpStatusCode.BadRequest, 20001, "Invalid Channel: properties.media_channel_sid is not a conversation of this account");
        }

        var properties = routing["properties"];
        if (!SidPattern("WS").IsMatch((string?)properties?["workspace_sid"] ?? "") || !SidPattern("WW").IsMatch((string?)properties?["workflow_sid"] ?? ""))
        {
            return Error(HttpStatusCode.BadRequest, 20001, "Invalid Routing: properties.workspace_sid and properties.workflow_sid are required");
        }

        var interaction = new FakeInteraction(NewSid("KD"), channel, routing);
        interactions.Add(interaction);
        return Json(HttpStatusCode.OK, new JsonObject
        {
            ["sid"] = interaction.Sid,
            ["channel"] = new JsonObject { ["type"] = (string?)channel["type"], ["sid"] = NewSid("UO") },
            ["routing"] = routing.DeepClone(),
            ["interaction_context_sid"] = null,
            ["webhook_ttid"] = null,
            ["url"] = $"{FlexHost}/v1/Interactions/{interaction.Sid}",
            ["links"] = new JsonObject { ["channels"] = $"{FlexHost}/v1/Interactions/{interaction.Sid}/Channels" },
        });
    }

    private HttpResponseMessage AddParticipant(RecordedRequest r, FakeConversation conversation)
    {
        if (CheckForm(r, "add participant") is { } bad)
        {
            return bad;
        }

        var identity = r.Form1("Identity");
        if (conversation.Participants.Contains(identity ?? ""))
        {
            return Error(HttpStatusCode.Conflict, 50433, "Participant already exists");
        }

        conversation.Participants.Add(identity ?? "");
        return Json(HttpStatusCode.Created, new JsonObject
        {
            ["account_sid"] = User,
            ["conversation_sid"] = conversation.Sid,
            ["sid"] = NewSid("MB"),
            ["identity"] = identity,
            ["attributes"] = "{}",
            ["messaging_binding"] = null,
            ["role_sid"] = NewSid("RL"),
            ["date_created"] = "2026-01-01T12:00:00Z",
            ["date_updated"] = "2026-01-01T12:00:00Z",
            ["url"] = $"{Host}/v1/Conversations/{conversation.Sid}/Participants/MB",
            ["last_read_message_index"] = null,
            ["last_read_timestamp"] = null,
        });
    }

    private HttpResponseMessage AddWebhook(RecordedRequest r, FakeConversation conversation)
    {
        if (CheckForm(r, "add webhook") is { } bad)
        {
            return bad;
        }

        var target = r.Form1("Target");
        if (target is not ("webhook" or "trigger" or "studio"))
        {
            return Error(HttpStatusCode.BadRequest, 20001, "Invalid Target");
        }

        if (target == "studio" && !SidPattern("FW").IsMatch(r.Form1("Configuration.FlowSid") ?? ""))
        {
            return Error(HttpStatusCode.BadRequest, 20001, "Invalid Configuration.FlowSid");
        }

        if (target == "webhook" && (r.Form1("Configuration.Method") is not ("get" or "post")
            || !Uri.TryCreate(r.Form1("Configuration.Url"), UriKind.Absolute, out _)))
        {
            return Unknown(r, "a webhook target needs Configuration.Method get|post and an absolute Configuration.Url");
        }

        var webhook = new FakeWebhook(NewSid("WH"), target, r.FormAll("Configuration.Filters"), r.Form1("Configuration.FlowSid"), r.Form1("Configuration.Url"));
        conversation.Webhooks.Add(webhook);
        return Json(HttpStatusCode.Created, WebhookJson(conversation, webhook));
    }

    private HttpResponseMessage ListWebhooks(FakeConversation conversation)
    {
        var url = $"{Host}/v1/Conversations/{conversation.Sid}/Webhooks?PageSize=50&Page=0";
        return Json(HttpStatusCode.OK, new JsonObject
        {
            ["webhooks"] = new JsonArray(conversation.Webhooks.Select(w => (JsonNode?)WebhookJson(conversation, w)).ToArray()),
            ["meta"] = new JsonObject
            {
                ["page"] = 0, ["page_size"] = 50, ["first_page_url"] = url, ["previous_page_url"] = null,
                ["url"] = url, ["next_page_url"] = null, ["key"] = "webhooks",
            },
        });
    }

    private JsonObject WebhookJson(FakeConversation conversation, FakeWebhook webhook) => new()
    {
        ["account_sid"] = User,
        ["conversation_sid"] = conversation.Sid,
        ["sid"] = webhook.Sid,
        ["target"] = webhook.Target,
        ["configuration"] = new JsonObject
        {
            ["url"] = webhook.Url,
            ["flow_sid"] = webhook.FlowSid,
            ["filters"] = new JsonArray(webhook.Filters.Select(f => (JsonNode?)f).ToArray()),
        },
        ["date_created"] = "2026-01-01T12:00:00Z",
        ["date_updated"] = "2026-01-01T12:00:00Z",
        ["url"] = $"{Host}/v1/Conversations/{conversation.Sid}/Webhooks/{webhook.Sid}",
    };

    private HttpResponseMessage SendMessage(RecordedRequest r, FakeConversation conversation)
    {
        if (CheckForm(r, "send message") is { } bad)
        {
            return bad;
        }

        if (r.Headers.TryGetValue("X-Twilio-Webhook-Enabled", out var enabled) && enabled is not ("true" or "false"))
        {
            return Error(HttpStatusCode.BadRequest, 20001, "Invalid X-Twilio-Webhook-Enabled");
        }

        if (conversation.State == "closed")
        {
            return Error(HttpStatusCode.BadRequest, 50377, "Conversation state is 'closed' so it can't be used for chatting anymore");
        }

        var message = new FakeMessage(NewSid("IM"), conversation.Messages.Count, r.Form1("Author") ?? "system", r.Form1("Body"), r.Form1("Attributes") ?? "{}");
        conversation.Messages.Add(message);
        if (AutoReply && message.Author != AgentIdentity)
        {
            conversation.Messages.Add(new FakeMessage(NewSid("IM"), conversation.Messages.Count, AgentIdentity, $"re: {message.Body}", "{}"));
        }

        return Json(HttpStatusCode.Created, MessageJson(conversation, message));
    }

    private HttpResponseMessage ListMessages(RecordedRequest r, FakeConversation conversation)
    {
        var order = r.Query.GetValueOrDefault("Order", "asc");
        if (order is not ("asc" or "desc") || r.Query.Keys.Except(["Order", "PageSize", "Page", "PageToken"]).Any())
        {
            return Unknown(r, "unexpected query parameter or Order value");
        }

        var pageSize = int.Parse(r.Query.GetValueOrDefault("PageSize", "50"), CultureInfo.InvariantCulture);
        if (pageSize is < 1 or > 100)
        {
            return Error(HttpStatusCode.BadRequest, 20001, "Invalid PageSize");
        }

        // Twilio pages with an opaque PageToken; here "PT{n}" continues after the message with Index n.
        var token = r.Query.TryGetValue("PageToken", out var t) ? int.Parse(t[2..], CultureInfo.InvariantCulture) : (int?)null;
        var pageNumber = r.Query.TryGetValue("Page", out var p) ? int.Parse(p, CultureInfo.InvariantCulture) : 0;
        var ordered = order == "desc"
            ? conversation.Messages.AsEnumerable().Reverse().Where(m => token is null || m.Index < token)
            : conversation.Messages.Where(m => token is null || m.Index > token);
        var rest = ordered.ToList();
        var page = rest.Take(pageSize).ToList();
        var list = $"{Host}/v1/Conversations/{conversation.Sid}/Messages?Order={order}&PageSize={pageSize}";
        return Json(HttpStatusCode.OK, new JsonObject
        {
            ["messages"] = new JsonArray(page.Select(m => (JsonNode?)MessageJson(conversation, m)).ToArray()),
            ["meta"] = new JsonObject
            {
                ["page"] = pageNumber,
                ["page_size"] = pageSize,
                ["first_page_url"] = $"{list}&Page=0",
                ["previous_page_url"] = null,
                ["url"] = $"{list}&Page={pageNumber}",
                ["next_page_url"] = rest.Count > pageSize ? $"{list}&Page={pageNumber + 1}&PageToken=PT{page[^1].Index}" : null,
                ["key"] = "messages",
            },
        });
    }

    private HttpResponseMessage? CheckForm(RecordedRequest r, string operation)
    {
        var extra = r.Form.Select(p => p.Key).Except(AllowedForm[operation]).ToList();
        return extra.Count == 0 ? null : Unknown(r, $"unknown form parameters {string.Join(", ", extra)} for {operation}");
    }

    private HttpResponseMessage Unknown(RecordedRequest r, string why)
    {
        unknown.Add($"{r.Method} {r.Path}{(r.Query.Count > 0 ? "?" + string.Join("&", r.Query.Select(q => $"{q.Key}={q.Value}")) : "")}: {why}");
        return Error(HttpStatusCode.NotImplemented, 0, $"The fake Twilio does not know this request: {why}");
    }

    private bool IsAuthorized(AuthenticationHeaderValue? header)
    {
        if (header is not { Scheme: "Basic", Parameter: { } parameter })
        {
            return false;
        }

        var pair = Encoding.UTF8.GetString(Convert.FromBase64String(parameter));
        return pair == $"{User}:{Password}";
    }

    private string NewSid(string prefix) =>
        prefix + Interlocked.Increment(ref nextSid).ToString("x32", CultureInfo.InvariantCulture);

    private JsonObject ConversationJson(FakeConversation c) => new()
    {
        ["sid"] = c.Sid,
        ["account_sid"] = User,
        ["chat_service_sid"] = "IS" + new string('a', 32),
        ["messaging_service_sid"] = "MG" + new string('a', 32),
        ["friendly_name"] = c.FriendlyName,
        ["unique_name"] = c.UniqueName,
        ["attributes"] = c.Attributes,
        ["date_created"] = "2026-01-01T12:00:00Z",
        ["date_updated"] = "2026-01-01T12:00:00Z",
        ["state"] = c.State,
        ["timers"] = new JsonObject(),
        ["bindings"] = new JsonObject(),
        ["url"] = $"{Host}/v1/Conversations/{c.Sid}",
        ["links"] = new JsonObject { ["messages"] = $"{Host}/v1/Conversations/{c.Sid}/Messages" },
    };

    private JsonObject MessageJson(FakeConversation c, FakeMessage m) => new()
    {
        ["sid"] = m.Sid,
        ["account_sid"] = User,
        ["conversation_sid"] = c.Sid,
        ["body"] = m.Body,
        ["media"] = null,
        ["author"] = m.Author,
        ["participant_sid"] = NewSid("MB"),
        ["attributes"] = m.Attributes,
        ["date_created"] = "2026-01-01T12:00:00Z",
        ["date_updated"] = "2026-01-01T12:00:00Z",
        ["index"] = m.Index,
        ["delivery"] = null,
        ["content_sid"] = null,
        ["url"] = $"{Host}/v1/Conversations/{c.Sid}/Messages/{m.Sid}",
        ["links"] = new JsonObject(),
    };

    private static HttpResponseMessage Json(HttpStatusCode status, JsonObject body) => new(status)
    {
        Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
    };

    public static HttpResponseMessage Error(HttpStatusCode status, int code, string message) => Json(status, new JsonObject
    {
        ["code"] = code,
        ["message"] = message,
        ["more_info"] = $"https://www.twilio.com/docs/errors/{code}",
        ["status"] = (int)status,
    });

    private static Regex SidPattern(string prefix) => new($"^{prefix}[0-9a-fA-F]{{32}}$");

    private sealed class Handler(FakeTwilio fake) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            fake.AnswerAsync(request).WaitAsync(cancellationToken);
    }
}

public sealed class FakeConversation(string sid, string state, string? friendlyName, string attributes)
{
    public string Sid { get; } = sid;

    public string State { get; set; } = state;

    public string? FriendlyName { get; } = friendlyName;

    public string Attributes { get; } = attributes;

    public string? UniqueName { get; init; }

    public List<string> Participants { get; } = [];

    public List<FakeWebhook> Webhooks { get; } = [];

    public List<FakeMessage> Messages { get; } = [];
}

/// <summary>An Interaction as Flex received it: the Channel and Routing documents.</summary>
public sealed record FakeInteraction(string Sid, JsonObject Channel, JsonObject Routing);

public sealed record FakeWebhook(string Sid, string Target, IReadOnlyList<string> Filters, string? FlowSid, string? Url);

public sealed record FakeMessage(string Sid, int Index, string Author, string? Body, string Attributes);

/// <summary>One request as Twilio would have received it.</summary>
public sealed record RecordedRequest(
    string Method,
    string Path,
    IReadOnlyDictionary<string, string> Query,
    IReadOnlyList<KeyValuePair<string, string>> Form,
    IReadOnlyDictionary<string, string> Headers,
    string? ContentType,
    string Host)
{
    public string? Form1(string name) => Form.Where(p => p.Key == name).Select(p => p.Value).SingleOrDefault();

    public IReadOnlyList<string> FormAll(string name) => Form.Where(p => p.Key == name).Select(p => p.Value).ToList();

    public static async Task<RecordedRequest> FromAsync(HttpRequestMessage request)
    {
        var uri = request.RequestUri!;
        var query = Parse(uri.Query.TrimStart('?')).ToDictionary(p => p.Key, p => p.Value);
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync();
        var headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        return new RecordedRequest(request.Method.Method, uri.AbsolutePath, query, Parse(body).ToList(), headers,
            request.Content?.Headers.ContentType?.MediaType, $"{uri.Scheme}://{uri.Authority}");
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
