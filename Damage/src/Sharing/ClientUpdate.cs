using Codecs.Pixels;
using Damage.Device;

namespace Damage.Sharing;

/// <summary>
/// Everything one client has not been sent yet, and a read lease on the current frame to encode it from.
/// </summary>
/// <remarks>
/// Applying <see cref="Copies"/> in order to the picture the client showed after its previous update, then drawing
/// <see cref="Rectangles"/> from <see cref="Frame"/>, reproduces <see cref="Frame"/> exactly. While the update is not
/// disposed the display does not apply the next device frame, so encode synchronously and dispose before awaiting
/// any I/O (write into the pipe's buffer, dispose, then flush).
/// </remarks>
public sealed class ClientUpdate : IDisposable
{
    private readonly DisplayClient _client;
    private bool _disposed;

    internal ClientUpdate(
        DisplayClient client,
        DisplayMode mode,
        bool modeChanged,
        CopyOperation[] copies,
        Rect[] rectangles,
        CursorShape? cursor,
        bool cursorChanged,
        CursorPosition pointer,
        bool pointerMoved,
        long frameSequence,
        TimeSpan timestamp)
    {
        _client = client;
        Mode = mode;
        ModeChanged = modeChanged;
        Copies = copies;
        Rectangles = rectangles;
        Cursor = cursor;
        CursorChanged = cursorChanged;
        Pointer = pointer;
        PointerMoved = pointerMoved;
        FrameSequence = frameSequence;
        Timestamp = timestamp;
    }

    public DisplayMode Mode { get; }

    /// <summary>The mode differs from what the client was last told: resize it first. <see cref="Copies"/> is then empty and <see cref="Rectangles"/> covers the screen.</summary>
    public bool ModeChanged { get; }

    /// <summary>Moves to replay on the client's picture, in order, before any rectangle.</summary>
    public IReadOnlyList<CopyOperation> Copies { get; }

    /// <summary>Disjoint rectangles to encode from <see cref="Frame"/>; their number is bounded by the client's cost model.</summary>
    public IReadOnlyList<Rect> Rectangles { get; }

    /// <summary>Whether there is nothing to draw (there may still be a cursor change).</summary>
    public bool IsEmpty => Copies.Count == 0 && Rectangles.Count == 0 && !ModeChanged;

    /// <summary>The current frame (canonical <see cref="PixelFormat.Bgrx32"/>), stable until this update is disposed.</summary>
    public ReadOnlyImageView Frame
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _client.CurrentFrame;
        }
    }

    /// <summary>The cursor shape (latest known), <see langword="null"/> when the device never set one.</summary>
    public CursorShape? Cursor { get; }

    /// <summary>Whether <see cref="Cursor"/> differs from what the client was last given.</summary>
    public bool CursorChanged { get; }

    public CursorPosition Pointer { get; }

    /// <summary>Whether <see cref="Pointer"/> differs from what the client was last given.</summary>
    public bool PointerMoved { get; }

    /// <summary>The display's frame counter at the take (increases by one per device update).</summary>
    public long FrameSequence { get; }

    /// <summary>The device timestamp of <see cref="Frame"/>.</summary>
    public TimeSpan Timestamp { get; }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _client.ReleaseLease();
        }
    }
}
