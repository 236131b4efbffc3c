using System.Text.RegularExpressions;
using FlexAgentPlugin.Hosting.Access;
using Microsoft.AspNetCore.HttpLogging;

namespace FlexAgentPlugin.Hosting.Logging;

/// <summary>
/// One log line per request (method, path, query, status, duration, and the caller once authenticated) with secrets
/// blanked out of the query: a <c>?token=</c>, and any parameter named like a secret (or like an identity that guards). The host's own request lines, which print the raw URL, are
/// off; so are the log scope and activity the host would otherwise give every request (a waiting request keeps
/// them alive), unless tracing listens.
/// </summary>
public static partial class RequestLogging
{
    public static IServiceCollection AddRequestLogging(this IServiceCollection services)
    {
        services.AddHttpLogging(options =>
        {
            options.LoggingFields = HttpLoggingFields.RequestMethod | HttpLoggingFields.RequestPath | HttpLoggingFields.RequestQuery
                | HttpLoggingFields.ResponseStatusCode | HttpLoggingFields.Duration;
            options.CombineLogs = true;
        });
        services.AddHttpLoggingInterceptor<SecretRedaction>();
        services.AddLogging(logging => logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None));
        return services;
    }

    /// <summary>The query string with the value of every secret-looking parameter replaced by <c>[redacted]</c>.</summary>
    public static string Redact(string query) => SecretParameter().Replace(query, "${name}=[redacted]");

    [GeneratedRegex(@"(?<name>(?<=[?&])[^=&]*(?:token|secret|password|passwd|key|signature|sig|auth|credential|code|identity)[^=&]*)=[^&]*", RegexOptions.IgnoreCase)]
    private static partial Regex SecretParameter();

    private sealed class SecretRedaction : IHttpLoggingInterceptor
    {
        public ValueTask OnRequestAsync(HttpLoggingInterceptorContext logContext)
        {
            var query = logContext.HttpContext.Request.QueryString.Value;
            if (!string.IsNullOrEmpty(query) && logContext.TryDisable(HttpLoggingFields.RequestQuery))
            {
                logContext.AddParameter(nameof(HttpRequest.QueryString), Redact(query));
            }

            return default;
        }

        /// <summary>Who called, once authentication named them: a Flex agent (with its worker SID), a key's name, Twilio.</summary>
        public ValueTask OnResponseAsync(HttpLoggingInterceptorContext logContext)
        {
            var user = logContext.HttpContext.User;
            if (user.Identity is { IsAuthenticated: true, Name: { } name })
            {
                logContext.AddParameter("Caller", name);
                if (user.FindFirst(FlexSignIn.WorkerSidClaim)?.Value is { } workerSid)
                {
                    logContext.AddParameter("WorkerSid", workerSid);
                }
            }

            return default;
        }
    }
}
