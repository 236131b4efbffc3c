using System.Net;
using System.Net.Http.Headers;
using System.Text;
using FlexAgentPlugin.Backends.Twilio;
using FlexAgentPlugin.Core.Callbacks;
using FlexAgentPlugin.Doors.Handover;
using FlexAgentPlugin.Sandbox.Emulator;
using FlexAgentPlugin.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace FlexAgentPlugin.Tests;

/// <summary>
/// Malformed, oversized or hostile bodies at the endpoints Twilio signs: always a 4xx, never a 500, at most a warning
/// in the log (no stack trace), and nothing of an unsigned request is read.
/// </summary>
public sealed class HostileInputTests : IDisposable
{
    private const string PublicUrl = "https://abc123.ngrok.app";

    private static readonly string ConversationSid = "CH" + new string('0', 32);

    private readonly PluginFactory factory = new(new Dictionary<string, string?>
    {
        ["PUBLIC_BASE_URL"] = PublicUrl,
        ["FLEX_WORKSPACE_SID"] = PluginFactory.WorkspaceSid,
        ["FLEX_WORKFLOW_SID"] = PluginFactory.WorkflowSid,
        ["HANDOVER_TOKEN"] = PluginFactory.HandoverToken,

        // Hostile input to /mcp itself, which sign-in would refuse before reading it.
        ["OAUTH"] = "off",
    });

    public static TheoryData<string, string> MalformedBodies => new()
    {
        { "multipart/form-data", "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--x--" },
        { "multipart/form-data; boundary=x", "not a multipart body at all" },
        { "application/x-www-form-urlencoded", string.Join("&", Enumerable.Range(0, 1025).Select(i => $"f{i}=v")) },
        { "application/x-www-form-urlencoded", new string('k', 2049) + "=v" },
        { "application/x-www-form-urlencoded; charset=utf-7", $"ConversationSid={ConversationSid}" },
        { "application/x-www-form-urlencoded", $"ConversationSid={ConversationSid}%00&EventType=on%0D%0AX" },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task AnUnsignedMalformedEventIsRefusedWithoutReadingIt(string contentType, string body)
    {
        var response = await factory.CreateClient().SendAsync(Post(TwilioCallbacks.ConversationEventsPath, contentType, body, signature: null));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        AssertNothingWorseThanAWarning();
    }

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task AMalformedEventWithASignatureIsAClientErrorAndAWarningAtMost(string contentType, string body)
    {
        var response = await factory.CreateClient().SendAsync(Post(TwilioCallbacks.ConversationEventsPath, contentType, body, signature: "forged"));

        Assert.InRange((int)response.StatusCode, 400, 499);
        AssertNothingWorseThanAWarning();
    }

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task AMalformedHandoverWithASignatureIsAClientErrorAndAWarningAtMost(string contentType, string body)
    {
        var request = Post(HandoverEndpoints.Path, contentType, body, signature: "forged");
        request.Headers.Add(HandoverInput.SessionHeader, $"conversations__IS{new string('0', 32)}/{ConversationSid}");
        request.Headers.Add(HandoverInput.IdentityHeader, "user_id:42");

        var response = await factory.CreateClient().SendAsync(request);

        Assert.InRange((int)response.StatusCode, 400, 499);
        Assert.Empty(factory.Twilio.Interactions);
        AssertNothingWorseThanAWarning();
    }

    [Theory]
    [InlineData("multipart/form-data; boundary=x", HttpStatusCode.UnsupportedMediaType)]
    [InlineData("application/x-www-form-urlencoded; charset=utf-7", HttpStatusCode.UnsupportedMediaType)]
    public async Task ABodyTwilioNeverSendsIsRefusedByItsMediaType(string contentType, HttpStatusCode status)
    {
        var response = await factory.CreateClient().SendAsync(Post(TwilioCallbacks.ConversationEventsPath, contentType, "a=b", signature: "forged"));

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ASignedEventWithControlCharactersInItsValuesIsABadRequest()
    {
        var response = await factory.PostEventAsync(factory.CreateClient(), ("ConversationSid", ConversationSid + "\0"), ("EventType", "on\r\nX"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        AssertNothingWorseThanAWarning();
    }

    [Theory]
    [InlineData("/twilio/conversation-events")]
    [InlineData("/tools/flex-handover")]
    public async Task AChunkedSignedBodyOver64KilobytesIsRefusedWhileItIsRead(string path)
    {
        using var server = PluginFactory.RealSandbox();
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        var pairs = Enumerable.Range(0, 20_000).Select(i => new KeyValuePair<string, string>($"Field{i}", new string('x', 40))).ToList();
        var body = Encoding.UTF8.GetBytes(string.Join("&", pairs.Select(p => $"{p.Key}={p.Value}")));
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ChunkedContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        request.Headers.Add(TwilioSignature.Header, RequestSigner.Sign("any-token", new Uri(server.BaseAddress!, path).ToString(), pairs));
        Assert.Null(request.Content.Headers.ContentLength);

        using var response = await client.SendAsync(request);

        Assert.True(body.Length > 1000 * 1024);
        Assert.True(request.Headers.TransferEncodingChunked);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}""")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":5}}""")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":"me"}}""")]
    [InlineData("""{"jsonrpc":"2.0","id":1,"method":"initialize""")]
    [InlineData("""[1,2,3]""")]
    public async Task AnMcpMessageTheServerCannotReadIsA400(string body)
    {
        using var response = await factory.CreateClient().SendAsync(RawMcp.Post(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        AssertNothingWorseThanAWarning();
    }

    [Fact]
    public async Task AnMcpBodyOverAMegabyteIsRefusedWhileItIsRead()
    {
        using var server = PluginFactory.RealSandbox(new Dictionary<string, string?> { ["OAUTH"] = "off" });
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        var padding = new string('x', 2 * 1024 * 1024);
        var request = RawMcp.Post(RawMcp.Initialize.Replace("\"name\":\"raw\"", $"\"name\":\"{padding}\"", StringComparison.Ordinal));
        Assert.True(request.Content!.Headers.ContentLength > 2 * 1024 * 1024);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    public void Dispose() => factory.Dispose();

    private static HttpRequestMessage Post(string path, string contentType, string body, string? signature)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        if (signature is not null)
        {
            request.Headers.Add(TwilioSignature.Header, signature);
        }

        return request;
    }

    private void AssertNothingWorseThanAWarning()
    {
        Assert.DoesNotContain(factory.Logs.Lines, l => l.Level >= LogLevel.Error);
        Assert.DoesNotContain(factory.Logs.Lines, l => l.Text.Contains("Exception", StringComparison.Ordinal) && l.Text.Contains("   at ", StringComparison.Ordinal));
    }

    /// <summary>A body of unknown length, so it is sent chunked.</summary>
    private sealed class ChunkedContent(byte[] bytes) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => stream.WriteAsync(bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
