using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FlexAgentPlugin.Sandbox.Emulator;

/// <summary>
/// The emulated IAM token validation Flex plugins' servers use (<c>POST /v1/Accounts/{AccountSid}/Tokens/validate</c>,
/// under <see cref="SandboxAccount.IamPath"/>), with Twilio's auth and answer shape: a JSON body with exactly
/// <c>token</c>; <c>valid</c> true for a sandbox agent token (<see cref="SandboxAgentTokens"/>) that has not expired,
/// false (Twilio's access-token error codes) for anything else.
/// </summary>
internal static class IamApi
{
    private const string Operation = "validate token";
    private const int InvalidToken = 20101;
    private const int ExpiredToken = 20104;

    public static void MapIamApi(this IEndpointRouteBuilder app)
    {
        app.MapPost($"{SandboxAccount.IamPath}/v1/Accounts/{{accountSid}}/Tokens/validate", async (
            string accountSid, HttpRequest request, SandboxAccount account, SandboxAgentTokens tokens, TimeProvider clock) =>
        {
            if (accountSid != account.AccountSid)
            {
                throw EmulatorException.NotFound($"/Accounts/{accountSid}");
            }

            ApiRequests.StrictQuery(request, Operation, []);
            var token = await TokenAsync(request);
            var claims = tokens.Read(token);
            if (claims is null)
            {
                return ApiRequests.Ok(Refusal(InvalidToken, "Invalid Access Token"));
            }

            if (claims.Expiration <= clock.GetUtcNow())
            {
                return ApiRequests.Ok(Refusal(ExpiredToken, "Access Token expired or expiration date invalid"));
            }

            return ApiRequests.Ok(new JsonObject
            {
                ["valid"] = true,
                ["code"] = 0,
                ["message"] = null,
                ["expiration"] = claims.Expiration.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
                ["realm_user_id"] = claims.RealmUserId,
                ["identity"] = claims.Identity,
                ["roles"] = new JsonArray([.. claims.Roles.Select(role => JsonValue.Create(role))]),
                ["worker_sid"] = claims.WorkerSid,
            });
        }).AddEndpointFilter(ApiRequests.TwilioLikeAsync).ExcludeFromDescription();
        app.MapFallback($"{SandboxAccount.IamPath}/{{**rest}}", ApiRequests.Unknown).ExcludeFromDescription();
    }

    /// <summary>The body's <c>token</c>: a JSON object with that one string member, as Twilio's validator sends it.</summary>
    private static async Task<string> TokenAsync(HttpRequest request)
    {
        if (!request.HasJsonContentType())
        {
            throw EmulatorException.Invalid("Content-Type", "send the token as application/json");
        }

        JsonObject? body;
        try
        {
            body = await JsonNode.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted) as JsonObject;
        }
        catch (JsonException)
        {
            body = null;
        }

        if (body is null)
        {
            throw EmulatorException.Invalid("body", "must be a JSON object such as {\"token\": \"…\"}");
        }

        var unknown = body.Select(member => member.Key).Where(name => name != "token").ToList();
        if (unknown.Count > 0)
        {
            request.HttpContext.RequestServices.GetRequiredService<EmulatorState>()
                .RecordUnknown($"{request.Method} {request.Path}: unknown body members {string.Join(", ", unknown)} for {Operation}");
            throw EmulatorException.Invalid(unknown[0], $"is not a member of {Operation}");
        }

        return body["token"] is JsonValue value && value.TryGetValue<string>(out var token) && token.Length > 0
            ? token
            : throw EmulatorException.Invalid("token", "must be the token to validate, as a string");
    }

    private static JsonObject Refusal(int code, string message) => new()
    {
        ["valid"] = false,
        ["code"] = code,
        ["message"] = message,
        ["expiration"] = null,
        ["realm_user_id"] = null,
        ["identity"] = null,
        ["roles"] = null,
        ["worker_sid"] = null,
    };
}
