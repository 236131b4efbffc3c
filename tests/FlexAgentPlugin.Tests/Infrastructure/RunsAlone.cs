namespace FlexAgentPlugin.Tests.Infrastructure;

/// <summary>
/// For tests that watch SQLite's files: other tests' factories clear the process-wide connection pool when
/// they finish, which would checkpoint the write-ahead log under the watching test. These run by themselves.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "Runs alone";
}
