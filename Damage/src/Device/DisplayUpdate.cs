using Codecs.Pixels;

namespace Damage.Device;

/// <summary>
/// One change of a display, handed to the single consumer of an <see cref="IDisplayDevice"/>. The framebuffer stays
/// unchanged until this object is disposed.
/// </summary>
public sealed class DisplayUpdate : IDisposable
{
    private Action<DisplayUpdate>? _release;

    public DisplayUpdate(
        long sequence,
        TimeSpan timestamp,
        Framebuffer framebuffer,
        bool modeChanged,
        IReadOnlyList<Rect>? damageHints,
        CursorShape? cursorShape,
        CursorPosition cursorPosition,
        IReadOnlyList<GroundTruth> groundTruth,
        int sourceFrames,
        Action<DisplayUpdate>? release)
    {
        Sequence = sequence;
        Timestamp = timestamp;
        Framebuffer = framebuffer;
        ModeChanged = modeChanged;
        DamageHints = damageHints;
        CursorShape = cursorShape;
        CursorPosition = cursorPosition;
        GroundTruth = groundTruth;
        SourceFrames = sourceFrames;
        _release = release;
    }

    /// <summary>Increases by one per update handed out.</summary>
    public long Sequence { get; }

    /// <summary>Device time of the newest frame in this update (trace time for a replay).</summary>
    public TimeSpan Timestamp { get; }

    /// <summary>The device's current framebuffer; read-only for the consumer, stable until <see cref="Dispose"/>.</summary>
    public Framebuffer Framebuffer { get; }

    public DisplayMode Mode => new(Framebuffer.Width, Framebuffer.Height, Framebuffer.Format);

    /// <summary>The mode changed: the whole framebuffer is new, and the previous frame must not be diffed against.</summary>
    public bool ModeChanged { get; }

    /// <summary>
    /// Rectangles outside which nothing changed since the previous update, or <see langword="null"/> when the device
    /// gives no hints (scan everything). Empty means only the cursor changed.
    /// </summary>
    public IReadOnlyList<Rect>? DamageHints { get; }

    /// <summary>The new cursor image when it changed in this update, else <see langword="null"/>.</summary>
    public CursorShape? CursorShape { get; }

    public CursorPosition CursorPosition { get; }

    /// <summary>What the source knows about the content (a playing video's rectangle, a window move), for tests and benchmarks.</summary>
    public IReadOnlyList<GroundTruth> GroundTruth { get; }

    /// <summary>How many source frames this update coalesces (more than one when the consumer was slower than the device).</summary>
    public int SourceFrames { get; }

    public void Dispose()
    {
        Action<DisplayUpdate>? release = _release;
        _release = null;
        release?.Invoke(this);
    }
}

/// <summary>A cursor image: straight (not premultiplied) alpha, bytes B, G, R, A per pixel, rows packed.</summary>
public sealed record CursorShape(int Width, int Height, int HotspotX, int HotspotY, ReadOnlyMemory<byte> Bgra);

/// <summary>Where the cursor's hotspot is, and whether the cursor is shown.</summary>
public readonly record struct CursorPosition(int X, int Y, bool Visible);

/// <summary>A fact the source of frames knows about them, which the damage engine should find by itself.</summary>
/// <param name="Kind">What the rectangle is.</param>
/// <param name="Area">The rectangle (for a move or scroll: the source rectangle in the previous frame).</param>
/// <param name="Dx">Horizontal offset of a move or scroll; 0 otherwise.</param>
/// <param name="Dy">Vertical offset of a move or scroll; 0 otherwise.</param>
public readonly record struct GroundTruth(GroundTruthKind Kind, Rect Area, int Dx, int Dy);

public enum GroundTruthKind
{
    /// <summary>A video plays inside <see cref="GroundTruth.Area"/>.</summary>
    Video,

    /// <summary>The content of <see cref="GroundTruth.Area"/> moved by (Dx, Dy), e.g. a dragged window.</summary>
    Move,

    /// <summary>The content of <see cref="GroundTruth.Area"/> scrolled by (Dx, Dy) inside it.</summary>
    Scroll,
}
