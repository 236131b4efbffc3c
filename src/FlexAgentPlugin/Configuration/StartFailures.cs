using Microsoft.AspNetCore.Connections;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Configuration;

/// <summary>A start that cannot go on, with the one sentence that says what to change.</summary>
public sealed class StartFailureException(string sentence) : Exception(sentence);

/// <summary>
/// Turns what stops a start (a malformed setting, a broken <c>.env</c>, a port already taken) into sentences a person
/// can act on, printed instead of a stack trace. Anything else is not explained here and ends the process as usual.
/// </summary>
public static partial class StartFailures
{
    public static IReadOnlyList<string> Explain(Exception ex) => ex switch
    {
        StartFailureException start => [start.Message],
        OptionsValidationException validation => [.. validation.Failures.Distinct()],
        AggregateException aggregate => [.. aggregate.InnerExceptions.SelectMany(Explain).Distinct()],
        IOException { InnerException: AddressInUseException } taken => [AddressTaken(taken.Message)],
        _ => [],
    };

    private static string AddressTaken(string message)
    {
        var address = BoundAddress().Match(message) is { Success: true } match ? match.Groups["address"].Value : "the address";
        return $"{address} is already in use by another program: stop it, or start this server on another address with --urls (for example --urls http://localhost:5003).";
    }

    [GeneratedRegex(@"bind to address (?<address>\S+?):? address already in use", RegexOptions.IgnoreCase)]
    private static partial Regex BoundAddress();
}
