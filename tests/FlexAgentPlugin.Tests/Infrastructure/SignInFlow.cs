using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using FlexAgentPlugin.Sandbox.Emulator;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace FlexAgentPlugin.Tests.Infrastructure;

/// <summary>A PKCE pair (S256).</summary>
public sealed record Pkce(string Verifier, string Challenge)
{
    public static Pkce Create()
    {
        var verifier = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        return new Pkce(verifier, Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }
}

/// <summary>A token endpoint's answer: its status and JSON.</summary>
public sealed record TokenAnswer(HttpStatusCode Status, JsonObject Json)
{
    public string AccessToken => (string)Json["access_token"]!;

    public string RefreshToken => (string)Json["refresh_token"]!;

    public string? Error => (string?)Json["error"];
}

/// <summary>
/// The built-in sign-in driven as an MCP client and the person at the browser drive it, over plain HTTP (no redirect
/// followed on its own, cookies kept): registration, the authorization request with PKCE, the sign-in pages (their
/// forms posted with the antiforgery token they carry), the code the emulated Verify service "sent", consent, and the
/// token endpoint. Each step returns what the server answered, so tests can stop anywhere.
/// </summary>
public sealed partial class SignInFlow(PluginFactory factory, string baseUrl = SignInFlow.LocalBase) : IDisposable
{
    /// <summary>PUBLIC_BASE_URL for sign-in tests: the test server's own address, so the issuer is this server.</summary>
    public const string LocalBase = "http://localhost";

    public const string Redirect = "http://127.0.0.1:9999/callback";

    public HttpClient Http { get; } = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    public string McpResource => baseUrl + "/mcp";

