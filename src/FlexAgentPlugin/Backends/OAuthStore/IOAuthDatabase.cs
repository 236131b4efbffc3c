using System.Data.Common;

namespace FlexAgentPlugin.Backends.OAuthStore;

/// <summary>
/// The database the sign-in's rows live in: the server's own store (SQLite, or PostgreSQL with DATABASE_URL). The OAuth
/// stores' SQL is the part both understand (<c>ON CONFLICT</c>, <c>LIMIT</c>, integers for times, JSON as text), so one
/// class per table serves both.
/// </summary>
public interface IOAuthDatabase
{
    /// <summary>Runs <paramref name="query"/> on a connection of the store.</summary>
    Task<T> QueryAsync<T>(Func<DbConnection, Task<T>> query, CancellationToken cancellationToken);

    /// <summary>Runs one write statement (in turn with the store's other writes) and returns how many rows it changed.</summary>
    Task<int> ExecuteAsync(string sql, object parameters, CancellationToken cancellationToken);
}
