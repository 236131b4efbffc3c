using FlexAgentPlugin.Backends.OpenAi;
using FlexAgentPlugin.Backends.Twilio;
using FlexAgentPlugin.Configuration;
using FlexAgentPlugin.Core.Assistant;
using FlexAgentPlugin.Core.Callbacks;
using FlexAgentPlugin.Core.Voice;
using FlexAgentPlugin.Core.Routing;
using FlexAgentPlugin.Sandbox;
using FlexAgentPlugin.Sandbox.Console;
using Microsoft.Extensions.Options;

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

        // Customers played in the console reach the AI responder when the AI answers first, else Flex directly.
        builder.Services.AddOptions<CustomerChannelOptions>().Configure<IOptions<AssistantOptions>>((channels, assistant) =>
            channels.ResponderWebhookUrl = assistant.Value.IsAiFirst ? session.SelfBaseUrl + TwilioCallbacks.AiResponderPath : null);
        builder.Services.PostConfigure<TwilioOptions>(twilio =>
        {
            twilio.AccountSid = session.Account.AccountSid;
            twilio.AuthToken = session.Account.AuthToken;
            // The emulated account's own API key signs access tokens (Sync's, GET /token) as a real key would.
            twilio.ApiKey = SandboxAccount.ApiKeySid;
            twilio.ApiSecret = session.Account.ApiKeySecret;
            twilio.ConversationsBaseUrl = session.ConversationsBaseUrl;
            twilio.FlexBaseUrl = session.FlexBaseUrl;
            twilio.ApiBaseUrl = session.VoiceBaseUrl;
            twilio.SyncBaseUrl = session.SyncBaseUrl;
            twilio.IamBaseUrl = session.IamBaseUrl;
            twilio.VerifyBaseUrl = session.VerifyBaseUrl;
            twilio.TaskRouterBaseUrl = session.TaskRouterBaseUrl;
        });

        // Sign-in codes go through the emulated Verify service, whose codes the console shows.
        builder.Services.PostConfigure<VerifyOptions>(verify => verify.ServiceSid = SandboxAccount.VerifyServiceSid);

        // Voice assist publishes to the emulated Sync service, where the console's Calls view reads it.
        builder.Services.PostConfigure<VoiceOptions>(voice => voice.SyncServiceSid = string.IsNullOrWhiteSpace(voice.SyncServiceSid) ? SandboxAccount.SyncServiceSid : voice.SyncServiceSid);

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
        // Without a model of one's own, the AI that answers first (RESPONDER=ai-first) talks to the sandbox's stand-in model
        // over the same OpenAI API, with sample knowledge unless AI_KNOWLEDGE_PATH names some; voice assist talks to its
        // stand-in Realtime API.
        if (!builder.Configuration.ReadEnvironment<OpenAiOptions>().IsConfigured)
        {
            builder.Services.PostConfigure<OpenAiOptions>(model =>
            {
                model.BaseUrl = session.ModelBaseUrl;
                model.ApiKey = session.ModelKey;
            });
            builder.Services.PostConfigure<AssistantOptions>(assistant =>
                assistant.KnowledgePath = string.IsNullOrWhiteSpace(assistant.KnowledgePath) ? SandboxSession.SampleKnowledgePath : assistant.KnowledgePath);
            // OpenAI's own Realtime API needs the key the sandbox lacks; a Realtime server of one's own is kept.
            builder.Services.PostConfigure<VoiceOptions>(voice =>
                voice.RealtimeUrl = voice.RealtimeUrl == VoiceOptions.DefaultRealtimeUrl ? session.RealtimeUrl : voice.RealtimeUrl);

            builder.Services.Configure<StartReport.StartReportOptions>(report => report.Model = "the sandbox's stand-in model (keyword match on the knowledge, not a language model)");
        }

        builder.Services.PostConfigure<PublicUrlOptions>(urls => urls.TwilioReachesUsAt = session.SelfBaseUrl);
        builder.Services.Configure<StartReport.StartReportOptions>(report => report.Twilio = "the built-in sandbox (no Twilio account)");
        return session;
    }
}
