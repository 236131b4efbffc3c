using System.Text.RegularExpressions;
using FlexAgentPlugin.Configuration;
using FlexAgentPlugin.Core.Routing;
using FlexAgentPlugin.Core.Users;

namespace FlexAgentPlugin.Doors.Handover;

/// <summary>One hand-over: the AI Assistant's conversation, its customer, and the TaskRouter workspace and workflow.</summary>
public sealed record HandoverRequest(string ConversationSid, Customer Customer, string WorkspaceSid, string WorkflowSid);

/// <summary>Reads and checks what a Twilio AI Assistant sends to a tool: headers, plus optional SID overrides in the query.</summary>
public static partial class HandoverInput
{
    public const string SessionHeader = "X-Session-Id";
    public const string IdentityHeader = "X-Identity";
    public const string WorkspaceParameter = "FlexWorkspaceSid";
    public const string WorkflowParameter = "FlexWorkflowSid";

    private const int MaxIdentityLength = 256;

    /// <summary>The request, or <see cref="InvalidInputException"/> naming the header or parameter that is missing or malformed.</summary>
    public static HandoverRequest Read(HttpRequest request, RoutingOptions routing)
    {
        var session = request.Headers[SessionHeader].ToString().Trim();
        if (session.Length == 0)
        {
            throw Invalid(SessionHeader, "The X-Session-Id header is missing. Twilio AI Assistants send it with every tool call; it names the conversation, e.g. webhook:conversations__IS…/CH….");
        }

        if (SessionId().Match(session) is not { Success: true } sessionMatch)
        {
            throw Invalid(SessionHeader, "X-Session-Id must be webhook:conversations__IS…/CH… or conversations__IS…/CH…: a Conversations service SID and a conversation SID.");
        }

        var customer = ReadCustomer(request.Headers[IdentityHeader].ToString().Trim());

        var workspace = request.Query[WorkspaceParameter].ToString().Trim();
        if (workspace.Length > 0 && !Settings.IsSid(workspace, "WS"))
        {
            throw Invalid(WorkspaceParameter, "FlexWorkspaceSid must be a TaskRouter workspace SID: WS followed by 32 hexadecimal characters.");
        }

        var workflow = request.Query[WorkflowParameter].ToString().Trim();
        if (workflow.Length > 0 && !Settings.IsSid(workflow, "WW"))
        {
            throw Invalid(WorkflowParameter, "FlexWorkflowSid must be a TaskRouter workflow SID: WW followed by 32 hexadecimal characters.");
        }

        return new HandoverRequest(
            sessionMatch.Groups["conversation"].Value,
            customer,
            workspace.Length > 0 ? workspace : routing.WorkspaceSid ?? "",
            workflow.Length > 0 ? workflow : routing.WorkflowSid ?? "");
    }

    private static Customer ReadCustomer(string identity)
    {
        const string Form = "X-Identity names the customer as trait:value, e.g. phone:+15551234567, whatsapp:+15551234567, email:ana@example.com or user_id:42.";
        if (identity.Length == 0)
        {
            throw Invalid(IdentityHeader, "The X-Identity header is missing. " + Form);
        }

        var colon = identity.IndexOf(':', StringComparison.Ordinal);
        var trait = colon > 0 ? identity[..colon].Trim().ToLowerInvariant() : "";
        var value = colon > 0 ? identity[(colon + 1)..].Trim() : "";
        if (!Trait().IsMatch(trait) || value.Length == 0 || identity.Length > MaxIdentityLength || identity.Any(char.IsControl))
        {
            throw Invalid(IdentityHeader, Form);
        }

        if (trait is "phone" or "whatsapp" && !Customer.PhoneNumber().IsMatch(value))
        {
            throw Invalid(IdentityHeader, $"The {trait} number must be in E.164 form, e.g. {trait}:+15551234567.");
        }

        return new Customer(trait, value);
    }

    private static InvalidInputException Invalid(string field, string error) => new(field, error);

    [GeneratedRegex("^(?:webhook:)?conversations__IS[0-9a-fA-F]{32}/(?<conversation>CH[0-9a-fA-F]{32})$")]
    private static partial Regex SessionId();

    [GeneratedRegex("^[a-z][a-z0-9_]{0,31}$")]
    private static partial Regex Trait();
}
