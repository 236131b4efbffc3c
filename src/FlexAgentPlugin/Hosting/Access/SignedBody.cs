using System.Net;
using System.Text;
using FlexAgentPlugin.Hosting.Requests;

namespace FlexAgentPlugin.Hosting.Access;

/// <summary>
/// A request body as Twilio signs it: the raw bytes and, for a form, its name/value pairs. It is read once (by the
/// signature check), at most <see cref="MaxBytes"/> whatever the framing (chunked included), and parsed only as far
/// as the signature needs: no field count or key length limits to trip over, no charset but UTF-8.
/// </summary>
public sealed record SignedBody(byte[] Bytes, IReadOnlyList<KeyValuePair<string, string>> Form, bool IsForm)
{
    /// <summary>Twilio's webhooks and tool calls are far smaller.</summary>
    public const int MaxBytes = 64 * 1024;

    public string? this[string name] => Form.FirstOrDefault(p => p.Key == name).Value;

    public static async Task<SignedBody> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var isForm = IsMediaType(request, "application/x-www-form-urlencoded");
        var bytes = await BoundedBody.ReadAsync(request, MaxBytes, cancellationToken);
        if (bytes.Length > 0 && !isForm && !IsMediaType(request, "application/json"))
        {
            throw RequestRejectedException.MediaType("Send the body as application/x-www-form-urlencoded (as Twilio does) or as application/json, in UTF-8.");
        }

        return new SignedBody(bytes, isForm ? ParseForm(bytes) : [], isForm);
    }

    /// <summary>True for the media type with no charset or UTF-8; other charsets are refused.</summary>
    private static bool IsMediaType(HttpRequest request, string mediaType)
    {
        if (!Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            || !type.MediaType.Equals(mediaType, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (type.Charset.Length == 0 || type.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        throw RequestRejectedException.MediaType($"The body must be UTF-8, not {type.Charset}.");
    }

    /// <summary>name=value pairs separated by &amp;, percent- and plus-decoded; malformed escapes are kept as they are.</summary>
    private static List<KeyValuePair<string, string>> ParseForm(byte[] bytes)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var part in Encoding.UTF8.GetString(bytes).Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? part : part[..equals];
            var value = equals < 0 ? "" : part[(equals + 1)..];
            pairs.Add(new(WebUtility.UrlDecode(name), WebUtility.UrlDecode(value)));
        }

        return pairs;
    }
}
