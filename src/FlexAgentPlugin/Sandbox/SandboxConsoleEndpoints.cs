using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.StaticFiles;

namespace FlexAgentPlugin.Sandbox;

/// <summary>
/// The agent console at <c>/sandbox</c>: its page and assets (embedded from <c>wwwroot/sandbox</c>), a small
/// JSON API over the routed conversations, and a server-sent event stream that says when anything changed.
/// </summary>
internal static class SandboxConsoleEndpoints
{
    private const string AssetPrefix = "FlexAgentPlugin.wwwroot.sandbox.";

    public static void MapSandboxConsole(this IEndpointRouteBuilder app)
    {
        MapAssets(app);

        var api = app.MapGroup($"{SandboxMode.ConsolePath}/api").ExcludeFromDescription();

        api.MapGet("/conversations", (SandboxState state) => TypedResults.Ok(state.Queue().Select(q =>
        {
            var last = q.Messages.Count > 0 ? q.Messages[^1] : null;
            return new QueueItem(q.Conversation.Sid, q.Customer, q.Conversation.State, last?.Created, last?.Body,
                Unanswered: last is { FromAgent: false } && !q.Conversation.IsClosed);
        })));

        api.MapGet("/conversations/{sid}", Results<Ok<ConversationView>, NotFound> (string sid, SandboxState state) =>
        {
            var entry = state.Queue().FirstOrDefault(q => q.Conversation.Sid == sid);
            return entry.Conversation is null
                ? TypedResults.NotFound()
                : TypedResults.Ok(new ConversationView(sid, entry.Customer, entry.Conversation.State,
                    entry.Messages.Select(m => new MessageView(m.Index, m.Author, m.Body ?? "", m.Created, m.FromAgent)).ToList()));
        });

        api.MapPost("/conversations/{sid}/messages", Results<Created, ProblemHttpResult> (string sid, AgentReply reply, SandboxState state) =>
            Act(() =>
            {
                if (string.IsNullOrWhiteSpace(reply.Body))
                {
                    throw new SandboxTwilioException(HttpStatusCode.BadRequest, 0, "Type a reply before sending.");
                }

                state.AddMessage(state.Get(sid), SandboxState.AgentIdentity, reply.Body.Trim(), null, webhookEnabled: false, fromAgent: true);
                return TypedResults.Created();
            }));

        api.MapPost("/conversations/{sid}/close", Results<Created, ProblemHttpResult> (string sid, SandboxState state) =>
            Act(() =>
            {
                state.Close(state.Get(sid));
                return TypedResults.Created();
            }));

        // Stands in for a Twilio AI Assistant's conversation with a customer, to try the hand-over tool on.
        api.MapPost("/assistant-conversations", (AssistantConversationStart? start, SandboxState state) =>
        {
            var identity = string.IsNullOrWhiteSpace(start?.Identity) ? "whatsapp:+15550100" : start.Identity.Trim();
            var conversation = state.CreateConversation($"AI Assistant: {identity}", uniqueName: null, attributes: null);
            state.AddParticipant(conversation, identity, attributes: null);
            state.AddMessage(conversation, identity, string.IsNullOrWhiteSpace(start?.Message) ? "Can I talk to a person, please?" : start.Message.Trim(),
                attributes: null, webhookEnabled: false, fromAgent: false);
            return TypedResults.Ok(new AssistantConversation(conversation.Sid, $"webhook:conversations__{SandboxMode.ChatServiceSid}/{conversation.Sid}", identity));
        });

        api.MapGet("/stats", (SandboxState state) => TypedResults.Ok(new Stats(state.RestRequests)));

        api.MapGet("/events", (SandboxState state, CancellationToken cancellationToken) =>
            TypedResults.ServerSentEvents(Changes(state, cancellationToken), eventType: "changed"));
    }

    /// <summary>Every asset under wwwroot/sandbox, at /sandbox/{name}; the page itself also at /sandbox.</summary>
    private static void MapAssets(IEndpointRouteBuilder app)
    {
        var assembly = typeof(SandboxConsoleEndpoints).Assembly;
        var types = new FileExtensionContentTypeProvider();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(AssetPrefix, StringComparison.Ordinal)))
        {
            var name = resource[AssetPrefix.Length..];
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            var type = types.TryGetContentType(name, out var found) ? found : "application/octet-stream";
            if (type.StartsWith("text/", StringComparison.Ordinal) || type.EndsWith("javascript", StringComparison.Ordinal))
            {
                type += "; charset=utf-8";
            }

            app.MapGet($"{SandboxMode.ConsolePath}/{name}", () => TypedResults.Bytes(bytes, type)).ExcludeFromDescription();
            if (name == "index.html")
            {
                app.MapGet(SandboxMode.ConsolePath, () => TypedResults.Bytes(bytes, type)).ExcludeFromDescription();
            }
        }
    }

    private static Results<Created, ProblemHttpResult> Act(Func<Created> action)
    {
        try
        {
            return action();
        }
        catch (SandboxTwilioException fault)
        {
            return TypedResults.Problem(statusCode: (int)fault.Status, detail: fault.Message);
        }
    }

    private static async IAsyncEnumerable<string> Changes(SandboxState state, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var seen = state.Version;
        yield return JsonSerializer.Serialize(seen);
        while (!cancellationToken.IsCancellationRequested)
        {
            seen = await state.WaitForChangeAsync(seen, cancellationToken);
            yield return JsonSerializer.Serialize(seen);
        }
    }

    private sealed record QueueItem(string Sid, string Customer, string State, DateTimeOffset? LastMessageAt, string? LastMessage, bool Unanswered);

    private sealed record ConversationView(string Sid, string Customer, string State, IReadOnlyList<MessageView> Messages);

    private sealed record MessageView(int Index, string Author, string Body, DateTimeOffset CreatedAt, bool FromAgent);

    private sealed record AgentReply(string? Body);

    private sealed record Stats(long TwilioRestRequests);

    private sealed record AssistantConversationStart(string? Identity, string? Message);

    /// <summary>The conversation, and the X-Session-Id and X-Identity headers an AI Assistant would send for it.</summary>
    private sealed record AssistantConversation(string ConversationSid, string SessionId, string Identity);
}
