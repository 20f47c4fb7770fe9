namespace Codecs.Trace;

/// <summary>Running counters of a <see cref="TraceReader"/> or <see cref="TraceWriter"/> (what <c>trace info</c> prints).</summary>
public sealed class TraceStatistics
{
    private readonly long[] _rectsByCodec = new long[3];
    private readonly long[] _encodedBytesByCodec = new long[3];
    private readonly long[] _rawBytesByCodec = new long[3];

    public long Frames { get; internal set; }

    /// <summary>Rectangles (after the writer split any larger than <see cref="TraceFormat.MaxRectBytes"/>).</summary>
    public long Rects { get; internal set; }

    /// <summary>Sum of all rectangles' areas.</summary>
    public long ChangedPixels { get; internal set; }

    public long ModeChanges { get; internal set; }

    public long Annotations { get; internal set; }

    public long CursorPositions { get; internal set; }

    public long CursorShapes { get; internal set; }

    /// <summary>Records of unknown, skippable types (readers only).</summary>
    public long SkippedRecords { get; internal set; }

    /// <summary>Timestamp of the first frame (µs), or 0 with no frames.</summary>
    public long FirstTimestampMicroseconds { get; internal set; }

    /// <summary>Timestamp of the last frame (µs), or 0 with no frames.</summary>
    public long LastTimestampMicroseconds { get; internal set; }

    /// <summary>Rectangles stored with <paramref name="codec"/> (the writer stores raw when compression does not pay).</summary>
    public long RectsByCodec(TraceCodec codec) => _rectsByCodec[(int)codec];

    /// <summary>Bytes of pixel data stored with <paramref name="codec"/>, i.e. after compression.</summary>
    public long EncodedBytesByCodec(TraceCodec codec) => _encodedBytesByCodec[(int)codec];

    /// <summary>Uncompressed bytes of the rectangles stored with <paramref name="codec"/>.</summary>
    public long RawBytesByCodec(TraceCodec codec) => _rawBytesByCodec[(int)codec];

    internal void AddFrame(long timestamp)
    {
        if (Frames == 0)
        {
            FirstTimestampMicroseconds = timestamp;
        }

        Frames++;
        LastTimestampMicroseconds = timestamp;
    }

    internal void AddRect(TraceCodec codec, long pixels, int rawBytes, int encodedBytes)
    {
        Rects++;
        ChangedPixels += pixels;
        _rectsByCodec[(int)codec]++;
        _rawBytesByCodec[(int)codec] += rawBytes;
        _encodedBytesByCodec[(int)codec] += encodedBytes;
    }
}
