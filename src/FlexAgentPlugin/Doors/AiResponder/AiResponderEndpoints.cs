using FlexAgentPlugin.Core.Assistant;
using FlexAgentPlugin.Core.Callbacks;
using FlexAgentPlugin.Core.Users;
using FlexAgentPlugin.Hosting.Access;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Doors.AiResponder;

/// <summary>
/// <c>POST /twilio/ai-responder</c>: a Conversations webhook (service-level or conversation-scoped, <c>onMessageAdded</c>,
/// signed with the account's auth token) that has the AI answer customers who write by SMS, WhatsApp or web chat, and
/// hand them to Flex when it should. Twilio waits 5 s and retries: the webhook answers at once, and the engine takes each
/// message on once and queues the turn (<see cref="ChannelMessages"/>).
/// </summary>
public static class AiResponderEndpoints
{
    public const string Path = TwilioCallbacks.AiResponderPath;

    /// <summary>The engine's entry for a customer's channel message (the AI's turns themselves are the assistant's).</summary>
    public static IServiceCollection AddAiResponder(this IServiceCollection services) => services.AddSingleton<ChannelMessages>();

    public static IEndpointRouteBuilder MapAiResponder(this IEndpointRouteBuilder app)
    {
        app.MapPost(Path, ReceiveAsync)
            .RequireAuthorization(AccessPolicies.TwilioSigned)
            .DisableAntiforgery()
            .ExcludeFromDescription();
        return app;
    }

    private static async Task<Results<Ok, ProblemHttpResult>> ReceiveAsync(
        HttpContext context, ChannelMessages messages, IOptions<AssistantOptions> options, CancellationToken cancellationToken)
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

        await messages.ReceivedAsync(
            new ChannelMessage(Required(form, "ConversationSid"), Required(form, "MessageSid"), Required(form, "Author"), form["Attributes"]), cancellationToken);
        return TypedResults.Ok();
    }

    private static string Required(SignedBody form, string name) =>
        form[name] is { Length: > 0 } value && !value.Any(char.IsControl)
            ? value
            : throw new InvalidInputException(name, $"The event has no usable {name}; Twilio's onMessageAdded always has one.");
}
