using System.Xml.Linq;
using Dapper;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Data.Sqlite;

namespace FlexAgentPlugin.Backends.Sqlite;

/// <summary>ASP.NET Core's data-protection keys (<see cref="IXmlRepository"/>): one row per key or revocation, as written.</summary>
public sealed partial class SqliteStore : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        return [.. connection.Query<string>("SELECT xml FROM data_protection_keys ORDER BY id").Select(xml => XElement.Parse(xml))];
    }

    /// <summary>Called rarely (a new key every 90 days), on a background thread: it waits for its turn among the writes.</summary>
    public void StoreElement(XElement element, string friendlyName) =>
        WriteAsync("INSERT INTO data_protection_keys (friendly_name, xml, created_at) VALUES (@friendlyName, @xml, @now)",
            new { friendlyName, xml = element.ToString(SaveOptions.DisableFormatting), now = Now() }, CancellationToken.None).GetAwaiter().GetResult();
}
