using System.Diagnostics;
using Codecs.Pixels;
using Damage.Device;

namespace Damage;

/// <summary>
/// Turns a display's successive frames into <see cref="FramePlan"/>s: the diff against the previous frame, scroll and
/// move detection, and rectangle merging. One tracker per display, shared by every client of that display.
/// </summary>
/// <remarks>
/// <para>
/// The tracker owns a copy of the previous frame. It is never copied in full after the first frame (or a mode
/// change): only the changed pixels are written into it — inside the scan itself when motion detection is off, or
/// right after motion detection (which must still see the old pixels) when it is on.
/// </para>
/// <para>Not thread-safe: one thread tracks (the device's consumer). Plans it returns are immutable.</para>
/// </remarks>
public sealed class DamageTracker : IDisposable
{
    private readonly DamageOptions _options;
    private readonly DirtyTileMap _dirty;
    private readonly DirtyTileMap _residual;
    private readonly RectangleMerger _merger;
    private readonly MotionDetector _motion;
    private readonly List<CopyOperation> _copies = [];
    private readonly List<Rect> _rectangles = [];
    private Rect[] _hints = new Rect[16];
    private Framebuffer? _previous;

    public DamageTracker(DamageOptions? options = null)
    {
        _options = options ?? DamageOptions.Default;
        _options.Validate();
        _dirty = new DirtyTileMap(0, 0, _options.TileSize);
        _residual = new DirtyTileMap(0, 0, _options.TileSize);
        _merger = new RectangleMerger(_options.CostModel);
        _motion = new MotionDetector(_options.Motion);
    }

    public DamageOptions Options => _options;

    /// <summary>The tiles the last diff found changed, before copies explained any of them.</summary>
    public DirtyTileMap LastDirtyTiles => _dirty;

    /// <summary>Whether a previous frame is held (false before the first frame and after <see cref="Reset"/>).</summary>
    public bool HasPreviousFrame => _previous is not null;

    /// <summary>The tracker's copy of the last tracked frame.</summary>
    public ReadOnlyImageView PreviousFrame =>
        (_previous ?? throw new InvalidOperationException("No frame has been tracked yet.")).ReadOnlyView;

    public long FramesTracked { get; private set; }

    public long BytesScanned { get; private set; }

    public long CopiesEmitted { get; private set; }

    public long PixelsExplainedByCopies { get; private set; }

    public long RectanglesEmitted { get; private set; }

    public long OverdrawPixels { get; private set; }

    /// <summary>Plans the update from the previously tracked frame to <paramref name="update"/>'s framebuffer.</summary>
    public FramePlan Track(DisplayUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        return Track(update.Framebuffer.ReadOnlyView, update.DamageHints, update.ModeChanged);
    }

