using System.Text;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Hosting.Access;
using FlexAgentPlugin.Hosting.OAuth;

namespace FlexAgentPlugin.Doors.PluginFiles;

/// <summary>
/// The plugin's files, embedded in the assembly from the repository's <c>.well-known/</c>, <c>openapi.yaml</c>
/// and <c>wwwroot/</c>, and rendered with the public base URL of the request.
/// </summary>
public sealed class PluginFileStore
{
    /// <summary>The server URL written in openapi.yaml (and its sign-in URLs); replaced by the public base URL when served.</summary>
    public const string OpenApiPlaceholderServer = "http://localhost:5002";

    private readonly string manifestTemplate = ReadText("FlexAgentPlugin.ai-plugin.json");
    private readonly string openApiTemplate = ReadText("FlexAgentPlugin.openapi.yaml");

    public byte[] Logo { get; } = Read("FlexAgentPlugin.wwwroot.logo.png");

    public string Legal { get; } = ReadText("FlexAgentPlugin.wwwroot.legal.txt");

    /// <summary>
    /// The manifest: with the built-in sign-in it declares OAuth (the authorization and token URLs, the scope); else, with
    /// a key, service-level bearer auth; with either, OpenAI's verification token when configured.
    /// </summary>
    public string Manifest(string baseUrl, AccessOptions access, SignInSettings signIn)
    {
        var manifest = JsonNode.Parse(manifestTemplate)!.AsObject();
        manifest["api"]!["url"] = $"{baseUrl}/openapi.yaml";
        manifest["logo_url"] = $"{baseUrl}/logo.png";
        manifest["legal_info_url"] = $"{baseUrl}/legal";
        if (signIn.IsBuiltIn || access.RequiresKey)
        {
            // The plugin manifest calls the authorization endpoint client_url and the token endpoint authorization_url.
            var auth = signIn.IsBuiltIn
                ? new JsonObject
                {
                    ["type"] = "oauth",
                    ["client_url"] = signIn.BaseUrl + AuthorizationServer.AuthorizePath,
                    ["authorization_url"] = signIn.BaseUrl + AuthorizationServer.TokenPath,
                    ["scope"] = SignInSettings.AgentScope,
                    ["authorization_content_type"] = "application/x-www-form-urlencoded",
                }
                : new JsonObject { ["type"] = "service_http", ["authorization_type"] = "bearer" };
            if (!string.IsNullOrWhiteSpace(access.OpenAiVerificationToken))
            {
                auth["verification_tokens"] = new JsonObject { ["openai"] = access.OpenAiVerificationToken.Trim() };
            }

            manifest["auth"] = auth;
        }

        return manifest.ToJsonString(new() { WriteIndented = true });
    }

    /// <summary>
    /// openapi.yaml with the public server URL. Its security says what the API takes: the built-in sign-in's OAuth
    /// (its URLs on the public base), a key, both (either one), and nothing at all when no key is required.
    /// </summary>
    public string OpenApi(string baseUrl, AccessOptions access, SignInSettings signIn)
    {
        var document = signIn.IsBuiltIn ? openApiTemplate.Replace($"{OpenApiPlaceholderServer}/oauth/", $"{signIn.BaseUrl}/oauth/", StringComparison.Ordinal) : openApiTemplate;
        document = document.Replace(OpenApiPlaceholderServer, baseUrl, StringComparison.Ordinal);
        List<string> alternatives = [];
        if (signIn.IsBuiltIn)
        {
            alternatives.Add($"oauth: [{SignInSettings.AgentScope}]");
        }

        if (access.RequiresKey)
        {
            alternatives.Add("bearerAuth: []");
        }
        else if (alternatives.Count > 0)
        {
            alternatives.Add("{}");
        }

        return alternatives.Count == 0
            ? document
            : document.Replace("\nsecurity: []\n", "\nsecurity:\n" + string.Concat(alternatives.Select(a => $"  - {a}\n")), StringComparison.Ordinal);
    }

    private static string ReadText(string name) => Encoding.UTF8.GetString(Read(name));

    private static byte[] Read(string name)
    {
        using var stream = typeof(PluginFileStore).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The embedded plugin file {name} is missing from the build.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
