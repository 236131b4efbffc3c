using System.Xml.Linq;
using Dapper;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace FlexAgentPlugin.Backends.Postgres;

/// <summary>ASP.NET Core's data-protection keys (<see cref="IXmlRepository"/>), shared by every instance: one row per key or revocation, as written.</summary>
public sealed partial class PostgresStore : IXmlRepository
{
    /// <summary>Read at start and when the key ring is refreshed, on a background thread (the interface is synchronous).</summary>
    public IReadOnlyCollection<XElement> GetAllElements() =>
        [.. RunAsync(c => c.QueryAsync<string>("SELECT xml FROM data_protection_keys ORDER BY id")).GetAwaiter().GetResult().Select(xml => XElement.Parse(xml))];

    public void StoreElement(XElement element, string friendlyName) =>
        ExecuteAsync("INSERT INTO data_protection_keys (friendly_name, xml, created_at) VALUES (@friendlyName, @xml, @now)",
            new { friendlyName, xml = element.ToString(SaveOptions.DisableFormatting), now = clock.GetUtcNow() }, CancellationToken.None).GetAwaiter().GetResult();
}
