using System.Text.RegularExpressions;

namespace FlexAgentPlugin.Sandbox.Emulator;

/// <summary>
/// The emulated Conversations v1 REST API, under <see cref="SandboxAccount.TwilioPath"/>: the same paths, form
/// parameters, Basic auth and error bodies as Twilio (names from Twilio's OpenAPI description), so the server's
/// real client talks to it.
/// </summary>
internal static partial class ConversationsApi
{
    private static readonly string[] Targets = ["webhook", "trigger", "studio"];

    private static readonly string[] CreateConversation = ["FriendlyName", "UniqueName", "DateCreated", "DateUpdated", "MessagingServiceSid", "Attributes", "State", "Timers.Inactive", "Timers.Closed", "Bindings.Email.Address", "Bindings.Email.Name"];
    private static readonly string[] UpdateConversation = ["FriendlyName", "DateCreated", "DateUpdated", "Attributes", "MessagingServiceSid", "State", "Timers.Inactive", "Timers.Closed", "UniqueName", "Bindings.Email.Address", "Bindings.Email.Name"];
    private static readonly string[] CreateParticipant = ["Identity", "MessagingBinding.Address", "MessagingBinding.ProxyAddress", "DateCreated", "DateUpdated", "Attributes", "MessagingBinding.ProjectedAddress", "RoleSid"];
    private static readonly string[] CreateWebhook = ["Target", "Configuration.Url", "Configuration.Method", "Configuration.Filters", "Configuration.Triggers", "Configuration.FlowSid", "Configuration.ReplayAfter"];
    private static readonly string[] CreateMessage = ["Author", "Body", "DateCreated", "DateUpdated", "Attributes", "MediaSid", "ContentSid", "ContentVariables", "Subject"];
    private static readonly string[] ListMessages = ["Order", "PageSize", "Page", "PageToken"];
    private static readonly string[] ListPage = ["PageSize", "Page", "PageToken"];

