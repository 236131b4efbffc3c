namespace FlexAgentPlugin.Sandbox.StandIn;

/// <summary>
/// The sample call the sandbox plays: a customer's two questions spoken by espeak-ng, 8 kHz mono μ-law as Twilio's
/// Media Streams carry it (made by <c>make-sample-call.sh</c>), and the text it was made from, one question per line.
/// </summary>
public static class SampleCall
{
    /// <summary>Bytes in one 20 ms frame of 8 kHz μ-law: what one Media Streams <c>media</c> message carries.</summary>
    public const int FrameBytes = 160;

    public static byte[] Audio() => Read("FlexAgentPlugin.Sandbox.sample-call.ulaw");

    public static IReadOnlyList<string> Lines() =>
        [.. System.Text.Encoding.UTF8.GetString(Read("FlexAgentPlugin.Sandbox.sample-call.txt")).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    /// <summary>The audio in 20 ms frames (the last one padded with μ-law silence).</summary>
    public static IReadOnlyList<byte[]> Frames()
    {
        var audio = Audio();
        var frames = new List<byte[]>();
        for (var at = 0; at < audio.Length; at += FrameBytes)
        {
            var frame = Enumerable.Repeat((byte)0xFF, FrameBytes).ToArray();
            Array.Copy(audio, at, frame, 0, Math.Min(FrameBytes, audio.Length - at));
            frames.Add(frame);
        }

        return frames;
    }

    private static byte[] Read(string name)
    {
        using var stream = typeof(SampleCall).Assembly.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"{name} is not embedded.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
