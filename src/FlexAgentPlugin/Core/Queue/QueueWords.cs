using System.Globalization;

namespace FlexAgentPlugin.Core.Queue;

/// <summary>What a waiting customer is told, in words every door uses alike.</summary>
public static class QueueWords
{
    /// <summary>"You are 3rd in line; an agent usually answers within about 4 minutes."</summary>
    public static string Place(QueuePlace place)
    {
        var where = place.Position == 1 ? "You are next in line" : $"You are {Ordinal(place.Position)} in line";
        return place.ExpectedWaitSeconds switch
        {
            null => where + ".",
            < 60 => where + "; an agent should answer within a minute.",
            { } seconds => $"{where}; an agent usually answers within about {Duration(seconds)}.",
        };
    }

    /// <summary>"No agent is available right now; agents are back Monday 09:00 (America/New_York), in about 14 hours."</summary>
    public static string Away(DateTimeOffset? backAt, string? timeZone, DateTimeOffset now) => backAt is { } back
        ? $"No agent is available right now; agents are back {back.ToString("dddd HH:mm", CultureInfo.InvariantCulture)} ({timeZone}), in about {Duration((int)Math.Ceiling((back - now).TotalSeconds))}."
        : "No agent is available right now; one will answer as soon as an agent is back.";

    /// <summary>"4 minutes", "1 minute", "2 hours", rounded up to the minute (to the hour past 90 minutes).</summary>
    public static string Duration(int seconds)
    {
        var minutes = Math.Max(1, (seconds + 59) / 60);
        if (minutes <= 90)
        {
            return minutes == 1 ? "1 minute" : $"{minutes} minutes";
        }

        var hours = (minutes + 30) / 60;
        return hours == 1 ? "1 hour" : $"{hours} hours";
    }

    private static string Ordinal(int n) => (n % 100) switch
    {
        11 or 12 or 13 => $"{n}th",
        _ => (n % 10) switch
        {
            1 => $"{n}st",
            2 => $"{n}nd",
            3 => $"{n}rd",
            _ => $"{n}th",
        },
    };
}
