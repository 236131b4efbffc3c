using System.Text;
using System.Text.Json.Nodes;

namespace FlexAgentPlugin.PluginFiles;

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

    public string Manifest(string baseUrl)
    {
        var manifest = JsonNode.Parse(manifestTemplate)!.AsObject();
        manifest["api"]!["url"] = $"{baseUrl}/openapi.yaml";
        manifest["logo_url"] = $"{baseUrl}/logo.png";
        manifest["legal_info_url"] = $"{baseUrl}/legal";
        return manifest.ToJsonString(new() { WriteIndented = true });
    }

    public string OpenApi(string baseUrl) =>
        openApiTemplate.Replace($"url: {OpenApiPlaceholderServer}", $"url: {baseUrl}", StringComparison.Ordinal);

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
