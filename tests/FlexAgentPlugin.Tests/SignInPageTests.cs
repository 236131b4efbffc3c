using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using FlexAgentPlugin.Sandbox;
using FlexAgentPlugin.Tests.Infrastructure;

namespace FlexAgentPlugin.Tests;

/// <summary>
/// The sign-in pages: codes sent and checked through Twilio Verify as Twilio defines it, limited tries (guessing stops
/// after five wrong codes, even with a new code), the same answer for any address, and every refusal a page that says
/// what to do, never a server error.
/// </summary>
public sealed partial class SignInPageTests : IDisposable
{
    private readonly PluginFactory factory = new(SignInFlow.Settings());
    private readonly SignInFlow flow;

    public SignInPageTests() => flow = new SignInFlow(factory);

    public void Dispose()
    {
        flow.Dispose();
        factory.Dispose();
    }

    [Fact]
    public async Task SixthWrongCodeIsRefusedEvenWhenRight()
    {
        var codePage = await CodePageAsync("+15551230001");
        for (var i = 0; i < 5; i++)
        {
            using var wrong = await flow.PostFormAsync("/oauth/sign-in/code", codePage, new() { ["code"] = WrongCode("+15551230001") });
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
            codePage = await wrong.Content.ReadAsStringAsync();
        }

        // A new code, then the right one: still refused until the ten minutes are over.
        using var again = await flow.PostFormAsync("/oauth/sign-in", codePage[(codePage.IndexOf("</form>", StringComparison.Ordinal) + 7)..], []);
        Assert.Equal(HttpStatusCode.SeeOther, again.StatusCode);
        codePage = await flow.PageAsync("/oauth/sign-in/code");
        using var right = await flow.PostFormAsync("/oauth/sign-in/code", codePage, new() { ["code"] = flow.CodeFor("+15551230001") });

        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
        Assert.Contains("Too many tries", await right.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null(right.Headers.Location);
    }

    [Fact]
    public async Task SignInAnswersTheSameForAnyAddress()
    {
        // One contact signed in before, one never seen, one past its limit of codes: the same page for each.
        await flow.SignInAsync("+15551230001");
        var request = SignInFlow.AuthorizeQuery(await flow.RegisterAsync(), Pkce.Create(), resource: flow.McpResource);
        var pages = new List<string>();
        foreach (var contact in new[] { "+15551230001", "+15551239999", "+15551230042", "+15551230042", "+15551230042", "+15551230042" })
        {
            pages.Add(Comparable(await CodePageAsync(contact, request), contact));
        }

        Assert.Single(pages.Distinct());
        Assert.Contains("We sent a code to", pages[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("12345")]
    [InlineData("+1 555")]
    [InlineData("ana@")]
    [InlineData("not an address")]
    public async Task AContactThatIsNeitherAPhoneNumberNorAnEmailIsRefusedWithWhatToType(string typed)
    {
        var signIn = await SignInPageAsync();

        using var response = await flow.PostFormAsync("/oauth/sign-in", signIn, new() { ["contact"] = typed });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("role=\"alert\"", page, StringComparison.Ordinal);
        Assert.Contains("aria-invalid=\"true\"", page, StringComparison.Ordinal);
        Assert.Contains("country code", page, StringComparison.Ordinal);
        Assert.Equal(0, factory.Twilio.Count("POST", "/v2/Services/.*/Verifications"));
    }

    [Fact]
    public async Task CodesGoThroughVerifyAsTwilioDefinesIt()
    {
        await flow.SignInAsync("+1 555 123 0001");
        var phoneSend = Assert.Single(factory.Twilio.Requests, r => r.Api == "verify" && r.Path.EndsWith("/Verifications", StringComparison.Ordinal));
        var check = Assert.Single(factory.Twilio.Requests, r => r.Api == "verify" && r.Path.EndsWith("/VerificationCheck", StringComparison.Ordinal));
        await CodePageAsync("Ana@Example.com");
        var emailSend = factory.Twilio.Requests.Last(r => r.Api == "verify" && r.Path.EndsWith("/Verifications", StringComparison.Ordinal));

        Assert.Equal($"/v2/Services/{SandboxAccount.VerifyServiceSid}/Verifications", phoneSend.Path);
        Assert.Equal([new("To", "+15551230001"), new("Channel", "sms")], phoneSend.Form);
        Assert.Equal("+15551230001", check.Form1("To"));
        Assert.Matches("^[0-9]{6}$", check.Form1("Code"));
        Assert.Equal([new("To", "ana@example.com"), new("Channel", "email")], emailSend.Form);
        Assert.Empty(factory.Twilio.UnknownRequests);
    }

    [Fact]
    public async Task AFormWithoutItsAntiforgeryTokenSendsNothing()
    {
        var signIn = await SignInPageAsync();
        var returnUrl = WebUtility.HtmlDecode(ReturnUrl().Match(signIn).Groups[1].Value);

        using var response = await flow.Http.PostAsync("/oauth/sign-in",
            new FormUrlEncodedContent([new("ReturnUrl", returnUrl), new("contact", "+15551230001")]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Start the sign-in again", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, factory.Twilio.Count("POST", "/v2/Services/.*/Verifications"));
    }

    [Theory]
    [InlineData("https://attacker.example/")]
    [InlineData("//attacker.example/oauth/authorize?x=1")]
    [InlineData("/oauth/token?x=1")]
    public async Task ASignInThatWouldNotReturnToAnAuthorizationRequestIsRefused(string returnUrl)
    {
        using var page = await flow.Http.GetAsync("/oauth/sign-in?ReturnUrl=" + Uri.EscapeDataString(returnUrl));
        var signIn = await SignInPageAsync();
        using var posted = await flow.PostFormAsync("/oauth/sign-in", signIn, new() { ["contact"] = "+15551230001", ["ReturnUrl"] = returnUrl });

        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, posted.StatusCode);
        Assert.Null(posted.Headers.Location);
        Assert.Equal(0, factory.Twilio.Count("POST", "/v2/Services/.*/Verifications"));
    }

    [Fact]
    public async Task VerifyFailingIsAPageThatSaysToTryAgainLater()
    {
        factory.Twilio.Intercept = r => Task.FromResult(r.Api == "verify" ? EmulatedTwilio.Error(HttpStatusCode.ServiceUnavailable, 20503, "Service unavailable") : null);
        var signIn = await SignInPageAsync();

        using var response = await flow.PostFormAsync("/oauth/sign-in", signIn, new() { ["contact"] = "+15551230001" });

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<h1>Codes cannot be sent right now</h1>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(factory.Logs.Lines, l => l.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
        Assert.DoesNotContain(factory.Logs.Lines, l => l.Text.Contains("+15551230001", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/oauth/sign-in", "multipart/form-data; boundary=x", "--x--")]
    [InlineData("/oauth/sign-in", "application/json", "{}")]
    [InlineData("/oauth/sign-in/code", "text/plain", "code=1")]
    [InlineData("/oauth/sign-in", "application/x-www-form-urlencoded", "big")]
    [InlineData("/oauth/register", "text/plain", "{}")]
    [InlineData("/oauth/register", "application/json", "[1,2]")]
    [InlineData("/oauth/register", "application/json", "{\"redirect_uris\":[\"javascript:alert(1)\"]}")]
    [InlineData("/oauth/register", "application/json", "{\"redirect_uris\":[\"https://app.example/cb\"],\"token_endpoint_auth_method\":\"client_secret_basic\"}")]
    [InlineData("/oauth/token", "application/x-www-form-urlencoded", "grant_type=authorization_code&code=nothing")]
    [InlineData("/oauth/token", "application/json", "{}")]
    [InlineData("/oauth/revoke", "application/x-www-form-urlencoded", "token=nothing")]
    [InlineData("/oauth/authorize", "application/x-www-form-urlencoded", "fields")]
    [InlineData("/oauth/token", "application/x-www-form-urlencoded", "fields")]
    public async Task WhatTheSignInCannotReadIsAClientErrorNeverAServerOne(string path, string contentType, string body)
    {
        var content = body switch
        {
            "big" => "contact=" + new string('1', 20_000),
            "fields" => string.Join("&", Enumerable.Range(0, 2000).Select(i => $"f{i}=v")),
            _ => body,
        };
        using var response = await flow.Http.PostAsync(path, new StringContent(content, Encoding.UTF8).WithType(contentType));

        Assert.InRange((int)response.StatusCode, 400, 499);
        Assert.DoesNotContain(factory.Logs.Lines, l => l.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
    }

    [Fact]
    public async Task ThePagesCarryNoScriptAndMayNotBeFramed()
    {
        using var response = await flow.Http.GetAsync((await flow.Http.GetAsync(SignInFlow.AuthorizeQuery(await flow.RegisterAsync(), Pkce.Create()))).Headers.Location);
        var page = await response.Content.ReadAsStringAsync();

        Assert.DoesNotContain("<script", page, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Contains("<label for=\"contact\">", page, StringComparison.Ordinal);
        Assert.Contains("<html lang=\"en\">", page, StringComparison.Ordinal);
    }

    /// <summary>The sign-in page of <paramref name="request"/> (an authorization request), or of a new client's.</summary>
    private async Task<string> SignInPageAsync(string? request = null)
    {
        using var start = await flow.Http.GetAsync(request ?? SignInFlow.AuthorizeQuery(await flow.RegisterAsync(), Pkce.Create(), resource: flow.McpResource));
        return await flow.PageAsync(start.Headers.Location!.OriginalString);
    }

    /// <summary>An authorization request (a new one unless given), signed in up to the code page for <paramref name="contact"/>.</summary>
    private async Task<string> CodePageAsync(string contact, string? request = null)
    {
        using var sent = await flow.PostFormAsync("/oauth/sign-in", await SignInPageAsync(request), new() { ["contact"] = contact });
        Assert.Equal(HttpStatusCode.SeeOther, sent.StatusCode);
        return await flow.PageAsync("/oauth/sign-in/code");
    }

    private string WrongCode(string contact) => flow.CodeFor(contact) == "000000" ? "111111" : "000000";

    /// <summary>The page without what differs by design: the address itself and the antiforgery token.</summary>
    private static string Comparable(string page, string contact) =>
        Token().Replace(page.Replace(System.Text.Encodings.Web.HtmlEncoder.Default.Encode(contact), "ADDRESS", StringComparison.Ordinal), "TOKEN");

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"[^\"]*\"")]
    private static partial Regex Token();

    [GeneratedRegex("name=\"ReturnUrl\" value=\"([^\"]*)\"")]
    private static partial Regex ReturnUrl();
}

internal static class ContentTypes
{
    public static StringContent WithType(this StringContent content, string type)
    {
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(type);
        return content;
    }
}
