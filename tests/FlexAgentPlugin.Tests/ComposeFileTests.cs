using System.Net;
using FlexAgentPlugin.Backends.Postgres;
using FlexAgentPlugin.Tests.Infrastructure;
using Npgsql;
using YamlDotNet.RepresentationModel;

namespace FlexAgentPlugin.Tests;

/// <summary>
/// docker-compose.yml as the servers receive it: a database connection that any POSTGRES_PASSWORD fits (the password
/// apart, as PGPASSWORD), and Caddy's network trusted for X-Forwarded-For. (Built and run for real with podman-compose:
/// README's Docker section.)
/// </summary>
public sealed class ComposeFileTests
{
    private static readonly YamlMappingNode Compose = Load();

    [Theory]
    [InlineData("server-a")]
    [InlineData("server-b")]
    public void TheServersConnectionStringLeavesThePasswordToPgPassword(string service)
    {
        var environment = Environment(service);
        var connection = PostgresOptions.Parse(environment["DATABASE_URL"]);

        Assert.NotNull(connection);
        Assert.Equal(("postgres", 5432, "flexagent", "flexagent", 40), (connection.Host, connection.Port, connection.Database, connection.Username, connection.MaxPoolSize));
        Assert.Null(connection.Password);
        Assert.DoesNotContain("POSTGRES_PASSWORD", environment["DATABASE_URL"], StringComparison.Ordinal);
        Assert.StartsWith("${POSTGRES_PASSWORD", environment["PGPASSWORD"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("server-a")]
    [InlineData("server-b")]
    public void TheServersTrustTheForwardedHeadersOfTheComposeNetworkCaddyIsOn(string service)
    {
        var subnet = ((YamlScalarNode)((YamlMappingNode)((YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)((YamlMappingNode)Compose["networks"])["default"])["ipam"])["config"])[0])["subnet"]).Value;
        var proxy = (YamlMappingNode)((YamlMappingNode)Compose["services"])["proxy"];

        Assert.Equal(subnet, Environment(service)["FORWARDED_HEADERS_KNOWN_NETWORKS"]);
        Assert.True(System.Net.IPNetwork.TryParse(subnet, out _), $"{subnet} is not a network in CIDR form.");
        Assert.False(proxy.Children.ContainsKey("networks"), "Caddy must stay on the default network, whose subnet the servers trust.");
    }

    [PostgresFact]
    public async Task AServerTakesThePasswordFromPgPasswordWhenTheConnectionStringHasNone()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        var given = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        var address = $"http://127.0.0.1:{ServerProcess.FreePort()}";
        using var server = ServerProcess.Start(["--urls", address], new Dictionary<string, string>
        {
            ["SANDBOX"] = "false",
            ["ACCOUNT_SID"] = PluginFactory.AccountSid,
            ["AUTH_TOKEN"] = PluginFactory.AuthToken,
            ["CONV_FLOW"] = PluginFactory.FlowSid,
            ["DATABASE_URL"] = $"Host={given.Host};Port={given.Port};Database={given.Database};Username={given.Username};Maximum Pool Size=5",
            ["PGPASSWORD"] = given.Password!,
        });

        await server.WaitForOutputAsync(l => l.Contains("FlexAgentPlugin started", StringComparison.Ordinal));
        using var client = new HttpClient { BaseAddress = new Uri(address) };

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);
    }

    private static Dictionary<string, string> Environment(string service) =>
        ((YamlMappingNode)((YamlMappingNode)((YamlMappingNode)Compose["services"])[service])["environment"]).Children
            .ToDictionary(pair => ((YamlScalarNode)pair.Key).Value!, pair => ((YamlScalarNode)pair.Value).Value!);

    private static YamlMappingNode Load()
    {
        var yaml = new YamlStream();
        using var reader = new StringReader(File.ReadAllText(Repository.PathOf("docker-compose.yml")));
        yaml.Load(reader);
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }
}
