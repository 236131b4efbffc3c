using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FlexAgentPlugin.Sandbox.Emulator;

/// <summary>Where the emulated API answers for a request, for the <c>url</c> fields of its answers, and its account.</summary>
public sealed record Api(string BaseUrl, string AccountSid)
{
    public static Api For(HttpRequest request, string path) =>
        new($"{request.Scheme}://{request.Host}{request.PathBase}{path}", request.HttpContext.RequestServices.GetRequiredService<SandboxAccount>().AccountSid);
}

/// <summary>
/// What every emulated Twilio endpoint shares: Basic auth checked as Twilio checks it, Twilio's error body for every
/// <see cref="EmulatorException"/>, and strictness: a form or query parameter the real API does not define is answered
/// with an error and recorded in <see cref="EmulatorState.UnknownRequests"/>, so a test fails on it.
/// </summary>
internal static class ApiRequests
{
    public static async ValueTask<object?> TwilioLikeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var account = http.RequestServices.GetRequiredService<SandboxAccount>();
        if (!AuthenticationHeaderValue.TryParse(http.Request.Headers.Authorization, out var header)
            || !string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase)
            || header.Parameter is null
            || !account.Accepts(header.Parameter))
        {
            return Fault(new EmulatorException(HttpStatusCode.Unauthorized, 20003, "Authenticate"));
        }

        http.RequestServices.GetRequiredService<EmulatorState>().CountRestRequest();
        try
        {
            return await next(context);
        }
        catch (EmulatorException fault)
        {
            return Fault(fault);
        }
    }

    /// <summary>The form body, after checking that Twilio's API defines every parameter in it for this operation.</summary>
    public static async Task<IFormCollection> FormAsync(HttpRequest request, string operation, IReadOnlyCollection<string> allowed)
    {
        IFormCollection form;
        if (request.HasFormContentType)
        {
            form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
        }
        else if (request.ContentLength is null or 0)
        {
            form = FormCollection.Empty;
        }
        else
        {
            throw EmulatorException.Invalid("Content-Type", "send the parameters as application/x-www-form-urlencoded");
        }

        Strict(request, operation, "form parameter", form.Keys, allowed);
        return form;
    }

    /// <summary>Checks the query string against the parameters Twilio defines for this list operation.</summary>
    public static void StrictQuery(HttpRequest request, string operation, IReadOnlyCollection<string> allowed) =>
        Strict(request, operation, "query parameter", request.Query.Keys, allowed);

    public static string? Optional(IFormCollection form, string name) => form[name].ToString() is { Length: > 0 } value ? value : null;

    /// <summary>Attributes must be a JSON document, as Twilio requires.</summary>
    public static string? JsonAttributes(IFormCollection form)
    {
        var attributes = Optional(form, "Attributes");
        if (attributes is not null)
        {
            try
            {
                _ = JsonNode.Parse(attributes);
            }
            catch (System.Text.Json.JsonException)
            {
                throw EmulatorException.Invalid("Attributes", "must be valid JSON");
            }
        }

        return attributes;
    }

    public static int Number(HttpRequest request, string name, int fallback)
    {
        var raw = request.Query[name].ToString();
        if (raw.Length == 0)
        {
            return fallback;
        }

        return int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw EmulatorException.Invalid(name, "must be a whole number");
    }

    /// <summary>The X-Twilio-Webhook-Enabled header: true, false or absent.</summary>
    public static bool WebhookEnabled(HttpRequest request)
    {
        var header = request.Headers["X-Twilio-Webhook-Enabled"].ToString();
        return header switch
        {
            "" or "false" => false,
            "true" => true,
            _ => throw EmulatorException.Invalid("X-Twilio-Webhook-Enabled", "must be true or false"),
        };
    }

    /// <summary>A request the emulator has no route for: recorded, and answered with Twilio's 404.</summary>
    public static JsonHttpResult<JsonObject> Unknown(HttpContext context)
    {
        context.RequestServices.GetRequiredService<EmulatorState>().RecordUnknown($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString}: no such resource or method");
        return Fault(EmulatorException.NotFound(context.Request.Path));
    }

    public static JsonHttpResult<JsonObject> Ok(JsonObject body) => TypedResults.Json(body);

    public static JsonHttpResult<JsonObject> Created(JsonObject body) => TypedResults.Json(body, statusCode: StatusCodes.Status201Created);

    private static JsonHttpResult<JsonObject> Fault(EmulatorException fault) =>
        TypedResults.Json(TwilioJson.Error(fault), statusCode: (int)fault.Status);

    private static void Strict(HttpRequest request, string operation, string kind, IEnumerable<string> given, IReadOnlyCollection<string> allowed)
    {
        var unknown = given.Where(name => !allowed.Contains(name)).ToList();
        if (unknown.Count == 0)
        {
            return;
        }

        request.HttpContext.RequestServices.GetRequiredService<EmulatorState>()
            .RecordUnknown($"{request.Method} {request.Path}: unknown {kind}s {string.Join(", ", unknown)} for {operation}");
        throw EmulatorException.Invalid(unknown[0], $"is not a {kind} of {operation}");
    }
}
