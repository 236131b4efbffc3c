using System.Globalization;
using System.Text.RegularExpressions;

namespace FlexAgentPlugin.Core.Queue;

/// <summary>
/// When agents work, in their time zone: day ranges with hours, then an IANA time zone, e.g.
/// <c>Mon-Fri 09:00-17:00, Sat 10:00-14:00 America/New_York</c> (<c>24:00</c> ends a day at midnight). Parsed once at
/// start; <see cref="NextOpening"/> says when agents are back.
/// </summary>
public sealed partial class BusinessHours
{
    private static readonly string[] Days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

    /// <summary>Per day of the week (Sunday first), the opening intervals as times of day.</summary>
    private readonly List<(TimeSpan From, TimeSpan To)>[] week = [.. Enumerable.Range(0, 7).Select(_ => new List<(TimeSpan, TimeSpan)>())];

    private BusinessHours(TimeZoneInfo zone) => Zone = zone;

    public TimeZoneInfo Zone { get; }

    /// <summary>The setting parsed, or null when it is not in the format (the start stops on it with a sentence).</summary>
    public static BusinessHours? Parse(string? text)
    {
        var trimmed = text?.Trim() ?? "";
        var split = trimmed.LastIndexOf(' ');
        if (split < 0)
        {
            return null;
        }

        TimeZoneInfo zone;
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(trimmed[(split + 1)..]);
        }
        catch (Exception error) when (error is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return null;
        }

        var hours = new BusinessHours(zone);
        foreach (var range in trimmed[..split].Split(',', StringSplitOptions.TrimEntries))
        {
            if (Range().Match(range) is not { Success: true } match
                || Day(match.Groups["first"].Value) is not { } first
                || Day(match.Groups["last"].Success ? match.Groups["last"].Value : match.Groups["first"].Value) is not { } last
                || Time(match.Groups["from"].Value) is not { } from
                || Time(match.Groups["to"].Value) is not { } to
                || from >= to)
            {
                return null;
            }

            for (var day = first; ; day = (day + 1) % 7)
            {
                hours.week[day].Add((from, to));
                if (day == last)
                {
                    break;
                }
            }
        }

        return hours;
    }

    /// <summary>True when <paramref name="now"/> falls within the hours.</summary>
    public bool IsOpen(DateTimeOffset now)
    {
        var local = TimeZoneInfo.ConvertTime(now, Zone);
        return week[(int)local.DayOfWeek].Any(open => local.TimeOfDay >= open.From && local.TimeOfDay < open.To);
    }

    /// <summary>When the hours next begin after <paramref name="now"/> (now itself when open), within the coming week.</summary>
    public DateTimeOffset NextOpening(DateTimeOffset now)
    {
        if (IsOpen(now))
        {
            return now;
        }

        var local = TimeZoneInfo.ConvertTime(now, Zone);
        for (var ahead = 0; ahead <= 7; ahead++)
        {
            var date = local.Date.AddDays(ahead);
            foreach (var open in week[(int)date.DayOfWeek].OrderBy(o => o.From))
            {
                var start = date + open.From;
                var at = new DateTimeOffset(start, Zone.GetUtcOffset(start));
                if (at > now)
                {
                    return at;
                }
            }
        }

        return now;
    }

    private static int? Day(string name)
    {
        var index = Array.FindIndex(Days, d => d.Equals(name, StringComparison.OrdinalIgnoreCase));
        return index < 0 ? null : index;
    }

    private static TimeSpan? Time(string text) =>
        text == "24:00" ? TimeSpan.FromDays(1)
        : TimeSpan.TryParseExact(text, @"hh\:mm", CultureInfo.InvariantCulture, out var time) ? time : null;

    [GeneratedRegex(@"^(?<first>[A-Za-z]{3})(-(?<last>[A-Za-z]{3}))? (?<from>\d\d:\d\d)-(?<to>\d\d:\d\d)$")]
    private static partial Regex Range();
}