    public static void MapConversationsApi(this IEndpointRouteBuilder app)
    {
        var conversations = app.MapGroup($"{SandboxAccount.TwilioPath}/v1/Conversations")
            .AddEndpointFilter(ApiRequests.TwilioLikeAsync)
            .ExcludeFromDescription();

        conversations.MapPost("/", async (HttpRequest request, EmulatorState state) =>
        {
            var form = await ApiRequests.FormAsync(request, "create conversation", CreateConversation);
            var conversation = state.CreateConversation(form["FriendlyName"], ApiRequests.Optional(form, "UniqueName"), ApiRequests.JsonAttributes(form));
            return ApiRequests.Created(TwilioJson.Conversation(conversation, Api(request)));
        });

        conversations.MapGet("/{sid}", (string sid, HttpRequest request, EmulatorState state) =>
            ApiRequests.Ok(TwilioJson.Conversation(state.Get(sid), Api(request))));

        conversations.MapPost("/{sid}", async (string sid, HttpRequest request, EmulatorState state) =>
        {
            var conversation = state.Get(sid);
            var form = await ApiRequests.FormAsync(request, "update conversation", UpdateConversation);
            if (ApiRequests.Optional(form, "State") is { } newState)
            {
                if (newState != "closed")
                {
                    throw EmulatorException.Invalid("State", "the emulator can only close a conversation");
                }

                state.Close(conversation, webhookEnabled: ApiRequests.WebhookEnabled(request));
            }

            return ApiRequests.Ok(TwilioJson.Conversation(conversation, Api(request)));
        });

        conversations.MapPost("/{sid}/Participants", async (string sid, HttpRequest request, EmulatorState state) =>
        {
            var conversation = state.Get(sid);
            var form = await ApiRequests.FormAsync(request, "add participant", CreateParticipant);
            var participant = state.AddParticipant(conversation, ApiRequests.Optional(form, "Identity"), ApiRequests.JsonAttributes(form));
            return ApiRequests.Created(TwilioJson.Participant(participant, Api(request)));
        });

        conversations.MapGet("/{sid}/Participants", (string sid, HttpRequest request, EmulatorState state) =>
        {
            ApiRequests.StrictQuery(request, "list participants", ListPage);
            var conversation = state.Get(sid);
            return ApiRequests.Ok(TwilioJson.ParticipantPage(state.Participants(conversation), conversation.Sid, Api(request)));
        });

        conversations.MapPost("/{sid}/Webhooks", async (string sid, HttpRequest request, EmulatorState state) =>
        {
            var conversation = state.Get(sid);
            var form = await ApiRequests.FormAsync(request, "add webhook", CreateWebhook);
            var target = form["Target"].ToString();
            if (!Targets.Contains(target))
            {
                throw EmulatorException.Invalid("Target", "must be webhook, trigger or studio");
            }

            var flowSid = ApiRequests.Optional(form, "Configuration.FlowSid");
            if (target == "studio" && (flowSid is null || !FlowSid().IsMatch(flowSid)))
            {
                throw EmulatorException.Invalid("Configuration.FlowSid", "a studio webhook needs a flow SID (FW…)");
            }

            var url = ApiRequests.Optional(form, "Configuration.Url");
            var method = ApiRequests.Optional(form, "Configuration.Method")?.ToLowerInvariant();
            if (target == "webhook" && (!Uri.TryCreate(url, UriKind.Absolute, out _) || method is not ("get" or "post")))
            {
                throw EmulatorException.Invalid("Configuration", "a webhook needs an absolute Configuration.Url and Configuration.Method get or post");
            }

            var webhook = state.AddWebhook(conversation, target, [.. form["Configuration.Filters"].OfType<string>()], flowSid, url, method);
            return ApiRequests.Created(TwilioJson.Webhook(webhook, Api(request)));
        });

        conversations.MapGet("/{sid}/Webhooks", (string sid, HttpRequest request, EmulatorState state) =>
        {
            ApiRequests.StrictQuery(request, "list webhooks", ListPage);
            var conversation = state.Get(sid);
            return ApiRequests.Ok(TwilioJson.WebhookPage(state.Webhooks(conversation), conversation.Sid, Api(request)));
        });

        conversations.MapPost("/{sid}/Messages", async (string sid, HttpRequest request, EmulatorState state) =>
        {
            var conversation = state.Get(sid);
            var form = await ApiRequests.FormAsync(request, "send message", CreateMessage);
            var message = state.AddMessage(conversation, ApiRequests.Optional(form, "Author") ?? "system", ApiRequests.Optional(form, "Body"),
                ApiRequests.JsonAttributes(form), webhookEnabled: ApiRequests.WebhookEnabled(request), fromAgent: false);
            return ApiRequests.Created(TwilioJson.Message(message, Api(request)));
        });

        conversations.MapGet("/{sid}/Messages", (string sid, HttpRequest request, EmulatorState state, EmulatorBehavior behavior) =>
        {
            ApiRequests.StrictQuery(request, "list messages", ListMessages);
            var conversation = state.Get(sid);
            var order = request.Query["Order"].ToString() is { Length: > 0 } o ? o : "asc";
            if (order is not ("asc" or "desc"))
            {
                throw EmulatorException.Invalid("Order", "must be asc or desc");
            }

            var pageSize = ApiRequests.Number(request, "PageSize", 50);
            if (pageSize is < 1 or > 100)
            {
                throw EmulatorException.Invalid("PageSize", "must be between 1 and 100");
            }

            var pageNumber = ApiRequests.Number(request, "Page", 0);
            var token = request.Query["PageToken"].ToString();
            int? after = token.StartsWith("PT", StringComparison.Ordinal) && int.TryParse(token[2..], System.Globalization.CultureInfo.InvariantCulture, out var index)
                ? index
                : null;
            var byOffset = behavior.OffsetPaging;
            var (page, more) = state.Messages(conversation, order == "desc", pageSize, byOffset ? null : after, byOffset ? pageNumber * pageSize : 0);
            var next = !more ? null : byOffset ? $"&Page={pageNumber + 1}" : $"&Page={pageNumber + 1}&PageToken=PT{page[^1].Index}";
            return ApiRequests.Ok(TwilioJson.MessagePage(page, next, conversation.Sid, order, pageSize, pageNumber, Api(request)));
        });

        app.MapFallback($"{SandboxAccount.TwilioPath}/{{**rest}}", ApiRequests.Unknown).ExcludeFromDescription();
    }

    private static Api Api(HttpRequest request) => Emulator.Api.For(request, SandboxAccount.TwilioPath);

    [GeneratedRegex("^FW[0-9a-fA-F]{32}$")]
    private static partial Regex FlowSid();
}
