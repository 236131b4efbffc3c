using FlexAgentPlugin.Backends.Twilio;
using FlexAgentPlugin.Configuration;
using FlexAgentPlugin.Core.Callbacks;
using FlexAgentPlugin.Core.Routing;
using FlexAgentPlugin.Sandbox;

namespace FlexAgentPlugin.Hosting;

/// <summary>
/// Where the host composes the built-in sandbox, and the only place that knows of it: when the settings call for it,
/// the sandbox is added and the Twilio settings point at its emulator, as they would at any Twilio-compatible host.
/// </summary>
public static class SandboxComposition
{
    public static SandboxSession? AddSandboxWhenOn(this WebApplicationBuilder builder)
    {
        var decision = SandboxSwitch.Decide(builder.Configuration);
        if (decision.Refusals.Count > 0)
        {
            throw new AggregateException(decision.Refusals.Select(sentence => new StartFailureException(sentence)));
        }

        if (!decision.On)
        {
            return null;
        }

        var session = builder.Services.AddFlexSandbox(decision, decision.Settings!);
        builder.Services.PostConfigure<TwilioOptions>(twilio =>
        {
            twilio.AccountSid = session.Account.AccountSid;
            twilio.AuthToken = session.Account.AuthToken;
            twilio.ApiKey = null;
            twilio.ApiSecret = null;
            twilio.ConversationsBaseUrl = session.ConversationsBaseUrl;
            twilio.FlexBaseUrl = session.FlexBaseUrl;
        });

        // The routing follows what was configured (Studio when nothing was); both routings get stand-in SIDs, so the
        // hand-over tool works in either mode.
        builder.Services.PostConfigure<RoutingOptions>(routing =>
        {
            routing.Mode = string.IsNullOrWhiteSpace(routing.Mode) ? routing.EffectiveMode?.ToString() ?? nameof(RoutingMode.Studio) : routing.Mode;
            routing.StudioFlowSid = routing.HasStudioFlow ? routing.StudioFlowSid : SandboxAccount.StudioFlowSid;
            if (string.IsNullOrWhiteSpace(routing.WorkspaceSid) && string.IsNullOrWhiteSpace(routing.WorkflowSid))
            {
                routing.WorkspaceSid = SandboxAccount.WorkspaceSid;
                routing.WorkflowSid = SandboxAccount.WorkflowSid;
            }
        });
        builder.Services.PostConfigure<PublicUrlOptions>(urls => urls.TwilioReachesUsAt = session.SelfBaseUrl);
        builder.Services.Configure<StartReport.StartReportOptions>(report => report.Twilio = "the built-in sandbox (no Twilio account)");
        return session;
    }
}
