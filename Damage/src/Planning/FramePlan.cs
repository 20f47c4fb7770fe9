using Codecs.Pixels;

namespace Damage;

/// <summary>
/// Everything a client needs to go from the previous frame to the current one: first <see cref="Copies"/>, then
/// <see cref="Rectangles"/> whose pixels are taken from the current frame.
/// </summary>
/// <remarks>
/// <para>
/// Semantics (those of RFB CopyRect and SPICE COPY_BITS, so a protocol adapter sends the list as is):
/// the copies are applied one after the other, in list order, to the client's framebuffer; each copy reads its
/// source from the framebuffer as the copies before it left it, and reads the whole source before writing its
/// destination, so a source overlapping its own destination (a scroll) is fine. The rectangles are then painted with
/// the current frame's pixels, in any order (they do not overlap). The tracker emits copies whose destinations do not
/// overlap, and orders them so that no copy reads pixels an earlier copy wrote; every copied pixel was verified to equal
/// the current frame, so a copy never paints a wrong pixel, even one that the rectangles do not cover.
/// </para>
/// <para>A plan is immutable and independent of the tracker that made it; clients may keep it.</para>
/// </remarks>
public sealed class FramePlan
{
    private readonly CopyOperation[] _copies;
    private readonly Rect[] _rectangles;

    public FramePlan(int width, int height, bool isFullFrame, CopyOperation[] copies, Rect[] rectangles, FrameStatistics statistics)
    {
        ArgumentNullException.ThrowIfNull(copies);
        ArgumentNullException.ThrowIfNull(rectangles);
        Width = width;
        Height = height;
        IsFullFrame = isFullFrame;
        _copies = copies;
        _rectangles = rectangles;
        Statistics = statistics;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>The first frame or a new mode: the single rectangle is the whole frame, nothing to diff against.</summary>
    public bool IsFullFrame { get; }

    /// <summary>Copies to apply first, in this order.</summary>
    public IReadOnlyList<CopyOperation> Copies => _copies;

    /// <summary>Rectangles to paint from the current frame after the copies; they do not overlap.</summary>
    public IReadOnlyList<Rect> Rectangles => _rectangles;

    public FrameStatistics Statistics { get; }

    /// <summary>Nothing changed.</summary>
    public bool IsEmpty => _copies.Length == 0 && _rectangles.Length == 0;

    /// <summary>
    /// Turns <paramref name="target"/> (a copy of the previous frame, as a client holds it) into the current frame:
    /// applies the copies, then copies each rectangle from <paramref name="current"/>.
    /// </summary>
    public void ApplyTo(ImageView target, ReadOnlyImageView current)
    {
        if (target.Width != Width || target.Height != Height || current.Width != Width || current.Height != Height || target.Format != current.Format)
        {
            throw new ArgumentException($"The plan is for {Width}x{Height}; target is {target.Width}x{target.Height} {target.Format}, current {current.Width}x{current.Height} {current.Format}.");
        }

        foreach (CopyOperation copy in _copies)
        {
            ApplyCopy(target, copy);
        }

        foreach (Rect rect in _rectangles)
        {
            current.Slice(rect).CopyTo(target.Slice(rect));
        }
    }

    /// <summary>
    /// Applies one copy inside <paramref name="target"/> as a client does: the whole source is read before the
    /// destination is written (rows are walked bottom-up when the destination is lower, and each row is a memmove).
    /// </summary>
    public static void ApplyCopy(ImageView target, CopyOperation copy)
    {
        Rect source = copy.Source;
        Rect destination = copy.Destination;
        if (!target.Bounds.Contains(source) || !target.Bounds.Contains(destination))
        {
            throw new ArgumentOutOfRangeException(nameof(copy), $"{copy} is not inside {target.Width}x{target.Height}.");
        }

        if (source.IsEmpty)
        {
            return;
        }

        int bpp = target.BytesPerPixel;
        int rowBytes = source.Width * bpp;
        Span<byte> data = target.Data;
        bool upwards = destination.Y > source.Y;
        for (int i = 0; i < source.Height; i++)
        {
            int row = upwards ? source.Height - 1 - i : i;
            Span<byte> from = data.Slice((source.Y + row) * target.Stride + source.X * bpp, rowBytes);
            Span<byte> to = data.Slice((destination.Y + row) * target.Stride + destination.X * bpp, rowBytes);
            from.CopyTo(to);
        }
    }

    public override string ToString() =>
        $"{(IsFullFrame ? "full " : "")}{_copies.Length} copies, {_rectangles.Length} rectangles, {Statistics.RectanglePixels} px";
}

/// <summary>What one frame's analysis found and cost.</summary>
public readonly record struct FrameStatistics
{
    /// <summary>Bytes of the current frame the diff read (the previous frame is read as much).</summary>
    public long BytesScanned { get; init; }

    /// <summary>Tiles of the grid; the scan covered those meeting the damage hints.</summary>
    public int Tiles { get; init; }

    public int TilesDirty { get; init; }

    /// <summary>Sum of the dirty tiles' exact bounds: the pixels that must reach the client one way or another.</summary>
    public long DirtyPixels { get; init; }

    public int CopyCount { get; init; }

    /// <summary>Pixels written by copies (their destinations' area).</summary>
    public long CopiedPixels { get; init; }

    /// <summary>Dirty pixels that the rectangles no longer need to carry because copies produce them.</summary>
    public long PixelsExplainedByCopies { get; init; }

    public int RectangleCount { get; init; }

    /// <summary>Pixels the rectangles cover.</summary>
    public long RectanglePixels { get; init; }

    /// <summary>Pixels sent by the rectangles beyond the dirty bounds left after copies (the price of fewer rectangles).</summary>
    public long OverdrawPixels { get; init; }

    /// <summary>Whether scroll/move detection ran on this frame (it is skipped on small damage).</summary>
    public bool MotionSearched { get; init; }

    /// <summary>Time in the diff, in <see cref="System.Diagnostics.Stopwatch"/> ticks.</summary>
    public long ScanTicks { get; init; }

    /// <summary>Time in scroll/move detection, in <see cref="System.Diagnostics.Stopwatch"/> ticks.</summary>
    public long MotionTicks { get; init; }

    /// <summary>Time merging rectangles and updating the previous frame, in <see cref="System.Diagnostics.Stopwatch"/> ticks.</summary>
    public long PlanTicks { get; init; }
}
