using System.Data.Common;

namespace FlexAgentPlugin.Core.State;

/// <summary>
/// Failures of the store itself (the database restarting, unreachable, refusing connections or too slow), whichever
/// store it is: both report them as <see cref="DbException"/>s, or as timeouts.
/// </summary>
public static class StoreFailures
{
    public static bool IsStoreFailure(Exception error) => error is DbException or TimeoutException;
}
