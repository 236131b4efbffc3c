using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace FlexAgentPlugin.Hosting.OAuth;

/// <summary>How client metadata documents may be fetched. Bound to no setting: tests allow their own loopback server.</summary>
public sealed class ClientMetadataOptions
{
    /// <summary>Allows http URLs and loopback addresses (and nothing else that is not public); only tests set it.</summary>
    public bool AllowLoopback { get; set; }

    /// <summary>The longest a fetch may take, connecting included.</summary>
    public TimeSpan Timeout { get; set; } = ClientMetadataDocuments.DefaultTimeout;
}

/// <summary>A fetched client metadata document, and how long it may be kept before it is fetched again.</summary>
public sealed record FetchedClient(ClientMetadata Metadata, TimeSpan KeepFor);

/// <summary>
/// Client ID Metadata Documents: a client whose client_id is an https URL publishes its registration there. The document
/// is fetched only from public addresses (checked on the address actually connected to, after DNS, so a name that
/// resolves to this network is refused), without following redirects, within 5 seconds and 5 KB; it must be JSON whose
/// client_id is the URL itself. Every failure is a sentence for an <c>invalid_client</c> answer, never an exception.
/// </summary>
public sealed class ClientMetadataDocuments(HttpClient http, IOptions<ClientMetadataOptions> options)
{
    public const int MaxBytes = 5 * 1024;
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan MinKeep = TimeSpan.FromMinutes(5);
    public static readonly TimeSpan MaxKeep = TimeSpan.FromHours(24);

    /// <summary>True for a client_id that names a metadata document (an http(s) URL) rather than a registered client.</summary>
    public static bool IsDocumentUrl(string? clientId) =>
        clientId is not null && (clientId.StartsWith("https://", StringComparison.Ordinal) || clientId.StartsWith("http://", StringComparison.Ordinal));

    /// <summary>The handler the fetches go through: no proxy, no redirects, and connections only to allowed addresses.</summary>
    public static SocketsHttpHandler CreateHandler(ClientMetadataOptions options) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        ConnectTimeout = options.Timeout,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectCallback = async (context, cancellationToken) =>
        {
            var host = context.DnsEndPoint.Host;
            var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
            if (addresses.Length == 0 || !addresses.All(address => NetworkAddresses.IsPublic(address) || (options.AllowLoopback && IPAddress.IsLoopback(address))))
            {
                throw new PrivateAddressException(host);
            }

            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    /// <summary>The client's metadata, or the sentence saying why it cannot be used.</summary>
    public async Task<(FetchedClient? Client, string? Problem)> FetchAsync(string clientId, bool allowHttp, CancellationToken cancellationToken)
    {
        if (UrlProblem(clientId, allowHttp) is { } urlProblem)
        {
            return (null, urlProblem);
        }

        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, clientId);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(options.Value.Timeout);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, limit.Token);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return (null, $"The client's metadata document at {clientId} answered HTTP {(int)response.StatusCode}, not 200 (redirects are not followed).");
            }

            if (response.Content.Headers.ContentType?.MediaType is not { } type || !(type == "application/json" || type.EndsWith("+json", StringComparison.Ordinal)))
            {
                return (null, $"The client's metadata document at {clientId} is not served as application/json.");
            }

            var document = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken)) as JsonObject;
            if (document is null || document["client_id"] is not JsonValue id || !id.TryGetValue<string>(out var named) || !string.Equals(named, clientId, StringComparison.Ordinal))
            {
                return (null, $"The client's metadata document at {clientId} must be a JSON object whose client_id is that URL, exactly.");
            }

            var (metadata, _, problem) = ClientMetadataRules.Check(document);
            return metadata is null ? (null, $"The client's metadata document at {clientId} is not usable: {problem}") : (new FetchedClient(metadata, KeepFor(response)), null);
        }
        catch (Exception error) when (error is HttpRequestException or OperationCanceledException or JsonException && !cancellationToken.IsCancellationRequested)
        {
            return (null, error.InnerException is PrivateAddressException || error is HttpRequestException { InnerException: PrivateAddressException }
                ? $"The client's metadata document at {clientId} is on an address that is not public; it is not fetched."
                : error is TaskCanceledException
                    ? $"The client's metadata document at {clientId} did not arrive within {options.Value.Timeout.TotalSeconds:0.#} seconds."
                    : $"The client's metadata document at {clientId} could not be read (it must be JSON of at most {MaxBytes / 1024} KB).");
        }
    }

    /// <summary>What is wrong with a client_id URL itself: https, a host, a path other than /, no fragment, user or dot segments.</summary>
    private static string? UrlProblem(string clientId, bool allowHttp)
    {
        var valid = Uri.TryCreate(clientId, UriKind.Absolute, out var url)
            && (url.Scheme == Uri.UriSchemeHttps || (allowHttp && url.Scheme == Uri.UriSchemeHttp))
            && url.Host.Length > 0 && url.UserInfo.Length == 0 && !clientId.Contains('#', StringComparison.Ordinal)
            && url.AbsolutePath.Length > 1
            && !clientId[(clientId.IndexOf("//", StringComparison.Ordinal) + 2)..].Split('?')[0].Split('/').Any(segment => segment is "." or "..");
        return valid ? null : $"A client_id that is a URL must be https with a path (a client metadata document), without a fragment, user or dot segments: {clientId} is not.";
    }

    /// <summary>The document's Cache-Control max-age, within 5 minutes and 24 hours (5 minutes without one).</summary>
    private static TimeSpan KeepFor(HttpResponseMessage response) =>
        response.Headers.CacheControl?.MaxAge is { } age ? TimeSpan.FromTicks(Math.Clamp(age.Ticks, MinKeep.Ticks, MaxKeep.Ticks)) : MinKeep;

    private sealed class PrivateAddressException(string host) : Exception($"{host} resolves to an address that is not public.");
}
