using System.ClientModel;
using System.ClientModel.Primitives;
using FlexAgentPlugin.Configuration;
using FlexAgentPlugin.Core.Assistant;
using FlexAgentPlugin.Core.PhoneAi;
using FlexAgentPlugin.Core.Voice;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using OpenAI;

namespace FlexAgentPlugin.Backends.OpenAi;

/// <summary>
/// The language model as an <see cref="IChatClient"/> (Microsoft.Extensions.AI over the OpenAI .NET SDK), on the named
/// HttpClient <see cref="ClientName"/>. The caller's token bounds each call (AI_TIMEOUT_SECONDS); the SDK retries once.
/// </summary>
public static class OpenAiSetup
{
    public const string ClientName = "OpenAI";

    public static IServiceCollection AddOpenAi(this IServiceCollection services)
    {
        services.AddOptions<OpenAiOptions>()
            .BindEnvironment()
            .Validate(o => Settings.IsHttpUrlOrEmpty(o.BaseUrl),
                "AI_BASE_URL must be an absolute http(s) URL up to /v1, such as https://api.openai.com/v1 or http://localhost:11434/v1.")
            .Validate(o => o.HasKnownApi, "AI_API must be chat (Chat Completions) or responses (the Responses API).")
            .Validate(o => !string.IsNullOrWhiteSpace(o.Model) && !o.Model.Any(char.IsWhiteSpace),
                "AI_MODEL must name a model, such as gpt-5-mini.")
            .ValidateOnStart();
        services.AddOptions<AssistantOptions>()
            .Validate<IOptions<OpenAiOptions>>((o, model) => !o.IsAiFirst || model.Value.IsConfigured,
                "RESPONDER=ai-first needs a model: set OPENAI_API_KEY (or AI_BASE_URL for an OpenAI-compatible server of your own).");
        services.AddOptions<PhoneAiOptions>()
            .Validate<IOptions<OpenAiOptions>>((o, model) => !o.IsExplicitlyAiFirst || model.Value.IsConfigured,
                "VOICE_RESPONDER=ai-first needs a model: set OPENAI_API_KEY (or AI_BASE_URL for an OpenAI-compatible server of your own).");
        services.AddSingleton<IModelConfiguration, ModelConfiguration>();
        services.AddSingleton<IRealtimeConnector, RealtimeConnector>();
        services.AddHttpClient(ClientName, http => http.Timeout = Timeout.InfiniteTimeSpan);
        services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<OpenAiOptions>>().Value;
            var http = provider.GetRequiredService<IHttpClientFactory>().CreateClient(ClientName);
            var client = new OpenAIClient(
                new ApiKeyCredential(string.IsNullOrWhiteSpace(options.ApiKey) ? "none" : options.ApiKey.Trim()),
                new OpenAIClientOptions
                {
                    Endpoint = options.Endpoint,
                    Transport = new HttpClientPipelineTransport(http),
                    RetryPolicy = new ClientRetryPolicy(maxRetries: 1),
                });
            var model = options.Model.Trim();

            // The SDK marks its Responses client as evaluation-only (OPENAI001); the API itself is OpenAI's current one.
#pragma warning disable OPENAI001
            return options.UsesResponses ? client.GetResponsesClient().AsIChatClient(model) : client.GetChatClient(model).AsIChatClient();
#pragma warning restore OPENAI001
        });
        return services;
    }
}
