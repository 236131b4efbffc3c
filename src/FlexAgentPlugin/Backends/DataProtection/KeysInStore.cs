using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace FlexAgentPlugin.Backends.DataProtection;

/// <summary>
/// ASP.NET Core's data-protection keys (what cookies and protected values are sealed with) kept in the store, so they
/// survive a restart and every instance on the store shares them; the application name is fixed for the same reason
/// (by default it is the install folder, which differs between hosts).
/// </summary>
public static class KeysInStore
{
    public const string ApplicationName = "FlexAgentPlugin";

    /// <summary>Keeps the keys in <typeparamref name="TStore"/>, registered before this call.</summary>
    public static IServiceCollection AddKeysInStore<TStore>(this IServiceCollection services) where TStore : class, IXmlRepository
    {
        services.AddDataProtection().SetApplicationName(ApplicationName);

        // The keys sit in the database beside the rows they protect, as written (no certificate or key vault to seal
        // them with): whoever can read the database can read them, so the database and its backups are kept as secrets.
        // Saying so here is what keeps ASP.NET Core from warning about it at every new key.
        services.AddOptions<KeyManagementOptions>().Configure<TStore>((options, store) =>
        {
            options.XmlRepository = store;
            options.XmlEncryptor = new NullXmlEncryptor();
        });
        return services;
    }
}
