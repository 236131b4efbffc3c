using System.Runtime.CompilerServices;
using System.Text.Json;
using FlexAgentPlugin.Sandbox.Emulator;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

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

        api.MapGet("/conversations", (EmulatorState state) => TypedResults.Ok(ConsoleViews.Queue(state.Queue())));

        api.MapGet("/conversations/{sid}", Results<Ok<ConversationView>, NotFound> (string sid, EmulatorState state) =>
            state.Queue() is var queue && queue.FirstOrDefault(c => c.Sid == sid) is { } c
                ? TypedResults.Ok(ConsoleViews.Conversation(queue, c))
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

        // A customer writing by SMS, WhatsApp or web chat (Write as a customer), answered by the AI or by an agent.
        api.MapPost("/channel-messages", Results<Ok<ChannelMessageSent>, ProblemHttpResult> (
            ChannelMessage? sent, EmulatorState state, IOptions<CustomerChannelOptions> channels) =>
        {
            var address = sent?.Address?.Trim() ?? "";
            if (!CustomerChannels.IsAddress(address))
            {
                return TypedResults.Problem(statusCode: 400, detail: CustomerChannels.AddressHelp);
            }

            if (string.IsNullOrWhiteSpace(sent!.Body))
            {
                return TypedResults.Problem(statusCode: 400, detail: "Type a message before sending.");
            }

            var message = CustomerChannels.Write(state, channels.Value, address, sent.Body.Trim());
            return TypedResults.Ok(new ChannelMessageSent(message.ConversationSid, message.Sid));
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

        // The codes the emulated Verify service would have sent, for whoever signs in to an MCP client or a GPT here.
        api.MapGet("/sign-in-codes", (EmulatorState state) => TypedResults.Ok(state.SignInCodes(10)));
        // The Calls view's "Call the AI line": a simulated ConversationRelay session over the server's real /voice/relay.
        api.MapAiLine();

        api.MapGet("/stats", (EmulatorState state) => TypedResults.Ok(new Stats(state.RestRequests)));

        // The agents' availability as TaskRouter reports it: away, no worker is available (and the simulated agent waits).
        api.MapGet("/agent-status", (EmulatorBehavior behavior) => TypedResults.Ok(new AgentStatus(behavior.AgentsAway)));
        api.MapPost("/agent-status", (AgentStatus status, EmulatorBehavior behavior, EmulatorState state) =>
        {
            behavior.AgentsAway = status.Away;
            state.Touch();
            return TypedResults.Ok(status);
        });

        api.MapGet("/events", (EmulatorState state, IHostApplicationLifetime lifetime, CancellationToken cancellationToken) =>
            TypedResults.ServerSentEvents(Changes(state, lifetime.ApplicationStopping, cancellationToken), eventType: "changed"));
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

    private sealed record AgentStatus(bool Away);

    private sealed record AssistantConversationStart(string? Identity, string? Message);

    /// <summary>The conversation, and the X-Session-Id and X-Identity headers an AI Assistant would send for it.</summary>
    private sealed record AssistantConversation(string ConversationSid, string SessionId, string Identity);
}
