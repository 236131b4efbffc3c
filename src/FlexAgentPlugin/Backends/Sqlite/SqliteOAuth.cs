using System.Data.Common;
using FlexAgentPlugin.Backends.OAuthStore;

namespace FlexAgentPlugin.Backends.Sqlite;

/// <summary>The sign-in's rows (<see cref="IOAuthDatabase"/>): read on pooled connections, written in turn with the store's other writes.</summary>
public sealed partial class SqliteStore : IOAuthDatabase
{
    public async Task<T> QueryAsync<T>(Func<DbConnection, Task<T>> query, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await query(connection);
    }

    public Task<int> ExecuteAsync(string sql, object parameters, CancellationToken cancellationToken) => WriteAsync(sql, parameters, cancellationToken);
}
