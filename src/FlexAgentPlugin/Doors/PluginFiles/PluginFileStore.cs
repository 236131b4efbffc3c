using System.Text;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Hosting.Access;

namespace FlexAgentPlugin.Doors.PluginFiles;

/// <summary>
/// The plugin's files, embedded in the assembly from the repository's <c>.well-known/</c>, <c>openapi.yaml</c>
/// and <c>wwwroot/</c>, and rendered with the public base URL of the request.
/// </summary>
public sealed class PluginFileStore
{
    /// <summary>The server URL written in openapi.yaml; replaced by the public base URL when served.</summary>
    public const string OpenApiPlaceholderServer = "http://localhost:5002";

    private readonly string manifestTemplate = ReadText("FlexAgentPlugin.ai-plugin.json");
    private readonly string openApiTemplate = ReadText("FlexAgentPlugin.openapi.yaml");

    public byte[] Logo { get; } = Read("FlexAgentPlugin.wwwroot.logo.png");

    public string Legal { get; } = ReadText("FlexAgentPlugin.wwwroot.legal.txt");

    /// <summary>The manifest; with a bearer token it declares service-level bearer auth (and OpenAI's verification token).</summary>
    public string Manifest(string baseUrl, AccessOptions access)
    {
        var manifest = JsonNode.Parse(manifestTemplate)!.AsObject();
        manifest["api"]!["url"] = $"{baseUrl}/openapi.yaml";
        manifest["logo_url"] = $"{baseUrl}/logo.png";
        manifest["legal_info_url"] = $"{baseUrl}/legal";
        if (access.RequiresKey)
        {
            var auth = new JsonObject { ["type"] = "service_http", ["authorization_type"] = "bearer" };
            if (!string.IsNullOrWhiteSpace(access.OpenAiVerificationToken))
            {
                auth["verification_tokens"] = new JsonObject { ["openai"] = access.OpenAiVerificationToken.Trim() };
            }

            manifest["auth"] = auth;
        }

        return manifest.ToJsonString(new() { WriteIndented = true });
    }

    /// <summary>openapi.yaml with the public server URL; with a bearer token every operation requires it.</summary>
    public string OpenApi(string baseUrl, AccessOptions access)
    {
        var document = openApiTemplate.Replace($"url: {OpenApiPlaceholderServer}", $"url: {baseUrl}", StringComparison.Ordinal);
        return access.RequiresKey
            ? document.Replace("\nsecurity: []\n", "\nsecurity:\n  - bearerAuth: []\n", StringComparison.Ordinal)
            : document;
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
