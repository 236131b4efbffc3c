namespace FlexAgentPlugin.Backends.OpenAi;

/// <summary>
/// Where the language model is: OpenAI, or any server with OpenAI's HTTP API (Azure OpenAI's v1 endpoint, a local Ollama
/// or vLLM), through its Chat Completions API or, where the server offers it, its Responses API.
/// </summary>
public sealed class OpenAiOptions
{
    public const string DefaultBaseUrl = "https://api.openai.com/v1";
    public const string DefaultModel = "gpt-5-mini";
    public const string ChatApi = "chat";
    public const string ResponsesApi = "responses";

    /// <summary>The API key, sent as a bearer token.</summary>
    [ConfigurationKeyName("OPENAI_API_KEY")]
    public string? ApiKey { get; set; }

    [ConfigurationKeyName("AI_MODEL")]
    public string Model { get; set; } = DefaultModel;

    /// <summary>The API's base address, up to and including <c>/v1</c>; OpenAI's when unset.</summary>
    [ConfigurationKeyName("AI_BASE_URL")]
    public string? BaseUrl { get; set; }

    /// <summary><c>chat</c> (Chat Completions, which every compatible server has) or <c>responses</c>.</summary>
    [ConfigurationKeyName("AI_API")]
    public string Api { get; set; } = ChatApi;

    public bool UsesResponses => string.Equals(Api.Trim(), ResponsesApi, StringComparison.OrdinalIgnoreCase);

    public bool HasKnownApi => UsesResponses || string.Equals(Api.Trim(), ChatApi, StringComparison.OrdinalIgnoreCase);

    /// <summary>True when a model can be reached: a key for OpenAI, or a server of one's own (which may need none).</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(ApiKey) || !string.IsNullOrWhiteSpace(BaseUrl);

    public Uri Endpoint => new((string.IsNullOrWhiteSpace(BaseUrl) ? DefaultBaseUrl : BaseUrl.Trim()).TrimEnd('/'));
}
