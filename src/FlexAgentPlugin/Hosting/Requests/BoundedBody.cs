namespace FlexAgentPlugin.Hosting.Requests;

/// <summary>A request the server will not read as a whole: too large (413) or of a media type it does not take (415).</summary>
public sealed class RequestRejectedException(int status, string field, string detail) : Exception(detail)
{
    public int Status { get; } = status;

    public string Field { get; } = field;

    public string Detail { get; } = detail;

    public static RequestRejectedException TooLarge(int maxBytes) =>
        new(StatusCodes.Status413PayloadTooLarge, "body", $"The body must be at most {maxBytes / 1024} KB.");

    public static RequestRejectedException MediaType(string detail) => new(StatusCodes.Status415UnsupportedMediaType, "Content-Type", detail);
}

/// <summary>
/// Reads a request body whole, but never more than a limit, whatever the framing: a declared length over the limit is
/// refused before reading, a chunked body as soon as it passes the limit. (Kestrel's own limit is not enforced by every
/// server, the in-memory test server included; this is.)
/// </summary>
public static class BoundedBody
{
    public static async Task<byte[]> ReadAsync(HttpRequest request, int maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            throw RequestRejectedException.TooLarge(maxBytes);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw RequestRejectedException.TooLarge(maxBytes);
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
