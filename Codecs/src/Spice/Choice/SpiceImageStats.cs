namespace Codecs.Spice.Choice;

/// <summary>Counters of one image type: images sent, their raw bytes and their <c>data</c> bytes.</summary>
public readonly record struct SpiceImageTypeStats(SpiceImageType Type, long Images, long RawBytes, long DataBytes)
{
    /// <summary>Raw bytes per data byte (raw bitmaps count their raw bytes as data).</summary>
    public double Ratio => DataBytes == 0 ? 0 : (double)RawBytes / DataBytes;
}

/// <summary>
/// Per-type counters of a <see cref="SpiceImageCompressor"/> (spice-server's <c>COMPRESS_STAT</c> table), updated by
/// the compressor and readable from any thread at any time.
/// </summary>
public sealed class SpiceImageStats
{
    private readonly long[] _images = new long[256];
    private readonly long[] _raw = new long[256];
    private readonly long[] _data = new long[256];
    private long _trials;
    private long _trialsWonByAlternative;
    private long _abandoned;

    /// <summary>Images encoded twice to keep the smaller (the ambiguous graduality band).</summary>
    public long Trials => Volatile.Read(ref _trials);

    /// <summary>Trials where QUIC (or JPEG) beat GLZ/LZ.</summary>
    public long TrialsWonByAlternative => Volatile.Read(ref _trialsWonByAlternative);

    /// <summary>Images whose chosen codec did not beat the raw size and went raw.</summary>
    public long NotSmallerThanRaw => Volatile.Read(ref _abandoned);

    /// <summary>The counters of one type.</summary>
    public SpiceImageTypeStats this[SpiceImageType type] => new(
        type,
        Volatile.Read(ref _images[(int)type]),
        Volatile.Read(ref _raw[(int)type]),
        Volatile.Read(ref _data[(int)type]));

    /// <summary>The counters of every type that has been sent, by type value.</summary>
    public IReadOnlyList<SpiceImageTypeStats> Snapshot()
    {
        var list = new List<SpiceImageTypeStats>();
        foreach (SpiceImageType type in Enum.GetValues<SpiceImageType>())
        {
            SpiceImageTypeStats s = this[type];
            if (s.Images > 0)
            {
                list.Add(s);
            }
        }

        return list;
    }

    internal void Add(in SpiceImageDecision decision)
    {
        int t = (int)decision.Type;
        Interlocked.Increment(ref _images[t]);
        Interlocked.Add(ref _raw[t], decision.RawLength);
        Interlocked.Add(ref _data[t], decision.Type == SpiceImageType.Bitmap ? decision.RawLength : decision.DataLength);
        if (decision.Reason == SpiceChoiceReason.SmallerInTrial)
        {
            Interlocked.Increment(ref _trials);
            if (decision.Type is SpiceImageType.Quic or SpiceImageType.Jpeg or SpiceImageType.JpegAlpha)
            {
                Interlocked.Increment(ref _trialsWonByAlternative);
            }
        }

        if (decision.Reason == SpiceChoiceReason.NotSmallerThanRaw)
        {
            Interlocked.Increment(ref _abandoned);
        }
    }
}
