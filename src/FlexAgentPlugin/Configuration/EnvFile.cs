using System.Text.RegularExpressions;
using DotNetEnv;

namespace FlexAgentPlugin.Configuration;

/// <summary>
/// Checks a <c>.env</c> file before it becomes configuration, so a syntax error is told by its line number and the name
/// on that line, never with the parser's message, which quotes the text around the error (the secrets in the file).
/// </summary>
public static partial class EnvFile
{
    /// <summary>The names the file sets, in order; a file that does not parse stops the start naming its line.</summary>
    public static IReadOnlyList<string> Names(string path)
    {
        var text = File.ReadAllText(path);
        if (TryParse(text) is { } names)
        {
            return names;
        }

        var lines = text.Split('\n');
        var line = FirstBadLine(lines);
        var name = NameOn(lines[line - 1]) is { } found ? $"the line that sets {found}" : "a line that does not start with NAME=";
        throw new StartFailureException(
            $"The settings file {path} has a line that is not NAME=value: line {line}, {name}. A value with quotes, spaces or # "
            + "goes in single quotes (NAME='value'); fix or remove that line.");
    }

    /// <summary>The line that breaks the file: the one after the longest run of whole lines from the top that parses.</summary>
    private static int FirstBadLine(string[] lines)
    {
        var parsed = 0;
        for (var count = 1; count <= lines.Length; count++)
        {
            if (TryParse(string.Join('\n', lines[..count])) is not null)
            {
                parsed = count;
            }
        }

        return Math.Min(parsed + 1, lines.Length);
    }

    private static List<string>? TryParse(string text)
    {
        try
        {
            return [.. Env.LoadContents(text, new LoadOptions(setEnvVars: false, clobberExistingVars: false, onlyExactPath: true)).Select(pair => pair.Key)];
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The parser's message quotes the file's text; only whether it parsed matters here.
            return null;
        }
    }

    private static string? NameOn(string line) => NameAtStart().Match(line) is { Success: true } match ? match.Groups["name"].Value : null;

    [GeneratedRegex(@"^\s*(export\s+)?(?<name>[A-Za-z_][A-Za-z0-9_]*)\s*=")]
    private static partial Regex NameAtStart();
}
