namespace FlexAgentPlugin.Core.PhoneAi;

/// <summary>What the AI sends back on a call: text for the caller to hear, or the end of its part with a hand-off.</summary>
public interface ICallerLine
{
    /// <summary>A piece of the answer, spoken as it comes; <paramref name="last"/> closes the answer.</summary>
    Task SpeakAsync(string token, bool last, CancellationToken cancellationToken);

    /// <summary>Ends the AI's part of the call, passing <paramref name="handoffData"/> (JSON) on to the call's next step.</summary>
    Task EndAsync(string handoffData, CancellationToken cancellationToken);
}
