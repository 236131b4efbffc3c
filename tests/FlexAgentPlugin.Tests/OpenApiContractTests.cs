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

    [Fact]
    public async Task EveryOperationAndParameterFitsTheLimitsOfGptActions()
    {
        var root = await ServedDocumentAsync();

        foreach (var (method, path, operation) in Operations(root))
        {
            var description = Scalar(operation, "description");
            Assert.True(description.Length <= 300, $"{method} {path}: the description has {description.Length} characters; GPT Actions allow 300.");
            foreach (var parameter in Parameters(root, operation))
            {
                var text = Scalar(parameter, "description");
                Assert.True(text.Length <= 700, $"{method} {path}, parameter {Scalar(parameter, "name")}: {text.Length} characters; GPT Actions allow 700.");
            }
        }
    }

    [Fact]
    public async Task EveryOperationIsMarkedNotConsequentialSoChatGptCanOfferAlwaysAllow()
    {
        var root = await ServedDocumentAsync();

        Assert.All(Operations(root), o => Assert.Equal("false", Scalar(o.Operation, "x-openai-isConsequential")));
    }

    [Fact]
    public async Task EveryOperationIsGroupedUnderADescribedTag()
    {
        var root = await ServedDocumentAsync();
        var declared = ((YamlSequenceNode)root["tags"]).Cast<YamlMappingNode>().ToDictionary(t => Scalar(t, "name"), t => Scalar(t, "description"));

        foreach (var (_, _, operation) in Operations(root))
        {
            var tags = ((YamlSequenceNode)operation["tags"]).Select(t => ((YamlScalarNode)t).Value!).ToList();
            Assert.NotEmpty(tags);
            Assert.All(tags, tag => Assert.False(string.IsNullOrWhiteSpace(declared.GetValueOrDefault(tag)), $"Tag {tag} is not declared with a description."));
        }
    }

    [Fact]
    public async Task ErrorResponsesAreDescribedOnceAndShared()
    {
        var root = await ServedDocumentAsync();

        foreach (var (method, path, operation) in Operations(root))
        {
            foreach (var response in (YamlMappingNode)operation["responses"])
            {
                Assert.True(response.Value is YamlMappingNode reference && reference.Children.ContainsKey("$ref")
                    && Scalar(reference, "$ref").StartsWith("#/components/responses/", StringComparison.Ordinal),
                    $"{method} {path} describes its {response.Key} response in place instead of referring to a shared one.");
            }
        }
    }

    [Fact]
    public async Task SwaggerUiLoadsTheOneDocumentWithoutADefinitionDropDown()
    {
        var script = await factory.CreateClient().GetStringAsync("/swagger/index.js");

        Assert.Contains("\"urls\":[]", script, StringComparison.Ordinal);
        Assert.Contains("Topbar: () =\\u003E null", script, StringComparison.Ordinal);
        Assert.Contains("download(\\u0027/openapi.yaml\\u0027)", script, StringComparison.Ordinal);
    }

    public void Dispose() => factory.Dispose();

    private static IEnumerable<YamlMappingNode> Parameters(YamlMappingNode root, YamlMappingNode operation) =>
        !operation.Children.ContainsKey("parameters") ? []
        : ((YamlSequenceNode)operation["parameters"]).Cast<YamlMappingNode>().Select(p => p.Children.ContainsKey("$ref")
            ? (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)root["components"])["parameters"])[Scalar(p, "$ref").Split('/')[^1]]
            : p);

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
