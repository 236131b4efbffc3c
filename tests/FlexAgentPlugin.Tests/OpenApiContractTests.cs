using FlexAgentPlugin.Doors.GptAction;
using FlexAgentPlugin.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using YamlDotNet.RepresentationModel;

namespace FlexAgentPlugin.Tests;

public sealed class OpenApiContractTests : IDisposable
{
    private static readonly string[] HttpMethods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

    private readonly PluginFactory factory = new();

    [Fact]
    public async Task DocumentIsOpenApi31AndKeepsTheSendMsgOperation()
    {
        var root = await ServedDocumentAsync();

        Assert.Equal("3.1.0", Scalar(root, "openapi"));
        var operationIds = Operations(root).Select(o => Scalar(o.Operation, "operationId")).ToList();
        Assert.Contains("sendMsg", operationIds);
    }

    [Fact]
    public async Task EveryDocumentedOperationIsServedAndEveryApiEndpointIsDocumented()
    {
        var documented = Operations(await ServedDocumentAsync())
            .Select(o => $"{o.Method.ToUpperInvariant()} {o.Path}")
            .OrderBy(x => x, StringComparer.Ordinal)
            .ToList();

        var served = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<ITagsMetadata>()?.Tags.Contains(GptActionEndpoints.Tag) == true)
            .SelectMany(e => e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Select(m => $"{m} {e.RoutePattern.RawText}"))
            .OrderBy(x => x, StringComparer.Ordinal)
            .ToList();

        Assert.NotEmpty(served);
        Assert.Equal(served, documented);
    }

    [Fact]
    public async Task SummariesAreShortAndDescriptionsAskForOneRandomUsernamePerUser()
    {
        var root = await ServedDocumentAsync();

        Assert.Contains("16-character username", Scalar(root, "info", "description"), StringComparison.Ordinal);
        foreach (var (_, _, operation) in Operations(root))
        {
            Assert.InRange(Scalar(operation, "summary").Length, 1, 299);
            Assert.Contains("16-character username", Scalar(operation, "description"), StringComparison.Ordinal);
        }
    }

    public void Dispose() => factory.Dispose();

    private async Task<YamlMappingNode> ServedDocumentAsync()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(await factory.CreateClient().GetStringAsync("/openapi.yaml")));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static IEnumerable<(string Method, string Path, YamlMappingNode Operation)> Operations(YamlMappingNode root) =>
        from path in (YamlMappingNode)root["paths"]
        from entry in (YamlMappingNode)path.Value
        let method = ((YamlScalarNode)entry.Key).Value!
        where HttpMethods.Contains(method)
        select (method, ((YamlScalarNode)path.Key).Value!, (YamlMappingNode)entry.Value);

    private static string Scalar(YamlMappingNode node, params string[] path)
    {
        YamlNode current = node;
        foreach (var key in path)
        {
            current = ((YamlMappingNode)current)[key];
        }

        return ((YamlScalarNode)current).Value!;
    }
}
