using FlexAgentPlugin.Core.Callbacks;
using FlexAgentPlugin.Core.Conversations;
using FlexAgentPlugin.Hosting.Access;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FlexAgentPlugin.Doors.TwilioEvents;

/// <summary>
/// <c>POST /twilio/conversation-events</c>: Twilio's conversation-scoped webhook, accepted only when signed with the
/// account's auth token, handed to the engine (<see cref="ConversationEvents"/>).
/// </summary>
public static class ConversationEventsEndpoints
{
    /// <summary>The engine's entry for a conversation's events.</summary>
    public static IServiceCollection AddConversationEvents(this IServiceCollection services) => services.AddSingleton<ConversationEvents>();

    public static IEndpointRouteBuilder MapConversationEvents(this IEndpointRouteBuilder app)
    {
        app.MapPost(TwilioCallbacks.ConversationEventsPath, ReceiveAsync)
            .RequireAuthorization(AccessPolicies.TwilioSigned)
            .DisableAntiforgery()
            .ExcludeFromDescription();
        return app;
    }

    private static async Task<Ok> ReceiveAsync(HttpContext context, ConversationEvents events, CancellationToken cancellationToken)
    {
        var form = context.Features.Get<SignedBody>()!;
        await events.ReceivedAsync(new ConversationEventNotice(form["ConversationSid"], form["Author"], form["EventType"], form["StateTo"]), cancellationToken);
        return TypedResults.Ok();
    }
}
