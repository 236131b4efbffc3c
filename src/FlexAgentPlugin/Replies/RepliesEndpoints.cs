using System.Globalization;
using FlexAgentPlugin.Configuration;
using FlexAgentPlugin.Conversations;
using FlexAgentPlugin.Events;
using FlexAgentPlugin.Relay;
using FlexAgentPlugin.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Replies;

/// <summary>
/// <c>GET /replies/{username}?waitSeconds=N</c> (getReplies): the agent messages the caller has not been given yet,
/// for when <c>/send</c> answered "pending"; waits up to N seconds (at most the reply timeout) when there are none.
/// </summary>
public static class RepliesEndpoints
{
    public static IServiceCollection AddReplies(this IServiceCollection services)
    {
        services.AddOptions<ReplyOptions>()
            .BindEnvironment()
            .Validate(o => o.PollIntervalSeconds is >= 0.1 and <= 3600,
                "POLL_INTERVAL_SECONDS must be a number of seconds between 0.1 and 3600.")
            .Validate(o => o.ReplyTimeoutSeconds is >= 0 and <= 86400,
                "REPLY_TIMEOUT_SECONDS must be a number of seconds between 0 (no limit) and 86400.")
            .ValidateOnStart();
        services.AddTransient<ReplyWaiter>();
        return services;
    }

    public static IEndpointRouteBuilder MapReplies(this IEndpointRouteBuilder app)
    {
        app.MapGet("/replies/{username}", GetAsync)
            .WithName("getReplies");
        return app;
    }

    private static async Task<Results<Ok<AgentReplies>, ProblemHttpResult>> GetAsync(
        string username,
        string? waitSeconds,
        ConversationStore store,
        ConversationEvents events,
        ReplyWaiter waiter,
        IOptions<ReplyOptions> options,
        CancellationToken cancellationToken)
    {
        if (RequestInput.CheckUsername(username) is { } badUsername)
        {
            return badUsername;
        }

        var wait = 0;
        if (!string.IsNullOrEmpty(waitSeconds) && !int.TryParse(waitSeconds, NumberStyles.None, CultureInfo.InvariantCulture, out wait))
        {
            return RequestInput.Invalid("waitSeconds", "waitSeconds must be a whole number of seconds, 0 or more.");
        }

        var userKey = UserConversations.UserKey(username);
        if (await store.FindAsync(userKey, cancellationToken) is not { } stored)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "No conversation for this username",
                detail: "There is no conversation for this username yet: send a message with sendMsg first, with the same username.");
        }

        var limit = TimeSpan.FromSeconds(wait);
        if (options.Value.ReplyTimeout is { } timeout && limit > timeout)
        {
            limit = timeout;
        }

        using var subscription = events.Subscribe(stored.ConversationSid);
        return TypedResults.Ok(await waiter.WaitAsync(userKey, username, subscription, limit, lookFirst: true, cancellationToken));
    }
}
