namespace FlexAgentPlugin.Backends.Twilio;

/// <summary>
/// First in the Twilio pipeline: puts the current <see cref="TwilioCall"/> on each request the SDK sends (its options for
/// the handlers after this one, and the caller's cancellation), and notes Twilio's status on the call.
/// </summary>
internal sealed class TwilioCallHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (TwilioCall.Current is not { } call)
        {
            return await base.SendAsync(request, cancellationToken);
        }

        request.Options.Set(TwilioMetricsHandler.Operation, call.Operation);
        if (call.Recover is { } recover)
        {
            request.Options.Set(TwilioResilienceHandler.Recover, recover);
        }

        if (call.AtMostOnce)
        {
            request.Options.Set(TwilioResilienceHandler.AtMostOnce, true);
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, call.CancellationToken);
        var response = await base.SendAsync(request, linked.Token);
        call.Status = response.StatusCode;
        return response;
    }
}
