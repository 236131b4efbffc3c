using FlexAgentPlugin.Core.Conversations;
using FlexAgentPlugin.Core.Exchanges;
using FlexAgentPlugin.Core.Replies;
using FlexAgentPlugin.Core.Users;
using FlexAgentPlugin.Hosting.Access;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Doors.GptAction;

/// <summary>
/// The GPT Action API that openapi.yaml describes: <c>POST /send/{username}</c> (sendMsg) hands the user's message to
/// whoever answers and returns the answer; <c>GET /replies/{username}?waitSeconds=N</c> (getReplies) returns the replies
/// not handed out yet, for when /send answered "pending". Both wait at most REPLY_TIMEOUT_SECONDS (under the 45 s
/// GPT Actions allow). A caller with a sign-in token is served as the signed-in person, whatever <c>{username}</c> says,
/// so a token never reaches another person's conversation.
/// </summary>
public static class GptActionEndpoints
{
    /// <summary>Tag carried by the endpoints that make up the public API (the ones openapi.yaml describes).</summary>
    public const string Tag = "Agent";

    public static IEndpointRouteBuilder MapGptAction(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("")
            .WithTags(Tag)
            .RequireApiAccess(app.ServiceProvider)
            .RequireRateLimiting(AccessPolicies.PerCaller);
        api.MapPost("/send/{username}", Send).WithName("sendMsg");
        api.MapGet("/replies/{username}", GetReplies).WithName("getReplies");
        return app;
    }

    /// <summary>An Idempotency-Key: 1 to 255 visible ASCII characters (a UUID, say).</summary>
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    private static AgentRepliesResult Send(
        string username,
        HttpContext http,
        SendBody body,
        [FromHeader(Name = IdempotencyKeyHeader)] string? idempotencyKey,
        ConversationExchange exchange,
        IOptions<ReplyOptions> replies,
        CancellationToken cancellationToken)
    {
        username = User(http, username);
        if (idempotencyKey is not null && (idempotencyKey.Length is 0 or > 255 || idempotencyKey.Any(c => c is < '!' or > '~')))
        {
            throw new InvalidInputException(IdempotencyKeyHeader, "Idempotency-Key must be 1 to 255 visible ASCII characters, for example a UUID.");
        }

        var request = new SendRequest(username, Contact(http), body.Msg, MessageSource.GptAction, replies.Value.ReplyTimeout) { IdempotencyKey = idempotencyKey };
        return new AgentRepliesResult(exchange.SendAsync(request, cancellationToken));
    }

    private static AgentRepliesResult GetReplies(
        string username, HttpContext http, WaitSeconds waitSeconds, ConversationExchange exchange, IOptions<ReplyOptions> replies, CancellationToken cancellationToken)
    {
        username = User(http, username);
        var wait = waitSeconds.Wait;
        if (replies.Value.ReplyTimeout is { } timeout && wait > timeout)
        {
            wait = timeout;
        }

        return new AgentRepliesResult(exchange.GetRepliesAsync(new RepliesRequest(username, Contact(http), MessageSource.GptAction, wait), cancellationToken));
    }

    private static Contact? Contact(HttpContext http) => SignedInUser.From(http.User)?.Contact;

    /// <summary>The signed-in person, or the path's username (checked).</summary>
    private static string User(HttpContext http, string username)
    {
        if (SignedInUser.From(http.User) is { } person)
        {
            return person.Username;
        }

        Usernames.Check(username);
        return username;
    }
}
