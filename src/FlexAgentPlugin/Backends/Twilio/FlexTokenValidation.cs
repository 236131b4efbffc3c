using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using FlexAgentPlugin.Core.Services;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Backends.Twilio;

/// <summary>
/// Twilio's validation of an agent's Flex token: <c>POST https://iam.twilio.com/v1/Accounts/{AccountSid}/Tokens/validate</c>
/// with <c>{"token": …}</c>, as Twilio's flex-token-validator asks it. The SDK has no resource for this endpoint, so it is
/// one typed request sent through the named HttpClient the SDK's client uses: the same handlers authenticate it (with
/// the account's auth token, as Twilio's validator does), send it to TWILIO_IAM_BASE_URL, retry Twilio's failures and
/// count it. An answer that carries <c>valid</c> is the answer, whatever its status; otherwise Twilio refusing our
/// credentials, failing (5xx, 429) or not answering is a <see cref="ServiceRefusedException"/> or
/// <see cref="ServiceUnavailableException"/>, and any other 4xx refuses the token.
/// </summary>
public sealed class FlexTokenValidation(IHttpClientFactory clients, IOptions<TwilioOptions> options)
{
    public const string Operation = "validate Flex token";

    public async Task<FlexTokenAnswer> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        var account = options.Value.AccountSid?.Trim() is { Length: > 0 } sid ? sid : throw TwilioFailures.NotConfigured();
        using var call = TwilioCall.Begin(Operation, cancellationToken);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"https://iam.twilio.com/v1/Accounts/{account}/Tokens/validate")
        {
            Content = JsonContent.Create(new ValidateRequest(token)),
        };
        request.Options.Set(TwilioAuthHandler.AsAccount, true);
        HttpResponseMessage response;
        try
        {
            response = await clients.CreateClient(TwilioSetup.ClientName).SendAsync(request, cancellationToken);
        }
        catch (Exception error) when (error is HttpRequestException or TimeoutException
            || (error is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw TwilioFailures.Unavailable(Operation, error);
        }

        using (response)
        {
            var body = await ReadObjectAsync(response, cancellationToken);
            if (body?["valid"] is JsonValue)
            {
                try
                {
                    return body.Deserialize<FlexTokenAnswer>() ?? throw new JsonException("null");
                }
                catch (JsonException error)
                {
                    throw TwilioFailures.Unavailable(Operation, error);
                }
            }

            var status = response.StatusCode;
            var code = body?["code"] is JsonValue value && value.TryGetValue<int>(out var number) ? number : (int?)null;
            if (response.IsSuccessStatusCode)
            {
                throw TwilioFailures.Unavailable(Operation, new InvalidOperationException($"Twilio answered HTTP {(int)status} without a validation."));
            }

            if (status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.TooManyRequests || (int)status >= 500)
            {
                throw TwilioFailures.Refused(Operation, status, code, null, null);
            }

            return new FlexTokenAnswer { Valid = false, Code = code };
        }
    }

    private static async Task<JsonObject?> ReadObjectAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken)) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed record ValidateRequest([property: JsonPropertyName("token")] string Token);
}

/// <summary>What Twilio's IAM says of a Flex token (its field names).</summary>
public sealed record FlexTokenAnswer
{
    [JsonPropertyName("valid")]
    public bool Valid { get; init; }

    [JsonPropertyName("code")]
    public int? Code { get; init; }

    [JsonPropertyName("message")]
    public string? Message { get; init; }

    [JsonPropertyName("expiration")]
    public DateTimeOffset? Expiration { get; init; }

    [JsonPropertyName("realm_user_id")]
    public string? RealmUserId { get; init; }

    [JsonPropertyName("identity")]
    public string? Identity { get; init; }

    [JsonPropertyName("roles")]
    public IReadOnlyList<string>? Roles { get; init; }

    [JsonPropertyName("worker_sid")]
    public string? WorkerSid { get; init; }
}
