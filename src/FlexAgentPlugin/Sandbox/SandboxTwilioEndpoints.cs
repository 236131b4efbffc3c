using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FlexAgentPlugin.Sandbox;

/// <summary>
/// The sandbox's emulation of the Conversations v1 REST API, under <see cref="SandboxMode.TwilioPath"/>:
/// the same paths, form parameters, Basic auth and error bodies as Twilio, so the relay's real client talks to it.
/// </summary>
internal static partial class SandboxTwilioEndpoints
{
    private static readonly string[] Targets = ["webhook", "trigger", "studio"];

    public static void MapSandboxTwilio(this IEndpointRouteBuilder app)
    {
        var conversations = app.MapGroup($"{SandboxMode.TwilioPath}/v1/Conversations")
            .AddEndpointFilter(TwilioLikeAsync)
            .ExcludeFromDescription();

        conversations.MapPost("/", async (HttpRequest request, SandboxState state) =>
        {
            var form = await FormAsync(request);
            var conversation = state.CreateConversation(form["FriendlyName"], Optional(form, "UniqueName"), JsonAttributes(form));
            return Created(SandboxTwilioJson.Conversation(conversation, Api(request)));
        });

        conversations.MapGet("/{sid}", (string sid, HttpRequest request, SandboxState state) =>
            Ok(SandboxTwilioJson.Conversation(state.Get(sid), Api(request))));

        conversations.MapPost("/{sid}", async (string sid, HttpRequest request, SandboxState state) =>
        {
            var conversation = state.Get(sid);
            var form = await FormAsync(request);
            if (Optional(form, "State") is { } newState)
            {
                if (newState != "closed")
                {
                    throw SandboxTwilioException.Invalid("State", "the sandbox can only close a conversation");
                }

                state.Close(conversation, webhookEnabled: request.Headers["X-Twilio-Webhook-Enabled"] == "true");
            }

            return Ok(SandboxTwilioJson.Conversation(conversation, Api(request)));
        });

        conversations.MapPost("/{sid}/Participants", async (string sid, HttpRequest request, SandboxState state) =>
        {
            var conversation = state.Get(sid);
            var form = await FormAsync(request);
            var participant = state.AddParticipant(conversation, Optional(form, "Identity"), JsonAttributes(form));
            return Created(SandboxTwilioJson.Participant(participant, Api(request)));
        });

        conversations.MapPost("/{sid}/Webhooks", async (string sid, HttpRequest request, SandboxState state) =>
        {
            var conversation = state.Get(sid);
            var form = await FormAsync(request);
            var target = form["Target"].ToString();
            if (!Targets.Contains(target))
            {
                throw SandboxTwilioException.Invalid("Target", "must be webhook, trigger or studio");
            }

            var flowSid = Optional(form, "Configuration.FlowSid");
            if (target == "studio" && (flowSid is null || !FlowSid().IsMatch(flowSid)))
            {
                throw SandboxTwilioException.Invalid("Configuration.FlowSid", "a studio webhook needs a flow SID (FW…)");
            }

            var url = Optional(form, "Configuration.Url");
            if (target == "webhook" && !Uri.TryCreate(url, UriKind.Absolute, out _))
            {
                throw SandboxTwilioException.Invalid("Configuration.Url", "a webhook needs an absolute URL");
            }

            var webhook = state.AddWebhook(conversation, target, form["Configuration.Filters"].OfType<string>().ToList(),
                flowSid, url, Optional(form, "Configuration.Method")?.ToLowerInvariant());
            return Created(SandboxTwilioJson.Webhook(webhook, Api(request)));
        });

        conversations.MapGet("/{sid}/Webhooks", (string sid, HttpRequest request, SandboxState state) =>
        {
            var conversation = state.Get(sid);
            return Ok(SandboxTwilioJson.WebhookPage(state.Webhooks(conversation), conversation.Sid, Api(request)));
        });

        conversations.MapPost("/{sid}/Messages", async (string sid, HttpRequest request, SandboxState state) =>
        {
            var conversation = state.Get(sid);
            var form = await FormAsync(request);
            var header = request.Headers["X-Twilio-Webhook-Enabled"].ToString();
            if (header is not ("" or "true" or "false"))
            {
                throw SandboxTwilioException.Invalid("X-Twilio-Webhook-Enabled", "must be true or false");
            }

            var message = state.AddMessage(conversation, Optional(form, "Author") ?? "system", Optional(form, "Body"),
                JsonAttributes(form), webhookEnabled: header == "true", fromAgent: false);
            return Created(SandboxTwilioJson.Message(message, Api(request)));
        });

        conversations.MapGet("/{sid}/Messages", (string sid, HttpRequest request, SandboxState state) =>
        {
            var conversation = state.Get(sid);
            var order = request.Query["Order"].ToString() is { Length: > 0 } o ? o : "asc";
            if (order is not ("asc" or "desc"))
            {
                throw SandboxTwilioException.Invalid("Order", "must be asc or desc");
            }

            var pageSize = Number(request, "PageSize", 50);
            if (pageSize is < 1 or > 100)
            {
                throw SandboxTwilioException.Invalid("PageSize", "must be between 1 and 100");
            }

            var token = request.Query["PageToken"].ToString();
            int? after = token.StartsWith("PT", StringComparison.Ordinal) && int.TryParse(token[2..], CultureInfo.InvariantCulture, out var index)
                ? index
                : null;
            var (page, next) = state.Messages(conversation, order == "desc", pageSize, after);
            return Ok(SandboxTwilioJson.MessagePage(page, next, conversation.Sid, order, pageSize, Number(request, "Page", 0), Api(request)));
        });
    }

