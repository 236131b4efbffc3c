using FlexAgentPlugin.Core.Callbacks;
using FlexAgentPlugin.Hosting.Access;
using FlexAgentPlugin.Hosting.OAuth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Doors.PluginFiles;

/// <summary>
/// What ChatGPT (or a GPT Action import) reads to learn the API: the manifest, openapi.yaml, the logo
/// and the legal page, plus Swagger UI for people trying the API by hand. Browsers on ChatGPT's origins may call us.
/// </summary>
public static class PluginFilesEndpoints
{
    public const string CorsPolicy = "ChatGPT";

    private static readonly string[] ChatGptOrigins = ["https://chat.openai.com", "https://chatgpt.com"];

    /// <summary>
    /// Swagger UI plugins (JavaScript it evaluates): no top bar, and the one document loaded at start (Swagger UI loads a
    /// <c>url</c> itself only when no <c>urls</c> list is given, and Swashbuckle always gives one).
    /// </summary>
    private static readonly string[] SwaggerUiPlugins =
        ["() => ({ components: { Topbar: () => null }, afterLoad: (system) => { system.specActions.updateUrl('/openapi.yaml'); system.specActions.download('/openapi.yaml'); } })"];

    public static IServiceCollection AddPluginFiles(this IServiceCollection services)
    {
        services.AddSingleton<PluginFileStore>();
        services.AddCors(cors => cors.AddPolicy(CorsPolicy, policy => policy
            .WithOrigins(ChatGptOrigins)
            .AllowAnyHeader()
            .AllowAnyMethod()));
        return services;
    }

    public static IEndpointRouteBuilder MapPluginFiles(this IEndpointRouteBuilder app)
    {
        app.MapGet("/.well-known/ai-plugin.json", (HttpRequest request, PluginFileStore files, IOptions<PublicUrlOptions> options, IOptions<AccessOptions> access, SignInSettings signIn) =>
            TypedResults.Text(files.Manifest(BaseUrl(request, options.Value), access.Value, signIn), "application/json"));

        app.MapGet("/openapi.yaml", ServeOpenApi);
        app.MapGet("/", ServeOpenApi);

        app.MapGet("/logo.png", (PluginFileStore files) => TypedResults.Bytes(files.Logo, "image/png"));
        app.MapGet("/legal", (PluginFileStore files) => TypedResults.Text(files.Legal, "text/plain; charset=utf-8"));
        return app;
    }

    /// <summary>
    /// Swagger UI at <c>/swagger</c>, showing the same openapi.yaml ChatGPT reads. There is one document, so it is
    /// loaded directly and the top bar (whose only use would be a definition drop-down) is left out.
    /// </summary>
    public static IApplicationBuilder UsePluginSwaggerUi(this IApplicationBuilder app) =>
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/swagger"), swagger => swagger.UseSwaggerUI(ui =>
        {
            ui.RoutePrefix = "swagger";
            ui.DocumentTitle = "FlexAgentPlugin API";
            ui.ConfigObject.Urls = [];
            ui.ConfigObject.AdditionalItems["plugins"] = SwaggerUiPlugins;
        }));

    private static ContentHttpResult ServeOpenApi(
        HttpRequest request, PluginFileStore files, IOptions<PublicUrlOptions> options, IOptions<AccessOptions> access, SignInSettings signIn) =>
        TypedResults.Text(files.OpenApi(BaseUrl(request, options.Value), access.Value, signIn), "text/yaml; charset=utf-8");

    /// <summary>The configured public base URL, or the request's own.</summary>
    private static string BaseUrl(HttpRequest request, PublicUrlOptions options) =>
        options.ConfiguredBaseUrl ?? $"{request.Scheme}://{request.Host}{request.PathBase}";
}
