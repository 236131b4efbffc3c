using FlexAgentPlugin.Storage;
using FlexAgentPlugin.Twilio;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Events;

/// <summary>
/// <c>POST /twilio/conversation-events</c>: Twilio's conversation-scoped webhook. Only requests signed with the
/// account's auth token are accepted; each one wakes the requests waiting on that conversation at once, and a
/// closed conversation is recorded so the user's next message starts a new one.
/// </summary>
public static partial class ConversationEventsEndpoints
{
    /// <summary>The events each new conversation's webhook subscribes to.</summary>
    public static readonly string[] Filters = ["onMessageAdded", "onConversationStateUpdated"];

    public static IServiceCollection AddConversationEvents(this IServiceCollection services)
    {
        services.AddSingleton<ConversationEvents>();
        services.AddSingleton<EventsAddress>();
        return services;
    }

    public static IEndpointRouteBuilder MapConversationEvents(this IEndpointRouteBuilder app)
    {
        app.MapPost(EventsAddress.Path, ReceiveAsync).DisableAntiforgery().ExcludeFromDescription();
        return app;
    }

    private static async Task<Results<Ok, ProblemHttpResult>> ReceiveAsync(
        HttpRequest request,
        EventsAddress address,
        IOptions<TwilioOptions> twilio,
        ConversationEvents events,
        ConversationStore store,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        if (!request.HasFormContentType)
        {
            return Forbidden();
        }

        var calledUrl = address.CalledUrl(request);
        if (!await TwilioSignature.IsSignedRequestAsync(request, twilio.Value.AuthToken ?? "", calledUrl, cancellationToken))
        {
            RejectedSignature(loggers.CreateLogger(typeof(ConversationEventsEndpoints)), calledUrl);
            return Forbidden();
        }

        var form = await request.ReadFormAsync(cancellationToken);

        var conversationSid = form["ConversationSid"].ToString();
        if (conversationSid.Length == 0)
        {
            return TypedResults.Ok();
        }

        var closed = form["EventType"] == "onConversationStateUpdated" && form["StateTo"] == "closed";
        if (closed)
        {
            await store.MarkClosedAsync(conversationSid, cancellationToken);
        }

        events.Publish(new ConversationEvent(conversationSid, form["Author"].FirstOrDefault(), closed));
        return TypedResults.Ok();
    }

    private static ProblemHttpResult Forbidden() => TypedResults.Problem(
        statusCode: StatusCodes.Status403Forbidden,
        title: "Invalid Twilio signature",
        detail: "This endpoint accepts only requests that Twilio signed with the account's auth token.");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a conversation event with a missing or wrong X-Twilio-Signature for {Url}")]
    private static partial void RejectedSignature(ILogger logger, string url);
}
