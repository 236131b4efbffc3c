using FlexAgentPlugin.Core.Callbacks;
using FlexAgentPlugin.Core.State;
using FlexAgentPlugin.Core.Telemetry;
using FlexAgentPlugin.Core.Users;
using FlexAgentPlugin.Hosting.Access;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FlexAgentPlugin.Doors.TwilioEvents;

/// <summary>
/// <c>POST /twilio/conversation-events</c>: Twilio's conversation-scoped webhook, accepted only when signed with the
/// account's auth token. Each event wakes the requests waiting on that conversation at once, and a closed conversation
/// is recorded so the user's next message starts a new one.
/// </summary>
public static class ConversationEventsEndpoints
{
    public static IEndpointRouteBuilder MapConversationEvents(this IEndpointRouteBuilder app)
    {
        app.MapPost(TwilioCallbacks.ConversationEventsPath, ReceiveAsync)
            .RequireAuthorization(AccessPolicies.TwilioSigned)
            .DisableAntiforgery()
            .ExcludeFromDescription();
        return app;
    }

    private static async Task<Ok> ReceiveAsync(
        HttpContext context, IConversationSignals signals, IConversationStore store, ExchangeMetrics metrics, TimeProvider clock, CancellationToken cancellationToken)
    {
        var form = context.Features.Get<SignedBody>()!;
        var conversationSid = form["ConversationSid"];
        if (string.IsNullOrEmpty(conversationSid))
        {
            return TypedResults.Ok();
        }

        // A message's Body and Attributes may hold line breaks; the fields read here never do.
        if (new[] { conversationSid, form["Author"], form["EventType"], form["StateTo"] }.Any(value => value?.Any(char.IsControl) == true))
        {
            throw new InvalidInputException("body", "The event has a value with control characters, which Twilio never sends.");
        }

        var closed = form["EventType"] == "onConversationStateUpdated" && form["StateTo"] == "closed";
        if (closed)
        {
            await store.MarkClosedAsync(conversationSid, cancellationToken);
        }

        await signals.PublishAsync(new ConversationEvent(conversationSid, form["Author"], closed, clock.GetUtcNow()), cancellationToken);
        metrics.WokenUp(crossInstance: false);
        return TypedResults.Ok();
    }
}
