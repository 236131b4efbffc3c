using System.Globalization;
using System.Reflection;
using FlexAgentPlugin.Core.Users;

namespace FlexAgentPlugin.Doors.GptAction;

/// <summary>
/// The <c>waitSeconds</c> query parameter of getReplies, bound by minimal APIs (<see cref="BindAsync"/>): absent is 0,
/// otherwise a whole number of seconds, 0 or more. A bad value is the same 400 problem as any input error, naming the field
/// (the framework's own failure would read "Failed to bind parameter").
/// </summary>
public readonly record struct WaitSeconds(int Seconds)
{
    public const string Name = "waitSeconds";

    public TimeSpan Wait => TimeSpan.FromSeconds(Seconds);

    public static ValueTask<WaitSeconds> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        var value = context.Request.Query[parameter.Name ?? Name].ToString();
        if (value.Length == 0)
        {
            return ValueTask.FromResult(new WaitSeconds(0));
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? ValueTask.FromResult(new WaitSeconds(seconds))
            : throw new InvalidInputException(Name, "waitSeconds must be a whole number of seconds, 0 or more.");
    }
}
