using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace FlexAgentPlugin.Sandbox.Emulator;

/// <summary>
/// The emulated Voice API's media streams (<c>/2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}/Streams.json</c>, under
/// <see cref="SandboxAccount.VoicePath"/>) and Sync streams (<c>/v1/Services/{ServiceSid}/Streams</c> and their
/// <c>Messages</c>, under <see cref="SandboxAccount.SyncPath"/>), with Twilio's parameters, auth and error bodies.
/// </summary>
internal static partial class VoiceAndSyncApi
{
    private static readonly string[] CreateStream = ["Url", "Name", "Track", "StatusCallback", "StatusCallbackMethod",
        .. Enumerable.Range(1, 99).SelectMany(i => new[] { $"Parameter{i}.Name", $"Parameter{i}.Value" })];
    private static readonly string[] UpdateStream = ["Status"];
    private static readonly string[] CreateSyncStream = ["UniqueName", "Ttl"];
    private static readonly string[] PublishSync = ["Data"];

    public static void MapVoiceAndSyncApi(this IEndpointRouteBuilder app)
    {
        var calls = app.MapGroup($"{SandboxAccount.VoicePath}/2010-04-01/Accounts/{{accountSid}}/Calls/{{callSid}}")
            .AddEndpointFilter(ApiRequests.TwilioLikeAsync)
            .ExcludeFromDescription();
        calls.MapPost("/Streams.json", async (string accountSid, string callSid, HttpRequest request, EmulatorState state) =>
        {
            Check(accountSid, callSid, request);
            var form = await ApiRequests.FormAsync(request, "create stream", CreateStream);
            var url = form["Url"].ToString();
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("wss" or "ws"))
            {
                throw EmulatorException.Invalid("Url", "must be a wss:// URL");
            }

            var track = ApiRequests.Optional(form, "Track") ?? "inbound_track";
            if (track is not ("inbound_track" or "outbound_track" or "both_tracks"))
            {
                throw EmulatorException.Invalid("Track", "must be inbound_track, outbound_track or both_tracks");
            }

            var stream = state.StartCallStream(callSid, ApiRequests.Optional(form, "Name") ?? "", url, track);
            return ApiRequests.Created(Stream(stream, "in-progress", accountSid));
        });
        calls.MapPost("/Streams/{sid}.json", async (string accountSid, string callSid, string sid, HttpRequest request, EmulatorState state) =>
        {
            Check(accountSid, callSid, request);
            var form = await ApiRequests.FormAsync(request, "update stream", UpdateStream);
            if (form["Status"].ToString() != "stopped")
            {
                throw EmulatorException.Invalid("Status", "must be stopped");
            }

            return ApiRequests.Ok(Stream(state.StopCallStream(callSid, sid), "stopped", accountSid));
        });
        app.MapFallback($"{SandboxAccount.VoicePath}/{{**rest}}", ApiRequests.Unknown).ExcludeFromDescription();

        var sync = app.MapGroup($"{SandboxAccount.SyncPath}/v1/Services/{{serviceSid}}/Streams")
            .AddEndpointFilter(ApiRequests.TwilioLikeAsync)
            .ExcludeFromDescription();
        sync.MapPost("/", async (string serviceSid, HttpRequest request, EmulatorState state) =>
        {
            CheckService(serviceSid);
            var form = await ApiRequests.FormAsync(request, "create Sync stream", CreateSyncStream);
            var name = ApiRequests.Optional(form, "UniqueName") ?? throw EmulatorException.Invalid("UniqueName", "the emulator needs a unique name");
            var sid = state.CreateSyncStream(name);
            return ApiRequests.Created(new JsonObject { ["sid"] = sid, ["unique_name"] = name, ["service_sid"] = serviceSid });
        });
        sync.MapPost("/{stream}/Messages", async (string serviceSid, string stream, HttpRequest request, EmulatorState state) =>
        {
            CheckService(serviceSid);
            var form = await ApiRequests.FormAsync(request, "publish Sync stream message", PublishSync);
            var data = form["Data"].ToString();
            try
            {
                if (JsonNode.Parse(data) is not JsonObject)
                {
                    throw EmulatorException.Invalid("Data", "must be a JSON object");
                }
            }
            catch (JsonException)
            {
                throw EmulatorException.Invalid("Data", "must be a JSON object");
            }

            var message = state.PublishSync(stream, data);
            return ApiRequests.Created(new JsonObject { ["sid"] = message.Sid, ["data"] = JsonNode.Parse(data) });
        });
        app.MapFallback($"{SandboxAccount.SyncPath}/{{**rest}}", ApiRequests.Unknown).ExcludeFromDescription();
    }

    private static void Check(string accountSid, string callSid, HttpRequest request)
    {
        if (accountSid != request.HttpContext.RequestServices.GetRequiredService<SandboxAccount>().AccountSid)
        {
            throw EmulatorException.NotFound($"/Accounts/{accountSid}");
        }

        if (!CallSid().IsMatch(callSid))
        {
            throw EmulatorException.NotFound($"/Calls/{callSid}");
        }
    }

    private static void CheckService(string serviceSid)
    {
        if (!ServiceSid().IsMatch(serviceSid))
        {
            throw EmulatorException.NotFound($"/Services/{serviceSid}");
        }
    }

    private static JsonObject Stream(EmulatedMediaStreamResource stream, string status, string accountSid) => new()
    {
        ["sid"] = stream.Sid,
        ["account_sid"] = accountSid,
        ["call_sid"] = stream.CallSid,
        ["name"] = stream.Name,
        ["status"] = status,
        ["date_updated"] = DateTimeOffset.UtcNow.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        ["uri"] = $"/2010-04-01/Accounts/{accountSid}/Calls/{stream.CallSid}/Streams/{stream.Sid}.json",
    };

    [GeneratedRegex("^CA[0-9a-fA-F]{32}$")]
    private static partial Regex CallSid();

    [GeneratedRegex("^IS[0-9a-fA-F]{32}$")]
    private static partial Regex ServiceSid();
}