    /// <summary>Checks Basic auth as Twilio does and turns <see cref="SandboxTwilioException"/> into Twilio's error body.</summary>
    internal static async ValueTask<object?> TwilioLikeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var mode = http.RequestServices.GetRequiredService<SandboxMode>();
        if (!HasCredentials(http.Request, SandboxMode.AccountSid, mode.AuthToken))
        {
            return Fault(new SandboxTwilioException(System.Net.HttpStatusCode.Unauthorized, 20003, "Authenticate"));
        }

        http.RequestServices.GetRequiredService<SandboxState>().CountRestRequest();
        try
        {
            return await next(context);
        }
        catch (SandboxTwilioException fault)
        {
            return Fault(fault);
        }
    }

    private static bool HasCredentials(HttpRequest request, string user, string password)
    {
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header)
            || !string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase)
            || header.Parameter is null)
        {
            return false;
        }

        var expected = Encoding.UTF8.GetBytes(Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.UTF8.GetBytes(header.Parameter));
    }

    private static JsonHttpResult<JsonObject> Fault(SandboxTwilioException fault) =>
        TypedResults.Json(SandboxTwilioJson.Error(fault), statusCode: (int)fault.Status);

    internal static JsonHttpResult<JsonObject> Ok(JsonObject body) => TypedResults.Json(body);

    private static JsonHttpResult<JsonObject> Created(JsonObject body) => TypedResults.Json(body, statusCode: StatusCodes.Status201Created);

    /// <summary>Where the emulated API lives for this request, for the <c>url</c> fields of the answers.</summary>
    private static string Api(HttpRequest request) => $"{request.Scheme}://{request.Host}{SandboxMode.TwilioPath}";

    /// <summary>The form body; a body of another type is refused, as Twilio only reads forms.</summary>
    internal static async Task<IFormCollection> FormAsync(HttpRequest request)
    {
        if (request.HasFormContentType)
        {
            return await request.ReadFormAsync(request.HttpContext.RequestAborted);
        }

        return request.ContentLength is null or 0
            ? FormCollection.Empty
            : throw SandboxTwilioException.Invalid("Content-Type", "send the parameters as application/x-www-form-urlencoded");
    }

    internal static string? Optional(IFormCollection form, string name) => form[name].ToString() is { Length: > 0 } value ? value : null;

    private static string? JsonAttributes(IFormCollection form)
    {
        var attributes = Optional(form, "Attributes");
        if (attributes is not null)
        {
            try
            {
                _ = JsonNode.Parse(attributes);
            }
            catch (System.Text.Json.JsonException)
            {
                throw SandboxTwilioException.Invalid("Attributes", "must be valid JSON");
            }
        }

        return attributes;
    }

    private static int Number(HttpRequest request, string name, int fallback)
    {
        var raw = request.Query[name].ToString();
        if (raw.Length == 0)
        {
            return fallback;
        }

        return int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw SandboxTwilioException.Invalid(name, "must be a whole number");
    }

    [GeneratedRegex("^FW[0-9a-fA-F]{32}$")]
    private static partial Regex FlowSid();
}