    /// <summary>Settings for a server whose sign-in tests drive: the built-in server on the test server's address.</summary>
    public static Dictionary<string, string?> Settings(IDictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?> { ["PUBLIC_BASE_URL"] = LocalBase };
        foreach (var (key, value) in more ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>RFC 7591: a public client with one redirect URI; its client_id.</summary>
    public async Task<string> RegisterAsync(string redirect = Redirect, string name = "Test MCP client")
    {
        using var response = await Http.PostAsJsonAsync("/oauth/register", new { client_name = name, redirect_uris = new[] { redirect } });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["client_id"]!;
    }

    public static string AuthorizeQuery(string clientId, Pkce? pkce, string redirect = Redirect, string? resource = null, string scope = "human_agent", string method = "S256")
    {
        var parameters = new Dictionary<string, string?>
        {
            ["response_type"] = "code",
            ["client_id"] = clientId,
            ["redirect_uri"] = redirect,
            ["scope"] = scope,
            ["state"] = "state-0123",
        };
        if (pkce is not null)
        {
            parameters["code_challenge"] = method == "S256" ? pkce.Challenge : pkce.Verifier;
            parameters["code_challenge_method"] = method;
        }

        if (resource is not null)
        {
            parameters["resource"] = resource;
        }

        return "/oauth/authorize" + Microsoft.AspNetCore.Http.QueryString.Create(parameters);
    }

    /// <summary>
    /// From an authorization request to the code: signs in as <paramref name="contact"/> with the code Verify "sent", and
    /// answers the consent page with <paramref name="decision"/>. Returns where the browser is finally sent.
    /// </summary>
    public async Task<Uri> AuthorizeAsync(string authorizeUrl, string contact = "+15551230001", string decision = "allow")
    {
        var consent = await ConsentPageAsync(authorizeUrl, contact);
        using var answered = await PostFormAsync("/oauth/authorize", consent, new() { ["decision"] = decision });
        Assert.Equal(HttpStatusCode.Redirect, answered.StatusCode);
        return answered.Headers.Location!;
    }

    /// <summary>From an authorization request to its consent page, signed in as <paramref name="contact"/>.</summary>
    public async Task<string> ConsentPageAsync(string authorizeUrl, string contact = "+15551230001")
    {
        using var start = await Http.GetAsync(authorizeUrl);
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        var signIn = await PageAsync(start.Headers.Location!.OriginalString);
        using var sent = await PostFormAsync("/oauth/sign-in", signIn, new() { ["contact"] = contact });
        Assert.Equal(HttpStatusCode.SeeOther, sent.StatusCode);
        var codePage = await PageAsync("/oauth/sign-in/code");
        using var signedIn = await PostFormAsync("/oauth/sign-in/code", codePage, new() { ["code"] = CodeFor(contact) });
        Assert.Equal(HttpStatusCode.SeeOther, signedIn.StatusCode);
        return await PageAsync(signedIn.Headers.Location!.OriginalString);
    }

    /// <summary>The whole flow for a client registered here: its client_id and tokens (for /mcp unless <paramref name="resource"/> says otherwise).</summary>
    public async Task<(string ClientId, TokenAnswer Tokens)> SignInAsync(string contact = "+15551230001", string? resource = null)
    {
        var clientId = await RegisterAsync();
        var pkce = Pkce.Create();
        var back = await AuthorizeAsync(AuthorizeQuery(clientId, pkce, resource: resource ?? McpResource), contact);
        var tokens = await RedeemAsync(clientId, Code(back), pkce.Verifier, resource ?? McpResource);
        Assert.Equal(HttpStatusCode.OK, tokens.Status);
        return (clientId, tokens);
    }

    public static string Code(Uri redirect) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(redirect.Query)["code"].ToString() is { Length: > 0 } code ? code
        : throw new InvalidOperationException($"No code in {redirect}");

    public Task<TokenAnswer> RedeemAsync(string clientId, string code, string verifier, string? resource = null, string redirect = Redirect) =>
        TokenAsync(new() { ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = redirect, ["client_id"] = clientId, ["code_verifier"] = verifier, ["resource"] = resource });

    public Task<TokenAnswer> RefreshAsync(string clientId, string refreshToken) =>
        TokenAsync(new() { ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken, ["client_id"] = clientId });

    public async Task<TokenAnswer> TokenAsync(Dictionary<string, string?> form, AuthenticationHeaderValue? authorization = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/oauth/token")
        {
            Content = new FormUrlEncodedContent(form.Where(p => p.Value is not null).Select(p => new KeyValuePair<string, string>(p.Key, p.Value!))),
        };
        request.Headers.Authorization = authorization;
        using var response = await Http.SendAsync(request);
        return new TokenAnswer(response.StatusCode, (await response.Content.ReadFromJsonAsync<JsonObject>())!);
    }

    public async Task<HttpStatusCode> RevokeAsync(string clientId, string token)
    {
        using var response = await Http.PostAsync("/oauth/revoke", new FormUrlEncodedContent([new("token", token), new("client_id", clientId)]));
        return response.StatusCode;
    }

    /// <summary>A page of the sign-in, which must load.</summary>
    public async Task<string> PageAsync(string url)
    {
        using var response = await Http.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>Posts the first form of <paramref name="page"/>, its hidden fields (antiforgery token included) plus <paramref name="fields"/>.</summary>
    public Task<HttpResponseMessage> PostFormAsync(string action, string page, Dictionary<string, string> fields)
    {
        var form = HiddenInput().Matches(page[..(page.IndexOf("</form>", StringComparison.Ordinal) + 7)])
            .Select(m => new KeyValuePair<string, string>(WebUtility.HtmlDecode(m.Groups["name"].Value), WebUtility.HtmlDecode(m.Groups["value"].Value)))
            .Where(p => !fields.ContainsKey(p.Key))
            .Concat(fields)
            .ToList();
        return Http.PostAsync(action, new FormUrlEncodedContent(form));
    }

    /// <summary>The newest code the emulated Verify service holds for <paramref name="contact"/> (as typed: the number's digits).</summary>
    public string CodeFor(string contact)
    {
        var address = contact.StartsWith('+') ? "+" + new string([.. contact.Where(char.IsAsciiDigit)]) : contact.ToLowerInvariant();
        var state = factory.Twilio?.State ?? factory.Services.GetRequiredService<EmulatorState>();
        return state.SignInCodes(20).First(c => c.To == address).Code;
    }

    public HttpClient McpHttp(string accessToken)
    {
        var http = factory.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return http;
    }

    public void Dispose() => Http.Dispose();

    [GeneratedRegex("""<input type="hidden" name="(?<name>[^"]*)" value="(?<value>[^"]*)">""")]
    private static partial Regex HiddenInput();
}
