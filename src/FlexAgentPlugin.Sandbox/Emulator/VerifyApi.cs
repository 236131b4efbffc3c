using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace FlexAgentPlugin.Sandbox.Emulator;

/// <summary>
/// The emulated Verify API (<c>/v2/Services/{ServiceSid}/Verifications</c> and <c>/VerificationCheck</c>, under
/// <see cref="SandboxAccount.VerifyPath"/>), with Twilio's parameters, auth, errors and JSON. Nothing is sent: the
/// console shows each code under a heading that says so.
/// </summary>
internal static partial class VerifyApi
{
    private static readonly string[] CreateVerification = ["To", "Channel", "CustomFriendlyName", "CustomMessage", "SendDigits", "Locale", "CustomCode",
        "Amount", "Payee", "RateLimits", "ChannelConfiguration", "AppHash", "TemplateSid", "TemplateCustomSubstitutions", "DeviceIp",
        "EnableSnaClientToken", "RiskCheck", "Tags"];
    private static readonly string[] CreateCheck = ["Code", "To", "VerificationSid", "Amount", "Payee", "SnaClientToken"];
    private static readonly string[] PhoneChannels = ["sms", "whatsapp", "call"];

    public static void MapVerifyApi(this IEndpointRouteBuilder app)
    {
        var service = app.MapGroup($"{SandboxAccount.VerifyPath}/v2/Services/{{serviceSid}}")
            .AddEndpointFilter(ApiRequests.TwilioLikeAsync)
            .ExcludeFromDescription();
        service.MapPost("/Verifications", async (string serviceSid, HttpRequest request, EmulatorState state) =>
        {
            CheckService(serviceSid);
            var form = await ApiRequests.FormAsync(request, "create verification", CreateVerification);
            var to = ApiRequests.Optional(form, "To") ?? throw Invalid("To");
            var channel = ApiRequests.Optional(form, "Channel") ?? throw Invalid("Channel");
            var valid = channel switch
            {
                "email" => Email().IsMatch(to),
                _ when PhoneChannels.Contains(channel) => Phone().IsMatch(to),
                _ => throw Invalid("Channel"),
            };
            if (!valid)
            {
                throw Invalid("To");
            }

            return ApiRequests.Created(Verification(state.SendVerification(to, channel), Api.For(request, SandboxAccount.VerifyPath), serviceSid));
        });
        service.MapPost("/VerificationCheck", async (string serviceSid, HttpRequest request, EmulatorState state) =>
        {
            CheckService(serviceSid);
            var form = await ApiRequests.FormAsync(request, "create verification check", CreateCheck);
            var to = ApiRequests.Optional(form, "To") ?? throw EmulatorException.Invalid("To", "the emulator checks codes by To");
            var code = ApiRequests.Optional(form, "Code") ?? throw Invalid("Code");
            var checkedCode = state.CheckVerification(to, code);
            var api = Api.For(request, SandboxAccount.VerifyPath);
            return ApiRequests.Ok(new JsonObject
            {
                ["sid"] = checkedCode.Sid,
                ["service_sid"] = serviceSid,
                ["account_sid"] = api.AccountSid,
                ["to"] = checkedCode.To,
                ["channel"] = checkedCode.Channel,
                ["status"] = checkedCode.Status == "approved" ? "approved" : "pending",
                ["valid"] = checkedCode.Status == "approved",
                ["amount"] = null,
                ["payee"] = null,
                ["date_created"] = TwilioJson.Date(checkedCode.Created),
                ["date_updated"] = TwilioJson.Date(checkedCode.Updated),
                ["sna_attempts_error_codes"] = new JsonArray(),
            });
        });
        app.MapFallback($"{SandboxAccount.VerifyPath}/{{**rest}}", ApiRequests.Unknown).ExcludeFromDescription();
    }

    private static JsonObject Verification(EmulatedVerification v, Api api, string serviceSid) => new()
    {
        ["sid"] = v.Sid,
        ["service_sid"] = serviceSid,
        ["account_sid"] = api.AccountSid,
        ["to"] = v.To,
        ["channel"] = v.Channel,
        ["status"] = v.Status,
        ["valid"] = false,
        ["lookup"] = new JsonObject(),
        ["amount"] = null,
        ["payee"] = null,
        ["send_code_attempts"] = new JsonArray([.. Enumerable.Range(0, v.Sends).Select(_ => (JsonNode)new JsonObject { ["channel"] = v.Channel })]),
        ["date_created"] = TwilioJson.Date(v.Created),
        ["date_updated"] = TwilioJson.Date(v.Updated),
        ["sna"] = null,
        ["url"] = $"{api.BaseUrl}/v2/Services/{serviceSid}/Verifications/{v.Sid}",
    };

    private static void CheckService(string serviceSid)
    {
        if (serviceSid != SandboxAccount.VerifyServiceSid)
        {
            throw EmulatorException.NotFound($"/v2/Services/{serviceSid}");
        }
    }

    /// <summary>Verify's "Invalid parameter" (60200), its answer to a To it cannot send to.</summary>
    private static EmulatorException Invalid(string parameter) =>
        new(System.Net.HttpStatusCode.BadRequest, 60200, $"Invalid parameter `{parameter}`");

    [GeneratedRegex(@"^\+[1-9][0-9]{6,14}$")]
    private static partial Regex Phone();

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    private static partial Regex Email();
}
