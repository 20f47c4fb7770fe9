namespace Codecs.Trace;

/// <summary>
/// What <see cref="TraceReader.ReadFrame"/> read: the frame's timestamp, mode, rectangles and annotations. The reader
/// reuses this object (and its lists) for every frame, so copy what must outlive the next read.
/// </summary>
public sealed class TraceFrame
{
    internal readonly List<TraceRect> RectList = [];
    internal readonly List<TraceAnnotation> AnnotationList = [];

    /// <summary>0 for the first frame; −1 before any frame was read.</summary>
    public long Index { get; internal set; } = -1;

    /// <summary>Microseconds on the recorder's monotonic clock; never smaller than the previous frame's.</summary>
    public long TimestampMicroseconds { get; internal set; }

    /// <summary>Byte offset of the frame's FRAME record in the trace.</summary>
    public long Offset { get; internal set; }

    /// <summary>Display mode after this frame.</summary>
    public int Width { get; internal set; }

    public int Height { get; internal set; }

    /// <summary>The frame began with a MODE record: the framebuffer was resized to <see cref="Width"/>×<see cref="Height"/> and zeroed.</summary>
    public bool ModeChanged { get; internal set; }

    /// <summary>The rectangles in the order they were applied (later ones overwrite earlier ones where they overlap).</summary>
    public IReadOnlyList<TraceRect> Rects => RectList;

    public IReadOnlyList<TraceAnnotation> Annotations => AnnotationList;

    public bool CursorPositionChanged { get; internal set; }

    public bool CursorShapeChanged { get; internal set; }

    /// <summary>Sum of the rectangles' areas (overlaps counted twice).</summary>
    public long ChangedPixels { get; internal set; }

    /// <summary>Bytes of the frame's records, framing and checksums included.</summary>
    public long EncodedBytes { get; internal set; }

    internal void Reset(long index, long timestamp, long offset)
    {
        Index = index;
        TimestampMicroseconds = timestamp;
        Offset = offset;
        ModeChanged = false;
        CursorPositionChanged = false;
        CursorShapeChanged = false;
        ChangedPixels = 0;
        EncodedBytes = 0;
        RectList.Clear();
        AnnotationList.Clear();
    }
}
