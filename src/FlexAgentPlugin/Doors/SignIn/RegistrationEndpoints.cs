using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using FlexAgentPlugin.Core.State;
using FlexAgentPlugin.Hosting.OAuth;
using FlexAgentPlugin.Hosting.Requests;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace FlexAgentPlugin.Doors.SignIn;

/// <summary>
/// <c>POST /oauth/register</c>: RFC 7591 dynamic client registration, for MCP clients (Claude, ChatGPT, VS Code, Cursor)
/// that register themselves. Public clients only (PKCE is their proof), their redirect URIs checked by
/// <see cref="ClientMetadataRules"/>; 20 registrations per client address an hour. The answer is the registered
/// metadata with a fresh <c>dcr_…</c> client_id; a mistake is RFC 7591's error JSON with a sentence.
/// </summary>
internal static class RegistrationEndpoints
{
    public const int MaxBodyBytes = 16 * 1024;
    public const int PerAddressPerHour = 20;

    public static void MapRegistration(this IEndpointRouteBuilder app) =>
        app.MapPost(AuthorizationServer.RegisterPath, RegisterAsync).ExcludeFromDescription().DisableAntiforgery();

    private static async Task<IResult> RegisterAsync(
        HttpContext context, IOpenIddictApplicationManager applications, IRateWindows windows, SignInSettings settings, TimeProvider clock)
    {
        if (await windows.TryTakeAsync($"register:{context.Connection.RemoteIpAddress}", PerAddressPerHour, TimeSpan.FromHours(1), context.RequestAborted) is { } wait)
        {
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Error(StatusCodes.Status429TooManyRequests, "invalid_client_metadata", "Too many registrations from this address; try again later.");
        }

        if (!context.Request.HasJsonContentType())
        {
            return Error(StatusCodes.Status415UnsupportedMediaType, "invalid_client_metadata", "Send the client's metadata as JSON (Content-Type: application/json).");
        }

        JsonObject? document;
        try
        {
            document = JsonNode.Parse(await BoundedBody.ReadAsync(context.Request, MaxBodyBytes, context.RequestAborted)) as JsonObject;
        }
        catch (JsonException)
        {
            document = null;
        }
        catch (RequestRejectedException)
        {
            return Error(StatusCodes.Status413PayloadTooLarge, "invalid_client_metadata", $"The client's metadata must be at most {MaxBodyBytes / 1024} KB.");
        }

        if (document is null)
        {
            return Error(StatusCodes.Status400BadRequest, "invalid_client_metadata", "The body must be a JSON object of client metadata (RFC 7591).");
        }

        var (metadata, error, problem) = ClientMetadataRules.Check(document);
        if (metadata is null)
        {
            return Error(StatusCodes.Status400BadRequest, error!, problem!);
        }

        var clientId = "dcr_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        await applications.CreateAsync(
            ClientDescriptors.Create(settings, clientId, secret: null, metadata.ClientName, metadata.RedirectUris, ClientDoor.Mcp, "dcr", metadata.ApplicationType),
            context.RequestAborted);
        return Results.Json(new JsonObject
        {
            ["client_id"] = clientId,
            ["client_id_issued_at"] = clock.GetUtcNow().ToUnixTimeSeconds(),
            ["client_name"] = metadata.ClientName,
            ["redirect_uris"] = new JsonArray([.. metadata.RedirectUris.Select(u => (JsonNode)u.OriginalString)]),
            ["grant_types"] = new JsonArray(GrantTypes.AuthorizationCode, GrantTypes.RefreshToken),
            ["response_types"] = new JsonArray(ResponseTypes.Code),
            ["token_endpoint_auth_method"] = ClientAuthenticationMethods.None,
            ["application_type"] = metadata.ApplicationType,
            ["scope"] = $"{SignInSettings.AgentScope} {Scopes.OfflineAccess}",
        }, statusCode: StatusCodes.Status201Created);
    }

    private static IResult Error(int status, string error, string description) =>
        Results.Json(new JsonObject { ["error"] = error, ["error_description"] = description }, statusCode: status);
}
