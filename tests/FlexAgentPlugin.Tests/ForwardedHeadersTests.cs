using System.Net;
using FlexAgentPlugin.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace FlexAgentPlugin.Tests;

/// <summary>
/// Behind a proxy (docker-compose.yml's Caddy) the rate limit counts per client, from the X-Forwarded-For of a proxy
/// FORWARDED_HEADERS_KNOWN_NETWORKS or _PROXIES trusts; anyone else's header is ignored, so no caller picks its bucket.
/// </summary>
public sealed class ForwardedHeadersTests
{
    private static readonly IPAddress Proxy = IPAddress.Parse("10.89.7.2");

    [Theory]
    [InlineData("FORWARDED_HEADERS_KNOWN_NETWORKS", "10.89.7.0/24")]
    [InlineData("FORWARDED_HEADERS_KNOWN_PROXIES", "10.89.7.2")]
    public async Task TwoClientsBehindATrustedProxyGetSeparateRateLimitBuckets(string variable, string trusted)
    {
        using var factory = new PluginFactory(new Dictionary<string, string?> { [variable] = trusted, ["RATE_LIMIT_PER_ADDRESS"] = "1" });

        var first = await GetRepliesAsync(factory, "u1", from: Proxy, forwardedFor: "203.0.113.7");
        var other = await GetRepliesAsync(factory, "u2", from: Proxy, forwardedFor: "203.0.113.8");
        var firstAgain = await GetRepliesAsync(factory, "u3", from: Proxy, forwardedFor: "203.0.113.7");

        Assert.Equal([StatusCodes.Status404NotFound, StatusCodes.Status404NotFound, StatusCodes.Status429TooManyRequests], [first, other, firstAgain]);
    }

    [Fact]
    public async Task AnUntrustedProxysForwardedForIsIgnored()
    {
        using var factory = new PluginFactory(new Dictionary<string, string?> { ["FORWARDED_HEADERS_KNOWN_NETWORKS"] = "10.89.8.0/24", ["RATE_LIMIT_PER_ADDRESS"] = "1" });

        var first = await GetRepliesAsync(factory, "u1", from: Proxy, forwardedFor: "203.0.113.7");
        var claimsAnother = await GetRepliesAsync(factory, "u2", from: Proxy, forwardedFor: "203.0.113.8");

        Assert.Equal([StatusCodes.Status404NotFound, StatusCodes.Status429TooManyRequests], [first, claimsAnother]);
    }

    [Theory]
    [InlineData("FORWARDED_HEADERS_KNOWN_NETWORKS", "10.89.7.2")]
    [InlineData("FORWARDED_HEADERS_KNOWN_NETWORKS", "caddy")]
    [InlineData("FORWARDED_HEADERS_KNOWN_PROXIES", "10.89.7.0/24")]
    [InlineData("FORWARDED_HEADERS_KNOWN_PROXIES", "proxy")]
    public void AMalformedTrustedProxySettingStopsTheStartNamingIt(string variable, string value) =>
        Assert.Contains(ConfigurationTests.StartFailures(new Dictionary<string, string?> { [variable] = value }),
            f => f.StartsWith($"{variable} must be", StringComparison.Ordinal));

    /// <summary>GET /replies/{user} as a request arriving from <paramref name="from"/> with its X-Forwarded-For; returns the status.</summary>
    private static async Task<int> GetRepliesAsync(PluginFactory factory, string user, IPAddress from, string forwardedFor)
    {
        var context = await factory.Server.SendAsync(request =>
        {
            request.Request.Method = HttpMethods.Get;
            request.Request.Path = $"/replies/{user}";
            request.Request.Headers["X-Forwarded-For"] = forwardedFor;
            request.Connection.RemoteIpAddress = from;
        });
        return context.Response.StatusCode;
    }
}
