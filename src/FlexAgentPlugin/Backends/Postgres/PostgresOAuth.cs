using System.Data.Common;
using FlexAgentPlugin.Backends.OAuthStore;

namespace FlexAgentPlugin.Backends.Postgres;

/// <summary>
/// The sign-in's rows (<see cref="IOAuthDatabase"/>), shared by every instance. A write's answer says who won a
/// compare-and-set, so it is retried only when it surely did not take effect.
/// </summary>
public sealed partial class PostgresStore : IOAuthDatabase
{
    public Task<T> QueryAsync<T>(Func<DbConnection, Task<T>> query, CancellationToken cancellationToken) => RunAsync(connection => query(connection));

    Task<int> IOAuthDatabase.ExecuteAsync(string sql, object parameters, CancellationToken cancellationToken) =>
        ExecuteAsync(sql, parameters, cancellationToken, answerMatters: true);
}
