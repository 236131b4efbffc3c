namespace FlexAgentPlugin.Core.Users;

/// <summary>
/// Something a caller sent cannot be used: <see cref="Field"/> names it and <see cref="Detail"/> says what to change.
/// <see cref="Status"/> is the HTTP status a door answers with (400 unless the request as a whole is wrong, e.g. 413).
/// </summary>
public sealed class InvalidInputException(string field, string detail, int status = 400) : Exception(detail)
{
    public string Field { get; } = field;

    public string Detail { get; } = detail;

    public int Status { get; } = status;
}
