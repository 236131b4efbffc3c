using System.Globalization;
using System.Threading.RateLimiting;
using FlexAgentPlugin.Configuration;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Access;

/// <summary>
/// The API's front door: the optional bearer token, and rate limits per username and per client address
/// (429 with Retry-After). A proxy on this machine (ngrok's agent, a sidecar) may name the client address
/// with X-Forwarded-For.
/// </summary>
public static partial class AccessSetup
{
    public static IServiceCollection AddAccess(this IServiceCollection services)
    {
        services.AddOptions<AccessOptions>()
            .BindEnvironment()
            .Validate(o => o.PerUserPerMinute is >= 1 and <= 100_000, "RATE_LIMIT_PER_USER must be a whole number of calls per minute, 1 or more.")
            .Validate(o => o.PerAddressPerMinute is >= 1 and <= 1_000_000, "RATE_LIMIT_PER_ADDRESS must be a whole number of calls per minute, 1 or more.")
            .Validate(o => string.IsNullOrEmpty(o.BearerToken) || o.BearerToken.Trim().Length >= 16,
                "PLUGIN_BEARER_TOKEN must be at least 16 characters (e.g. openssl rand -hex 32).")
            .ValidateOnStart();

        services.Configure<ForwardedHeadersOptions>(o => o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto);
        services.AddRateLimiter(limiter =>
        {
            // Two independent limits, both must allow a call: one per username, one per client address.
            limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(context => IsApi(context)
                    ? RateLimitPartition.GetFixedWindowLimiter(context.Request.RouteValues["username"] as string ?? "", _ => PerMinute(Limits(context).PerUserPerMinute))
                    : RateLimitPartition.GetNoLimiter("")),
                PartitionedRateLimiter.Create<HttpContext, string>(context => IsApi(context)
                    ? RateLimitPartition.GetFixedWindowLimiter(Address(context), _ => PerMinute(Limits(context).PerAddressPerMinute))
                    : RateLimitPartition.GetNoLimiter("")));
            limiter.OnRejected = RejectAsync;
        });
        return services;
    }

    /// <summary>The API endpoints (/send, /replies) share the bearer check and the rate limits.</summary>
    public static RouteGroupBuilder MapApi(this IEndpointRouteBuilder app, string tag) =>
        app.MapGroup("")
            .WithTags(tag)
            .WithMetadata(ApiEndpoint.Instance)
            .AddEndpointFilter(CallerAuth.RequireTokenAsync);

    /// <summary>Says at start whether the API is open to anyone who finds the URL.</summary>
    public static void WarnWhenOpen(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<AccessOptions>>().Value.RequiresToken)
        {
            ApiIsOpen(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AccessSetup)));
        }
    }

    private static bool IsApi(HttpContext context) => context.GetEndpoint()?.Metadata.GetMetadata<ApiEndpoint>() is not null;

    private static AccessOptions Limits(HttpContext context) => context.RequestServices.GetRequiredService<IOptions<AccessOptions>>().Value;

    private static string Address(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var http = rejected.HttpContext;
        var seconds = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)) : 60;
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many requests",
                Detail = $"Too many calls for this username or address. Try again in {seconds} seconds.",
            },
        });
    }

    private static FixedWindowRateLimiterOptions PerMinute(int permits) => new()
    {
        PermitLimit = permits,
        Window = TimeSpan.FromMinutes(1),
        QueueLimit = 0,
    };

    /// <summary>Marks the endpoints the API's limits apply to.</summary>
    private sealed class ApiEndpoint
    {
        public static readonly ApiEndpoint Instance = new();
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "PLUGIN_BEARER_TOKEN is not set: /send and /replies are open to anyone who can reach this server.")]
    private static partial void ApiIsOpen(ILogger logger);
}
