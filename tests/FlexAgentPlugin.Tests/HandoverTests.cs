using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Backends.Twilio;
using FlexAgentPlugin.Doors.Handover;
using FlexAgentPlugin.Sandbox.Emulator;
using FlexAgentPlugin.Tests.Infrastructure;

namespace FlexAgentPlugin.Tests;

/// <summary><c>POST /tools/flex-handover</c>: the tool a Twilio AI Assistant calls to hand its conversation to a Flex agent.</summary>
public sealed class HandoverTests : IDisposable
{
    private const string PublicBaseUrl = "https://plugin.example.com";
    private const string ServiceSid = "IS0123456789abcdef0123456789abcdef";

    private readonly PluginFactory factory = new(new Dictionary<string, string?>
    {
        ["FLEX_WORKSPACE_SID"] = PluginFactory.WorkspaceSid,
        ["FLEX_WORKFLOW_SID"] = PluginFactory.WorkflowSid,
        ["HANDOVER_TOKEN"] = PluginFactory.HandoverToken,
        ["PUBLIC_BASE_URL"] = PublicBaseUrl,
    });

    private readonly HttpClient client;
    private readonly string conversationSid;

    public HandoverTests()
    {
        client = factory.CreateClient();
        conversationSid = factory.Twilio.AddConversation();
    }

    private EmulatedTwilio Twilio => factory.Twilio;

    private string SessionId => $"webhook:conversations__{ServiceSid}/{conversationSid}";

