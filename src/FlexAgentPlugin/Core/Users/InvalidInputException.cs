namespace FlexAgentPlugin.Core.Users;

/// <summary>Something a caller sent cannot be used: <see cref="Field"/> names it and <see cref="Detail"/> says what to change.</summary>
public sealed class InvalidInputException(string field, string detail) : Exception(detail)
{
    public string Field { get; } = field;

    public string Detail { get; } = detail;
}
