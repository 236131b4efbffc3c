using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using FlexAgentPlugin.Sandbox.Emulator;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FlexAgentPlugin.Sandbox.Console;

/// <summary>
/// The agent console's JSON API under <c>/sandbox/api</c>: the routed conversations, the agent's replies and closes,
/// and a server-sent event stream that says when anything changed (ended when the server stops, so a stop never
/// waits for open consoles).
/// </summary>
internal static partial class ConsoleEndpoints
{
    public static void MapConsoleApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup($"{SandboxAccount.ConsolePath}/api").ExcludeFromDescription();

        api.MapGet("/conversations", (EmulatorState state) => TypedResults.Ok(state.Queue().Select(c =>
        {
            var last = c.Messages.Count > 0 ? c.Messages[^1] : null;
            return new QueueItem(c.Sid, c.Customer, c.State, last?.Created, last?.Body,
                Unanswered: c.Routed && c.Messages.LastOrDefault(m => !m.FromAi) is { FromAgent: false } && c.State != "closed",
                AttributeJson.Source(c.Attributes), AiAnswering: !c.Routed);
        })));

        api.MapGet("/conversations/{sid}", Results<Ok<ConversationView>, NotFound> (string sid, EmulatorState state) =>
            state.Queue().FirstOrDefault(c => c.Sid == sid) is { } c
                ? TypedResults.Ok(new ConversationView(sid, c.Customer, c.State, AttributeJson.Source(c.Attributes), AiAnswering: !c.Routed,
                    [.. c.Messages.Select(m => new MessageView(m.Index, m.Author, m.Body ?? "", m.Created, m.FromAgent, AttributeJson.Source(m.Attributes),
                        AttributeJson.Handoff(m.Attributes) is { } handoff ? new HandoffView(handoff.Reason, handoff.Summary) : null))]))
                : TypedResults.NotFound());

