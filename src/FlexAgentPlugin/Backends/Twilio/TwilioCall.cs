using System.Net;

namespace FlexAgentPlugin.Backends.Twilio;

/// <summary>
/// One call of a typed client to Twilio's SDK, as the HTTP handlers see it. The SDK builds and sends the
/// <see cref="HttpRequestMessage"/> itself and takes neither a <see cref="CancellationToken"/> nor request options, so the
/// client opens a call around the SDK's method and <see cref="TwilioCallHandler"/> puts it on the request: the
/// operation's name (metrics), the caller's token, and how a create retried after an ambiguous failure avoids
/// duplicating (<see cref="Recover"/>, <see cref="AtMostOnce"/>, read by <see cref="TwilioResilienceHandler"/>, the one
/// place retries happen). The call flows with the async code (an <see cref="AsyncLocal{T}"/>), so concurrent calls
/// never see each other's, and a call made while looking for an earlier effect has its own.
/// </summary>
internal sealed class TwilioCall : IDisposable
{
    private static readonly AsyncLocal<TwilioCall?> Ambient = new();

    private readonly TwilioCall? outer;

    private TwilioCall(string operation, Func<CancellationToken, Task<HttpContent?>>? recover, bool atMostOnce, CancellationToken cancellationToken)
    {
        Operation = operation;
        CancellationToken = cancellationToken;
        Recover = recover;
        AtMostOnce = atMostOnce;
        outer = Ambient.Value;
    }

    /// <summary>The call the current code runs in, if any.</summary>
    public static TwilioCall? Current => Ambient.Value;

    public string Operation { get; }

    public CancellationToken CancellationToken { get; }

    /// <summary>Looks for the effect of an earlier attempt (see <see cref="TwilioResilienceHandler.Recover"/>).</summary>
    public Func<CancellationToken, Task<HttpContent?>>? Recover { get; }

    /// <summary>A create whose effect cannot be looked up: never re-sent after an ambiguous failure.</summary>
    public bool AtMostOnce { get; }

    /// <summary>Twilio's last HTTP status for this call: the SDK drops it when it cannot read the error body.</summary>
    public HttpStatusCode? Status { get; set; }

    public static TwilioCall Begin(
        string operation, CancellationToken cancellationToken, Func<CancellationToken, Task<HttpContent?>>? recover = null, bool atMostOnce = false)
    {
        var call = new TwilioCall(operation, recover, atMostOnce, cancellationToken);
        Ambient.Value = call;
        return call;
    }

    public void Dispose() => Ambient.Value = outer;
}
