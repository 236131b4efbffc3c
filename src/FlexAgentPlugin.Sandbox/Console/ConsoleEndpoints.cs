using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Sandbox.Emulator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FlexAgentPlugin.Sandbox.Console;

/// <summary>
/// The agent console's JSON API under <c>/sandbox/api</c>: the routed conversations, the agent's replies and closes,
/// and a server-sent event stream that says when anything changed (ended when the server stops, so a stop never
/// waits for open consoles).
/// </summary>
internal static class ConsoleEndpoints
{
    public static void MapConsoleApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup($"{SandboxAccount.ConsolePath}/api").ExcludeFromDescription();

        api.MapGet("/conversations", (EmulatorState state) => TypedResults.Ok(state.Queue().Select(c =>
        {
            var last = c.Messages.Count > 0 ? c.Messages[^1] : null;
            return new QueueItem(c.Sid, c.Customer, c.State, last?.Created, last?.Body, Unanswered: last is { FromAgent: false } && c.State != "closed",
                Source(c.Attributes));
        })));

        api.MapGet("/conversations/{sid}", Results<Ok<ConversationView>, NotFound> (string sid, EmulatorState state) =>
            state.Queue().FirstOrDefault(c => c.Sid == sid) is { } c
                ? TypedResults.Ok(new ConversationView(sid, c.Customer, c.State, Source(c.Attributes),
                    [.. c.Messages.Select(m => new MessageView(m.Index, m.Author, m.Body ?? "", m.Created, m.FromAgent, Source(m.Attributes)))]))
                : TypedResults.NotFound());

        api.MapPost("/conversations/{sid}/messages", Results<Created, ProblemHttpResult> (string sid, AgentReply reply, EmulatorState state) =>
            Act(() =>
            {
                if (string.IsNullOrWhiteSpace(reply.Body))
                {
                    throw new EmulatorException(System.Net.HttpStatusCode.BadRequest, 0, "Type a reply before sending.");
                }

                state.AddMessage(state.Get(sid), EmulatorState.AgentIdentity, reply.Body.Trim(), null, webhookEnabled: false, fromAgent: true);
            }));

        api.MapPost("/conversations/{sid}/close", Results<Created, ProblemHttpResult> (string sid, EmulatorState state) =>
            Act(() => state.Close(state.Get(sid))));

        // Stands in for a Twilio AI Assistant's conversation with a customer, to try the hand-over tool on.
        api.MapPost("/assistant-conversations", (AssistantConversationStart? start, EmulatorState state) =>
        {
            var identity = string.IsNullOrWhiteSpace(start?.Identity) ? "whatsapp:+15550100" : start.Identity.Trim();
            var conversation = state.CreateConversation($"AI Assistant: {identity}", uniqueName: null, attributes: null);
            state.AddParticipant(conversation, identity, attributes: null);
            state.AddMessage(conversation, identity, string.IsNullOrWhiteSpace(start?.Message) ? "Can I talk to a person, please?" : start.Message.Trim(),
                attributes: null, webhookEnabled: false, fromAgent: false);
            return TypedResults.Ok(new AssistantConversation(conversation.Sid, $"webhook:conversations__{SandboxAccount.ChatServiceSid}/{conversation.Sid}", identity));
        });

        api.MapGet("/stats", (EmulatorState state) => TypedResults.Ok(new Stats(state.RestRequests)));

        api.MapGet("/events", (EmulatorState state, IHostApplicationLifetime lifetime, CancellationToken cancellationToken) =>
            TypedResults.ServerSentEvents(Changes(state, lifetime.ApplicationStopping, cancellationToken), eventType: "changed"));
    }

    /// <summary>The door the server says a conversation or message came through (<c>source</c> in its attributes): "mcp", "ai-plugin", or null.</summary>
    private static string? Source(string attributes)
    {
        try
        {
            return JsonNode.Parse(attributes) is JsonObject json && json["source"] is JsonValue value && value.TryGetValue(out string? source) ? source : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static Results<Created, ProblemHttpResult> Act(Action action)
    {
        try
        {
            action();
            return TypedResults.Created();
        }
        catch (EmulatorException fault)
        {
            return TypedResults.Problem(statusCode: (int)fault.Status, detail: fault.Message);
        }
    }

    private static async IAsyncEnumerable<string> Changes(
        EmulatorState state, CancellationToken stopping, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(stopping, cancellationToken);
        var seen = state.Version;
        yield return JsonSerializer.Serialize(seen);
        while (true)
        {
            try
            {
                seen = await state.WaitForChangeAsync(seen, ended.Token);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }

            yield return JsonSerializer.Serialize(seen);
        }
    }

    private sealed record QueueItem(string Sid, string Customer, string State, DateTimeOffset? LastMessageAt, string? LastMessage, bool Unanswered, string? Source);

    private sealed record ConversationView(string Sid, string Customer, string State, string? Source, IReadOnlyList<MessageView> Messages);

    private sealed record MessageView(int Index, string Author, string Body, DateTimeOffset CreatedAt, bool FromAgent, string? Source);

    private sealed record AgentReply(string? Body);

    private sealed record Stats(long TwilioRestRequests);

    private sealed record AssistantConversationStart(string? Identity, string? Message);

    /// <summary>The conversation, and the X-Session-Id and X-Identity headers an AI Assistant would send for it.</summary>
    private sealed record AssistantConversation(string ConversationSid, string SessionId, string Identity);
}
