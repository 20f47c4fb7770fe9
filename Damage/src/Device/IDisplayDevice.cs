using Codecs.Pixels;

namespace Damage.Device;

/// <summary>
/// A display as a display server sees a virtual GPU: a framebuffer that changes, mode changes, a cursor, optional
/// damage hints, and a sink for the user's input.
/// </summary>
/// <remarks>
/// <para>
/// One consumer (the damage tracker, shared by every client) pulls updates with <see cref="WaitForUpdateAsync"/>.
/// While it holds a <see cref="DisplayUpdate"/>, the device does not write the framebuffer, so the scan sees one
/// consistent frame; disposing the update hands the framebuffer back. A device whose producer runs ahead of a slow
/// consumer coalesces: it applies several of its own frames and reports their union in one update, as a GPU does when
/// nobody looks, so a slow consumer never builds a queue.
/// </para>
/// <para>
/// Input methods may be called from any thread (one per connected client) at any time, including while an update is
/// held.
/// </para>
/// </remarks>
public interface IDisplayDevice : IAsyncDisposable
{
    /// <summary>A short human-readable name (trace file name, VM name).</summary>
    string Name { get; }

    /// <summary>The current mode; changes are announced by an update with <see cref="DisplayUpdate.ModeChanged"/>.</summary>
    DisplayMode Mode { get; }

    /// <summary>Whether updates carry damage rectangles (a QXL-like device) or not (a plain VGA-like one).</summary>
    DamageHintKind HintKind { get; }

    /// <summary>
    /// Waits until the framebuffer, mode or cursor changed since the previous update was released, and returns the
    /// change; returns <see langword="null"/> when the device has ended (a trace that does not loop).
    /// Only one update may be outstanding: dispose it before asking for the next.
    /// </summary>
    ValueTask<DisplayUpdate?> WaitForUpdateAsync(CancellationToken cancellationToken = default);

    /// <summary>Delivers a key press or release to the device.</summary>
    void SendKey(KeyEvent key);

    /// <summary>Delivers pointer position and button state to the device.</summary>
    void SendPointer(PointerEvent pointer);

    /// <summary>Delivers text the user put on the client's clipboard.</summary>
    void SendClipboard(string text);
}

/// <summary>What a device says about where its frames changed.</summary>
public enum DamageHintKind
{
    /// <summary>No hints (VGA-like): the consumer must find changes by comparing frames.</summary>
    None,

    /// <summary>Each update lists rectangles outside which nothing changed (QXL-like).</summary>
    Rectangles,
}

/// <summary>A display mode: size and pixel layout of the framebuffer.</summary>
public readonly record struct DisplayMode(int Width, int Height, PixelFormat Format)
{
    public Rect Bounds => new(0, 0, Width, Height);

    public override string ToString() => $"{Width}x{Height} {Format}";
}
