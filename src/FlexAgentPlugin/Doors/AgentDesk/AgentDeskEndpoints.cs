using FlexAgentPlugin.Core.AgentDesk;
using FlexAgentPlugin.Hosting.Access;
using FlexAgentPlugin.Hosting.Problems;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FlexAgentPlugin.Doors.AgentDesk;

/// <summary>A drafted reply, for the agent to edit and send.</summary>
public sealed record DraftReply(string Draft);

/// <summary>
/// The agents' Flex plugin's calls on messaging tasks (the agent's Flex token or an agent key, <see cref="AgentAccess"/>):
/// <c>GET /agent/conversations/{conversationSid}/context</c>, what the agent should know about the customer, and
/// <c>POST /agent/conversations/{conversationSid}/draft</c>, a reply drafted by the model and never sent.
/// </summary>
public static class AgentDeskEndpoints
{
    public static IServiceCollection AddAgentDesk(this IServiceCollection services) => services.AddAgentDeskServices();

    public static IEndpointRouteBuilder MapAgentDesk(this IEndpointRouteBuilder app)
    {
        var conversations = app.MapGroup("/agent/conversations/{conversationSid}").RequireAgentAccess().ExcludeFromDescription();
        conversations.MapGet("/context", ContextAsync);
        conversations.MapPost("/draft", DraftAsync).DisableAntiforgery();
        return app;
    }

    private static async Task<Results<Ok<ConversationContext>, ProblemHttpResult>> ContextAsync(
        string conversationSid, ConversationContexts contexts, CancellationToken cancellationToken) =>
        await contexts.FindAsync(conversationSid, cancellationToken) is { } context ? TypedResults.Ok(context) : UnknownConversation();

    private static async Task<Results<Ok<DraftReply>, ProblemHttpResult>> DraftAsync(
        string conversationSid, ReplyDrafts drafts, HttpContext context, CancellationToken cancellationToken)
    {
        var outcome = await drafts.DraftAsync(conversationSid, cancellationToken);
        switch (outcome.Status)
        {
            case DraftStatus.Drafted:
                return TypedResults.Ok(new DraftReply(outcome.Draft!));
            case DraftStatus.UnknownConversation:
                return UnknownConversation();
            case DraftStatus.NoModel:
                return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "No model is configured",
                    detail: "This server has no language model to draft replies with: set OPENAI_API_KEY (or AI_BASE_URL) and restart it.");
            default:
                context.Response.Headers.RetryAfter = ProblemMapping.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The model did not answer",
                    detail: "The language model could not draft a reply just now; try again in a moment.");
        }
    }

    private static ProblemHttpResult UnknownConversation() =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such conversation",
            detail: "Twilio knows no conversation with this SID.");
}
