using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using DotNetEnv;
using DotNetEnv.Configuration;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Configuration;

/// <summary>Which <c>.env</c> file the settings came from, if any, and the names it sets, for the start-up report.</summary>
public sealed record EnvironmentFile(string? LoadedPath, string LookedFor, IReadOnlyList<string> Names);

/// <summary>
/// Settings come from environment variables (the original plugin's names) and an optional <c>.env</c> file in the
/// working directory (<c>dotnet run</c> runs the server in the repository's root). Real environment variables and
/// command-line arguments win over <c>.env</c>, so a container or CI run can override a developer's file.
/// </summary>
public static class EnvironmentSettings
{
    public const string DefaultUrl = "http://localhost:5002";

    private const string AspNetCorePrefix = "ASPNETCORE_";

    public static WebApplicationBuilder AddEnvironmentSettings(this WebApplicationBuilder builder, string[] args)
    {
        var path = Path.Combine(Directory.GetCurrentDirectory(), ".env");
        var loaded = File.Exists(path);
        IReadOnlyList<string> names = loaded ? EnvFile.Names(path) : [];
        if (loaded)
        {
            builder.Configuration.AddDotNetEnv(path, new LoadOptions(setEnvVars: false, clobberExistingVars: false, onlyExactPath: true));

            // As in the environment, ASPNETCORE_URLS and its kin in .env name the listening address (urls, http_ports).
            var listening = names
                .Where(name => name.StartsWith(AspNetCorePrefix, StringComparison.OrdinalIgnoreCase))
                .Select(name => new KeyValuePair<string, string?>(name[AspNetCorePrefix.Length..], builder.Configuration[name]))
                .ToList();
            builder.Configuration.AddInMemoryCollection(listening);
        }

        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddEnvironmentVariables(AspNetCorePrefix);
        builder.Configuration.AddCommandLine(args);
        builder.Services.AddSingleton(new EnvironmentFile(loaded ? path : null, path, names));

        // The original listened on 5002; --urls, ASPNETCORE_URLS and ASPNETCORE_HTTP_PORTS still decide when given.
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["http_ports"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        // A start that fails is explained in one sentence (StartFailures); the host's own error log would repeat it
        // with a stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        return builder;
    }

    /// <summary>
    /// Binds the options from the variables named by each property's <see cref="ConfigurationKeyNameAttribute"/>.
    /// A value that cannot be converted (a word where a number belongs) fails validation with a sentence
    /// naming the variable instead of the binder's exception.
    /// </summary>
    public static OptionsBuilder<T> BindEnvironment<T>(this OptionsBuilder<T> builder) where T : class =>
        builder.Configure<IConfiguration>((options, configuration) =>
        {
            var failures = UnconvertibleValues<T>(configuration).ToList();
            if (failures.Count > 0)
            {
                throw new OptionsValidationException(typeof(T).Name, typeof(T), failures);
            }

            configuration.Bind(options);
        });

    /// <summary>
    /// The options bound from the environment, for a choice made while the services are composed (which store, whether
    /// to export telemetry). A value that cannot be converted is left unbound: the options' validation at start names it.
    /// </summary>
    public static T ReadEnvironment<T>(this IConfiguration configuration) where T : class, new()
    {
        var options = new T();
        if (!UnconvertibleValues<T>(configuration).Any())
        {
            configuration.Bind(options);
        }

        return options;
    }

    private static IEnumerable<string> UnconvertibleValues<T>(IConfiguration configuration)
    {
        foreach (var property in typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var key = property.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name;
            var raw = key is null ? null : configuration[key];
            if (key is null || string.IsNullOrWhiteSpace(raw))
            {
                continue;
            }

            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (type == typeof(string))
            {
                continue;
            }

            var converter = TypeDescriptor.GetConverter(type);
            var valid = false;
            try
            {
                valid = converter.ConvertFromString(null, CultureInfo.InvariantCulture, raw.Trim()) is not null;
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or NotSupportedException or OverflowException)
            {
                valid = false;
            }

            if (!valid)
            {
                yield return $"{key} must be {Describe(type)}, but it is '{raw}'.";
            }
        }
    }

    private static string Describe(Type type) =>
        type == typeof(bool) ? "true or false"
        : type == typeof(int) || type == typeof(long) ? "a whole number"
        : "a number";
}
