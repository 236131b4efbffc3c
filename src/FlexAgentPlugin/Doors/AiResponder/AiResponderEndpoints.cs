using FlexAgentPlugin.Core.Assistant;
using FlexAgentPlugin.Core.Callbacks;
using FlexAgentPlugin.Core.Conversations;
using FlexAgentPlugin.Core.Routing;
using FlexAgentPlugin.Core.State;
using FlexAgentPlugin.Core.Users;
using FlexAgentPlugin.Hosting.Access;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Doors.AiResponder;

/// <summary>
/// <c>POST /twilio/ai-responder</c>: a Conversations webhook (service-level or conversation-scoped, <c>onMessageAdded</c>,
/// signed with the account's auth token) that has the AI answer customers who write by SMS, WhatsApp or web chat, and
/// hand them to Flex when it should. Twilio waits 5 s and retries: the webhook answers at once, each message SID is
/// taken on once, and the turn runs in the background (<see cref="AiTurns"/>: one at a time per conversation). It
/// ignores the AI's own messages and the messages of /send and MCP users (the relay answers those); the turn ignores
/// the relay's conversations and those an agent has joined.
/// </summary>
public static class AiResponderEndpoints
{
    public const string Path = TwilioCallbacks.AiResponderPath;

    public static IEndpointRouteBuilder MapAiResponder(this IEndpointRouteBuilder app)
    {
        app.MapPost(Path, ReceiveAsync)
            .RequireAuthorization(AccessPolicies.TwilioSigned)
            .DisableAntiforgery()
            .ExcludeFromDescription();
        return app;
    }

    private static async Task<Results<Ok, ProblemHttpResult>> ReceiveAsync(
        HttpContext context, AiTurns turns, IEventClaims claims, IOptions<AssistantOptions> options, CancellationToken cancellationToken)
    {
        if (!options.Value.IsAiFirst)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The AI responder is off",
                detail: "This server answers with human agents only: set RESPONDER=ai-first (and a model) and restart it to have the AI answer first.");
        }

        var form = context.Features.Get<SignedBody>()!;
        if (form["EventType"] != "onMessageAdded")
        {
            return TypedResults.Ok();
        }

        var conversationSid = Required(form, "ConversationSid");
        var messageSid = Required(form, "MessageSid");
        var author = Required(form, "Author");
        if (MessageMarks.Read(form["Attributes"]).Source is not null || author == AiTurns.AiAuthor)
        {
            // The AI's own message, or a /send or MCP user's (their conversation's responder runs in the relay).
            return TypedResults.Ok();
        }

        if (!await claims.TryClaimAsync($"message:{messageSid}", cancellationToken))
        {
            return TypedResults.Ok();
        }

        var customer = Customer.FromAuthor(author);
        _ = turns.AnswerAsync(new AiConversation(conversationSid, author, customer,
            new Dictionary<string, string> { ["from"] = customer.Address, ["customerName"] = customer.Value, ["customerAddress"] = customer.Address },
            FromChannel: true));
        return TypedResults.Ok();
    }

    private static string Required(SignedBody form, string name) =>
        form[name] is { Length: > 0 } value && !value.Any(char.IsControl)
            ? value
            : throw new InvalidInputException(name, $"The event has no usable {name}; Twilio's onMessageAdded always has one.");
}