    /// <summary>
    /// Plans the update from the previously tracked frame to <paramref name="current"/>, and remembers
    /// <paramref name="current"/> as the next previous frame.
    /// </summary>
    /// <param name="current">The new frame.</param>
    /// <param name="damageHints">Rectangles outside which nothing changed, or <see langword="null"/> to compare everything.</param>
    /// <param name="modeChanged">Forget the previous frame: the plan repaints the whole frame.</param>
    public FramePlan Track(ReadOnlyImageView current, IReadOnlyList<Rect>? damageHints = null, bool modeChanged = false)
    {
        long start = Stopwatch.GetTimestamp();
        FramesTracked++;
        if (modeChanged || _previous is null || _previous.Width != current.Width || _previous.Height != current.Height || _previous.Format != current.Format)
        {
            return FullFrame(current, start);
        }

        ReadOnlySpan<Rect> areas;
        if (damageHints is null)
        {
            _hints[0] = current.Bounds;
            areas = _hints.AsSpan(0, 1);
        }
        else
        {
            areas = CopyHints(damageHints);
        }

        bool motion = _options.Motion.Enabled && current.BytesPerPixel == 4;
        long scanned;
        long scanEnd;
        long motionEnd;
        MotionResult motionResult = default;
        DirtyTileMap residual;
        _copies.Clear();
        if (!motion)
        {
            scanned = DamageScanner.ScanAndUpdate(_previous.View, current, _dirty, areas);
            scanEnd = motionEnd = Stopwatch.GetTimestamp();
            residual = _dirty;
        }
        else
        {
            scanned = DamageScanner.Scan(_previous.ReadOnlyView, current, _dirty, areas);
            scanEnd = Stopwatch.GetTimestamp();
            if (_dirty.IsClean)
            {
                residual = _dirty;
                motionEnd = scanEnd;
            }
            else
            {
                motionResult = _motion.Detect(_previous.ReadOnlyView, current, _dirty, _residual, _copies);
                motionEnd = Stopwatch.GetTimestamp();
                _dirty.CopyDirtyPixels(current, _previous.View);
                residual = _residual;
            }
        }

        long rectanglePixels = _merger.Merge(residual, _rectangles);
        long residualPixels = residual.GetDirtyBoundsArea();
        var statistics = new FrameStatistics
        {
            BytesScanned = scanned,
            Tiles = _dirty.Columns * _dirty.Rows,
            TilesDirty = _dirty.DirtyTileCount,
            DirtyPixels = motionResult.Searched ? _dirty.GetDirtyBoundsArea() : residualPixels,
            CopyCount = _copies.Count,
            CopiedPixels = motionResult.CopiedPixels,
            PixelsExplainedByCopies = motionResult.PixelsExplained,
            RectangleCount = _rectangles.Count,
            RectanglePixels = rectanglePixels,
            OverdrawPixels = rectanglePixels - residualPixels,
            MotionSearched = motionResult.Searched,
            ScanTicks = scanEnd - start,
            MotionTicks = motionEnd - scanEnd,
            PlanTicks = Stopwatch.GetTimestamp() - motionEnd,
        };

        BytesScanned += scanned;
        CopiesEmitted += _copies.Count;
        PixelsExplainedByCopies += motionResult.PixelsExplained;
        RectanglesEmitted += _rectangles.Count;
        OverdrawPixels += statistics.OverdrawPixels;
        return new FramePlan(current.Width, current.Height, false, [.. _copies], [.. _rectangles], statistics);
    }

    /// <summary>Forgets the previous frame; the next <see cref="Track(ReadOnlyImageView, IReadOnlyList{Rect}?, bool)"/> plans a full repaint.</summary>
    public void Reset()
    {
        _previous?.Dispose();
        _previous = null;
    }

    public void Dispose() => Reset();

    private FramePlan FullFrame(ReadOnlyImageView current, long start)
    {
        if (_previous is null || _previous.Width != current.Width || _previous.Height != current.Height || _previous.Format != current.Format)
        {
            _previous?.Dispose();
            _previous = null;
            _previous = Framebuffer.Allocate(current.Width, current.Height, current.Format);
        }

        current.CopyTo(_previous.View);
        _dirty.Reset(current.Width, current.Height, _options.TileSize);
        _residual.Reset(current.Width, current.Height, _options.TileSize);
        long area = (long)current.Width * current.Height;
        Rect[] rectangles = area == 0 ? [] : [current.Bounds];
        var statistics = new FrameStatistics
        {
            Tiles = _dirty.Columns * _dirty.Rows,
            TilesDirty = _dirty.Columns * _dirty.Rows,
            DirtyPixels = area,
            RectangleCount = rectangles.Length,
            RectanglePixels = area,
            PlanTicks = Stopwatch.GetTimestamp() - start,
        };
        RectanglesEmitted += rectangles.Length;
        return new FramePlan(current.Width, current.Height, true, [], rectangles, statistics);
    }

    private ReadOnlySpan<Rect> CopyHints(IReadOnlyList<Rect> hints)
    {
        if (_hints.Length < hints.Count)
        {
            _hints = new Rect[Math.Max(hints.Count, _hints.Length * 2)];
        }

        for (int i = 0; i < hints.Count; i++)
        {
            _hints[i] = hints[i];
        }

        return _hints.AsSpan(0, hints.Count);
    }
}