        api.MapPost("/conversations/{sid}/messages", Results<Created, ProblemHttpResult> (string sid, AgentReply reply, EmulatorState state) =>
            Act(() =>
            {
                if (string.IsNullOrWhiteSpace(reply.Body))
                {
                    throw new EmulatorException(System.Net.HttpStatusCode.BadRequest, 0, "Type a reply before sending.");
                }

                var conversation = state.Get(sid);
                state.Join(conversation, EmulatorState.AgentIdentity);
                state.AddMessage(conversation, EmulatorState.AgentIdentity, reply.Body.Trim(), null, webhookEnabled: false, fromAgent: true);
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

        // A customer writing by SMS, WhatsApp or web chat: their open conversation (a new one at first, with the AI
        // responder's webhook, as a Conversations address would set it up) gets the message, and the webhook fires.
        api.MapPost("/channel-messages", Results<Ok<ChannelMessageSent>, ProblemHttpResult> (ChannelMessage? sent, EmulatorState state, SandboxSession session) =>
        {
            var address = sent?.Address?.Trim() ?? "";
            if (!ChannelAddress().IsMatch(address))
            {
                return TypedResults.Problem(statusCode: 400, detail: "Write as +15550100 (SMS), whatsapp:+15550100 (WhatsApp) or a chat name of letters, digits, '.', '_' or '-'.");
            }

            if (string.IsNullOrWhiteSpace(sent!.Body))
            {
                return TypedResults.Problem(statusCode: 400, detail: "Type a message before sending.");
            }

            var conversation = state.OpenConversationOf(address) ?? StartChannelConversation(state, session, address);
            var message = state.AddMessage(conversation, address, sent.Body.Trim(), attributes: null, webhookEnabled: true, fromAgent: false);
            return TypedResults.Ok(new ChannelMessageSent(conversation.Sid, message.Sid));
        });

        // The Calls view: "Simulate a call" streams the sample call through the server's real /voice/stream; each call shows
        // what the server published to its Sync stream (FLEX_ASSIST_{CallSid}), as the Flex plugin would see it.
        api.MapPost("/calls", (SimulatedCalls calls) => TypedResults.Accepted((string?)null, new CallStarted(calls.Start())));
        api.MapGet("/calls", (EmulatorState state) =>
        {
            var published = state.SyncMessages();
            return TypedResults.Ok(state.Calls().Select(call => new CallView(call.CallSid, call.Ended ? "ended" : "in-progress",
                [.. published.Where(m => m.Stream == $"FLEX_ASSIST_{call.CallSid}").Select(m => CallLine.From(m.Data)).OfType<CallLine>()])));
        });

        api.MapGet("/stats", (EmulatorState state) => TypedResults.Ok(new Stats(state.RestRequests)));

        api.MapGet("/events", (EmulatorState state, IHostApplicationLifetime lifetime, CancellationToken cancellationToken) =>
            TypedResults.ServerSentEvents(Changes(state, lifetime.ApplicationStopping, cancellationToken), eventType: "changed"));
    }

    private static EmulatedConversation StartChannelConversation(EmulatorState state, SandboxSession session, string address)
    {
        var phone = address.StartsWith('+') || address.StartsWith("whatsapp:", StringComparison.Ordinal);
        var conversation = state.CreateConversation($"Customer: {address}", uniqueName: null, attributes: null);
        state.SetChannelAddress(conversation, address);
        state.AddParticipant(conversation, phone ? null : address, attributes: null, phone ? address : null);
        if (session.ChannelWebhookUrl is { } url)
        {
            state.AddWebhook(conversation, "webhook", ["onMessageAdded"], flowSid: null, url, "post");
        }

        return conversation;
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

    private sealed record QueueItem(
        string Sid, string Customer, string State, DateTimeOffset? LastMessageAt, string? LastMessage, bool Unanswered, string? Source, bool AiAnswering);

    private sealed record ConversationView(string Sid, string Customer, string State, string? Source, bool AiAnswering, IReadOnlyList<MessageView> Messages);

    /// <summary>A message; <see cref="Source"/> "ai" for the AI's, with <see cref="Handoff"/> on its hand-off notice.</summary>
    private sealed record MessageView(int Index, string Author, string Body, DateTimeOffset CreatedAt, bool FromAgent, string? Source, HandoffView? Handoff);

    private sealed record HandoffView(string Reason, string Summary);

    private sealed record ChannelMessage(string? Address, string? Body);

    private sealed record CallStarted(string CallSid);

    private sealed record CallView(string CallSid, string State, IReadOnlyList<CallLine> Lines);

    /// <summary>One line of a call: a transcript segment (speaker, text) or a suggestion (question, answer).</summary>
    private sealed record CallLine(string Kind, string? Speaker, string? Text, string? Question, string? Answer)
    {
        public static CallLine? From(string data)
        {
            try
            {
                var json = System.Text.Json.Nodes.JsonNode.Parse(data);
                if ((string?)json?["transcript"] is { } suggestion && System.Text.Json.Nodes.JsonNode.Parse(suggestion) is { } inner)
                {
                    return new CallLine("suggestion", null, null, (string?)inner["question"], (string?)inner["answer"]);
                }

                return json?["speaker"] is not null ? new CallLine("transcript", (string?)json["speaker"], (string?)json["text"], null, null) : null;
            }
            catch (System.Text.Json.JsonException)
            {
                return null;
            }
        }
    }

    private sealed record ChannelMessageSent(string ConversationSid, string MessageSid);

    private sealed record AgentReply(string? Body);

    private sealed record Stats(long TwilioRestRequests);

    private sealed record AssistantConversationStart(string? Identity, string? Message);

    /// <summary>The conversation, and the X-Session-Id and X-Identity headers an AI Assistant would send for it.</summary>
    private sealed record AssistantConversation(string ConversationSid, string SessionId, string Identity);

    [GeneratedRegex(@"^(\+[1-9][0-9]{6,14}|whatsapp:\+[1-9][0-9]{6,14}|[A-Za-z0-9._-]{1,64})$")]
    private static partial Regex ChannelAddress();
}