    [Theory]
    [InlineData("whatsapp:+15551234567", "whatsapp", "chat", "whatsapp:+15551234567", "+15551234567")]
    [InlineData("phone:+15551234567", "sms", "sms", "+15551234567", "+15551234567")]
    [InlineData("email:ana@example.com", "chat", "chat", "ana@example.com", "ana@example.com")]
    [InlineData("user_id:42", "chat", "chat", "42", "42")]
    public async Task HandoverCreatesAnInteractionForTheCustomersChannel(
        string identity, string channelType, string taskChannel, string address, string name)
    {
        var response = await client.SendAsync(Handover(identity));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var interaction = Assert.Single(Twilio.Interactions);
        await JsonAssert.BodyEqualAsync($$$"""
            {"message": "{{{HandoverEndpoints.HandedOver}}}", "interactionSid": "{{{interaction.Sid}}}",
             "conversationSid": "{{{conversationSid}}}", "alreadyHandedOver": false}
            """, response);
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse($$$"""{"type":"{{{channelType}}}","initiated_by":"customer","properties":{"media_channel_sid":"{{{conversationSid}}}"}}"""),
            interaction.Channel));
        Assert.True(JsonNode.DeepEquals(
            JsonNode.Parse($$$"""
                {"properties":{"workspace_sid":"{{{PluginFactory.WorkspaceSid}}}","workflow_sid":"{{{PluginFactory.WorkflowSid}}}",
                 "task_channel_unique_name":"{{{taskChannel}}}",
                 "attributes":{"from":"{{{address}}}","customerName":"{{{name}}}","customerAddress":"{{{address}}}"} } }
                """),
            interaction.Routing));
    }

    [Fact]
    public async Task SessionIdWithoutTheWebhookPrefixIsAccepted()
    {
        var response = await client.SendAsync(Handover("user_id:42", session: $"conversations__{ServiceSid}/{conversationSid}"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(conversationSid, (string?)Assert.Single(Twilio.Interactions).Channel["properties"]!["media_channel_sid"]);
    }

    [Fact]
    public async Task QueryParametersOverrideTheConfiguredWorkspaceAndWorkflow()
    {
        const string Workspace = "WSfedcba9876543210fedcba9876543210";
        const string Workflow = "WWfedcba9876543210fedcba9876543210";

        var response = await client.SendAsync(Handover("user_id:42", query: $"?FlexWorkspaceSid={Workspace}&FlexWorkflowSid={Workflow}"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var properties = Assert.Single(Twilio.Interactions).Routing["properties"]!;
        Assert.Equal(Workspace, (string?)properties["workspace_sid"]);
        Assert.Equal(Workflow, (string?)properties["workflow_sid"]);
    }

    [Fact]
    public async Task ASecondHandoverOfTheSameConversationCreatesNoSecondTask()
    {
        var first = await client.SendAsync(Handover("user_id:42"));
        var again = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => client.SendAsync(Handover("user_id:42"))));

        var interaction = Assert.Single(Twilio.Interactions);
        Assert.Equal(1, Twilio.Count("POST", "/v1/Interactions"));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        foreach (var response in again)
        {
            await JsonAssert.BodyEqualAsync($$$"""
                {"message": "{{{HandoverEndpoints.AlreadyHandedOver}}}", "interactionSid": "{{{interaction.Sid}}}",
                 "conversationSid": "{{{conversationSid}}}", "alreadyHandedOver": true}
                """, response);
        }
    }

    [Fact]
    public async Task TheTokenMayComeAsAQueryParameter()
    {
        var request = Handover("user_id:42", query: $"?token={PluginFactory.HandoverToken}");
        request.Headers.Authorization = null;

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task AFormRequestSignedByTwilioIsAccepted()
    {
        var form = new List<KeyValuePair<string, string>> { new("Input", "{}") };
        var request = Handover("user_id:42");
        request.Headers.Authorization = null;
        request.Content = new FormUrlEncodedContent(form);
        request.Headers.Add(TwilioSignature.Header, RequestSigner.Sign(PluginFactory.AuthToken, PublicBaseUrl + HandoverEndpoints.Path, form));

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task AJsonRequestSignedByTwilioWithItsBodyHashIsAccepted()
    {
        var request = SignedJson("""{"reason":"wants a person"}""", """{"reason":"wants a person"}""");

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task AJsonBodyThatDoesNotMatchTheSignedHashIsRefused()
    {
        var request = SignedJson("""{"reason":"wants a person"}""", """{"reason":"changed on the way"}""");

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(Twilio.Interactions);
    }

    [Fact]
    public async Task AForgedSignatureIsRefused()
    {
        var request = Handover("user_id:42");
        request.Headers.Authorization = null;
        request.Headers.Add(TwilioSignature.Header, RequestSigner.Sign("not-the-auth-token", PublicBaseUrl + HandoverEndpoints.Path, []));

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(Twilio.Interactions);
    }

    [Fact]
    public async Task AWrongTokenIsRefused()
    {
        var request = Handover("user_id:42");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "handover-token-guessed-000");

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(Twilio.Interactions);
    }

    [Fact]
    public async Task NoCredentialsAreUnauthorized()
    {
        var request = Handover("user_id:42");
        request.Headers.Authorization = null;

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Empty(Twilio.Interactions);
    }

    [Theory]
    [InlineData(null, "user_id:42", "", "X-Session-Id")]
    [InlineData("conversations__IS123/CH456", "user_id:42", "", "X-Session-Id")]
    [InlineData("webhook:conversations__CH0123456789abcdef0123456789abcdef", "user_id:42", "", "X-Session-Id")]
    [InlineData("valid", null, "", "X-Identity")]
    [InlineData("valid", "no-trait", "", "X-Identity")]
    [InlineData("valid", "user_id:", "", "X-Identity")]
    [InlineData("valid", "phone:555-1234", "", "X-Identity")]
    [InlineData("valid", "whatsapp:15551234567", "", "X-Identity")]
    [InlineData("valid", "user_id:42", "?FlexWorkspaceSid=WW0123456789abcdef0123456789abcdef", "FlexWorkspaceSid")]
    [InlineData("valid", "user_id:42", "?FlexWorkflowSid=WW123", "FlexWorkflowSid")]
    public async Task AMissingOrMalformedInputIsABadRequestNamingIt(string? session, string? identity, string query, string field)
    {
        var response = await client.SendAsync(Handover(identity, session == "valid" ? SessionId : session ?? "", query));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonObject>();
        Assert.NotNull(problem!["errors"]![field]);
        Assert.Empty(Twilio.Interactions);
    }

    [Fact]
    public async Task WithoutAWorkspaceAndWorkflowTheToolIsUnavailableNamingTheVariables()
    {
        using var studioOnly = new PluginFactory(new Dictionary<string, string?> { ["HANDOVER_TOKEN"] = PluginFactory.HandoverToken });

        var response = await studioOnly.CreateClient().SendAsync(Handover("user_id:42"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var detail = (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["detail"];
        Assert.Contains("FLEX_WORKSPACE_SID", detail, StringComparison.Ordinal);
        Assert.Contains("FLEX_WORKFLOW_SID", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFlexRefusalIsABadGatewayAndTheNextCallTriesAgain()
    {
        Twilio.Refuse("/v1/Interactions", times: 1);

        var refused = await client.SendAsync(Handover("user_id:42"));
        var retried = await client.SendAsync(Handover("user_id:42"));

        Assert.Equal(HttpStatusCode.BadGateway, refused.StatusCode);
        Assert.Contains("20001", (string?)(await refused.Content.ReadFromJsonAsync<JsonObject>())!["detail"], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Single(Twilio.Interactions);
    }

    [Fact]
    public async Task AHandoverWhoseAnswerWasLostIsUnavailableAndIsNotResent()
    {
        Twilio.FailAfterApplying = r => r.Path == "/v1/Interactions";

        var response = await factory.Clock.RunUntilDoneAsync(client.SendAsync(Handover("user_id:42")));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal(1, Twilio.Count("POST", "/v1/Interactions"));
    }

    [Fact]
    public async Task RefusedCredentialsAreABadGatewayThatSaysWhichSettingsToCheck()
    {
        Twilio.Password = "rotated-auth-token";

        var response = await client.SendAsync(Handover("user_id:42"));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Contains("AUTH_TOKEN", (string?)(await response.Content.ReadFromJsonAsync<JsonObject>())!["detail"], StringComparison.Ordinal);
    }

    private HttpRequestMessage Handover(string? identity, string? session = null, string query = "") =>
        PluginFactory.HandoverRequest(session ?? SessionId, identity, query);

    /// <summary>A JSON tool call signed as Twilio signs one: the URL carries the SHA-256 of <paramref name="signedBody"/>.</summary>
    private HttpRequestMessage SignedJson(string signedBody, string sentBody)
    {
        var query = "?bodySHA256=" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(signedBody)));
        var request = Handover("user_id:42", query: query);
        request.Headers.Authorization = null;
        request.Content = new StringContent(sentBody, Encoding.UTF8, "application/json");
        request.Headers.Add(TwilioSignature.Header, RequestSigner.Sign(PluginFactory.AuthToken, PublicBaseUrl + HandoverEndpoints.Path + query, []));
        return request;
    }

    public void Dispose()
    {
        client.Dispose();
        factory.Dispose();
    }
}
