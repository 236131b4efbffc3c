using FlexAgentPlugin.Core.Replies;
using FlexAgentPlugin.Core.Users;
using FlexAgentPlugin.Hosting.Access;

namespace FlexAgentPlugin.Doors.Mcp;

/// <summary>
/// One tool call, seen from the HTTP request it arrived on (the SDK runs tools in that request's context): who the
/// user is, a token that ends the call when the client cancels it or drops the connection, and the engine's delivery
/// confirmed, or abandoned when the client is no longer there to receive it.
/// </summary>
public sealed class McpCall : IDisposable
{
    private readonly HttpContext http;
    private readonly CancellationTokenSource ended;

    private McpCall(HttpContext http, CancellationToken cancelled)
    {
        this.http = http;
        ended = CancellationTokenSource.CreateLinkedTokenSource(cancelled, http.RequestAborted);
    }

    /// <summary>Ends when the client cancels the call (<c>notifications/cancelled</c>) or its connection drops.</summary>
    public CancellationToken Token => ended.Token;

    public static McpCall Start(IHttpContextAccessor accessor, CancellationToken cancelled) =>
        new(accessor.HttpContext ?? throw new InvalidOperationException("An MCP tool call ran outside of its HTTP request."), cancelled);

    /// <summary>
    /// The user the call is for: the signed-in person when the client connected with a sign-in token (whatever
    /// <paramref name="user"/> says: a token never acts for anyone else); otherwise <paramref name="user"/> when given
    /// (the same rules as /send's username), else the name of the API key the client presented.
    /// </summary>
    public static string User(HttpContext http, string? user)
    {
        if (SignedInUser.From(http.User) is { } person)
        {
            return person.Username;
        }

        if (!string.IsNullOrEmpty(user))
        {
            Usernames.Check(user, "user");
            return user;
        }

        return http.User.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name }
            ? name
            : throw new InvalidInputException("user",
                "Pass user: a stable random 16-character string for the person you are helping (the same one on every call for them). "
                + "With an API key (API_KEYS) the key's name is the user when none is given.");
    }

    public string User(string? user) => User(http, user);

    /// <summary>Names the MCP client (as it introduced itself) on the request, so the message it posts records it.</summary>
    public void NameClient(string? name)
    {
        if (!string.IsNullOrWhiteSpace(name))
        {
            http.Features.Set(new McpClientFeature(name.Trim()));
        }
    }

    /// <summary>The phone number or email address the signed-in person proved, or null for a caller with a key or none.</summary>
    public Contact? Contact => SignedInUser.From(http.User)?.Contact;

    /// <summary>
    /// The delivery's outcome goes back to the client, unless the client is gone (it cancelled, or its connection
    /// dropped) by the time replies were handed out: then the delivery is abandoned, so they are handed out again to the
    /// next call. (Once the SDK writes the result, an early close is no sign of a lost result: MCP clients close the
    /// stream as soon as they have read it.)
    /// </summary>
    public async Task<ReplyOutcome> ReceiveAsync(Task<Delivery> delivering)
    {
        await using var delivery = await delivering;
        if (delivery.HandedOut)
        {
            Token.ThrowIfCancellationRequested();
        }

        delivery.Confirm();
        return delivery.Outcome;
    }

    public void Dispose() => ended.Dispose();
}
