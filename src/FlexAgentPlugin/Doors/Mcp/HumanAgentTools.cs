using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using FlexAgentPlugin.Core.Conversations;
using FlexAgentPlugin.Core.Exchanges;
using FlexAgentPlugin.Core.Queue;
using FlexAgentPlugin.Core.Replies;
using FlexAgentPlugin.Core.Users;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace FlexAgentPlugin.Doors.Mcp;

/// <summary>
/// The MCP tools: <c>ask_human_agent</c> posts the user's message into their Flex conversation exactly as /send does
/// and waits for the agent; <c>get_agent_replies</c> fetches replies not handed out yet, as /replies does (a reply is
/// handed out once, whichever door asks). While a call waits, a client that sent a progress token hears how it stands
/// every <see cref="ProgressInterval"/> (on the wait's own timer), so clients that reset their timeout on progress keep waiting.
/// The call's request and progress come in through the constructor, so the tools' parameters are only their arguments
/// and the SDK's binding refuses an argument a tool does not take.
/// </summary>
[McpServerToolType]
public sealed class HumanAgentTools(
    ConversationExchange exchange,
    IHttpContextAccessor http,
    IOptions<McpOptions> options,
    IOptions<MessageOptions> messages,
    RequestContext<CallToolRequestParams> request,
    IProgress<ProgressNotificationValue> progress)
{
    public const string AskName = "ask_human_agent";
    public const string RepliesName = "get_agent_replies";

    public static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(10);

    [McpServerTool(Name = AskName, Title = "Ask a human agent", ReadOnly = false, Destructive = false, Idempotent = false, OpenWorld = true,
        UseStructuredContent = true, OutputSchemaType = typeof(AgentAnswer))]
    [Description("Sends the user's message to a human agent in the contact center (Twilio Flex) and waits for the agent's answer. "
        + "Use it when the user asks for a person, or needs something only a human can do. Pass the user's own words. "
        + "If status is pending, do not send the message again: call get_agent_replies until the status is replied or closed.")]
    public async Task<CallToolResult> AskHumanAgentAsync(
        [Description("The message for the human agent, in the user's words (at most 1,600 characters).")] string message,
        [Description("Who the user is: a stable random 16-character string per person (letters, digits, - _ . @ :), the same on every call for them. "
            + "Leave it out to use the identity of this connection's API key; ignored when the person signed in to connect (they are the user).")] string? user = null,
        CancellationToken cancellationToken = default)
    {
        using var call = McpCall.Start(http, cancellationToken);
        call.NameClient(request.Server.ClientInfo?.Name);
        var username = call.User(user);
        var text = UserMessages.Check(message, messages.Value.MaxMessageLength, "message");
        var wait = options.Value.ReplyTimeout;
        var outcome = await call.ReceiveAsync(exchange.SendAsync(
            new SendRequest(username, call.Contact, text, MessageSource.Mcp, wait) { Progress = Reporting(wait) }, call.Token));
        return AgentAnswer.From(outcome, username).ToResult(outcome);
    }

    [McpServerTool(Name = RepliesName, Title = "Get the human agent's replies", ReadOnly = false, Destructive = false, Idempotent = false, OpenWorld = true,
        UseStructuredContent = true, OutputSchemaType = typeof(AgentAnswer))]
    [Description("Fetches the human agent's replies not received yet, after ask_human_agent answered pending. "
        + "Each reply is returned once. Pass wait_seconds (up to 50) to wait for the agent.")]
    [SuppressMessage("Naming", "CA1707", Justification = "The MCP argument's name on the wire.")]
    public async Task<CallToolResult> GetAgentRepliesAsync(
        [Description("The same user as in ask_human_agent; leave it out to use the identity of this connection's API key (ignored when the person signed in).")] string? user = null,
        [Description("How long to wait for a reply, 0 to 50 seconds (0: answer at once).")][Range(0, McpOptions.MaxWaitSeconds)] int wait_seconds = 0,
        CancellationToken cancellationToken = default)
    {
        using var call = McpCall.Start(http, cancellationToken);
        call.NameClient(request.Server.ClientInfo?.Name);
        var username = call.User(user);
        if (wait_seconds is < 0 or > McpOptions.MaxWaitSeconds)
        {
            throw new InvalidInputException("wait_seconds", $"wait_seconds must be a whole number from 0 to {McpOptions.MaxWaitSeconds}; it was {wait_seconds}.");
        }

        var wait = TimeSpan.FromSeconds(Math.Min(wait_seconds, options.Value.ReplyTimeoutSeconds));
        var outcome = await call.ReceiveAsync(exchange.GetRepliesAsync(
            new RepliesRequest(username, call.Contact, MessageSource.Mcp, wait) { Progress = Reporting(wait) }, call.Token));
        return AgentAnswer.From(outcome, username).ToResult(outcome);
    }

    /// <summary>
    /// Progress notifications for a client that asked for them (sent a progress token): the place in line and the wait to
    /// expect in a sentence when TaskRouter tells them (then <c>total</c> is the time waited plus the wait to expect),
    /// else the time waited.
    /// </summary>
    private WaitProgress? Reporting(TimeSpan limit) =>
        request.Params?.ProgressToken is null ? null : new WaitProgress(ProgressInterval, update => progress.Report(new ProgressNotificationValue
        {
            Progress = (float)Math.Round(update.Waited.TotalSeconds),
            Total = update.Place?.ExpectedWaitSeconds is { } expected ? (float)Math.Round(update.Waited.TotalSeconds + expected) : (float)limit.TotalSeconds,
            Message = update.Place is { } place
                ? QueueWords.Place(place)
                : $"Waiting for a human agent in Flex to answer ({update.Waited.TotalSeconds:0} s so far).",
        }));
}
