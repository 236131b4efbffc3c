using FlexAgentPlugin.Hosting.Problems;
using Npgsql;

namespace FlexAgentPlugin.Tests;

public sealed class ProblemMappingTests
{
    [Fact]
    public void ADatabaseThatCannotServeInTimeIsA503WithRetryAfterNotA500()
    {
        var (problem, retryAfter) = ProblemMapping.Map(new NpgsqlException("The connection pool has been exhausted", new TimeoutException()));

        Assert.Equal(503, problem?.Status);
        Assert.Contains("DATABASE_URL", problem!.Detail, StringComparison.Ordinal);
        Assert.Equal(ProblemMapping.RetryAfterSeconds, retryAfter);
    }

    [Fact]
    public void AnyOtherDatabaseFailureStaysAServerError()
    {
        var (problem, _) = ProblemMapping.Map(new NpgsqlException("something of our own"));

        Assert.Null(problem);
    }
}
