using Codecs.Pixels;
using Damage;
using Damage.Device;

namespace Encoders.Spice.Display;

/// <summary>
/// What the adapter needs from the shared display hub (<c>Damage.Sharing.SharedDisplay</c>): the device for input,
/// and one feed of bounded accumulated damage per connection. Kept as a small seam so protocol tests can drive the
/// channels with hand-made updates.
/// </summary>
internal interface IDisplaySource
{
    IDisplayDevice Device { get; }

    ValueTask WaitForFirstFrameAsync(CancellationToken cancellationToken);

    IDisplayFeed Connect();
}

/// <summary>One client's view of the hub (<c>DisplayClient</c>).</summary>
internal interface IDisplayFeed : IDisposable
{
    DisplayMode Mode { get; }

    ValueTask<bool> WaitForChangesAsync(CancellationToken cancellationToken);

    void Invalidate(Rect area);

    IFeedUpdate TakeUpdate();
}

/// <summary>Everything pending for one client plus a read lease on the frame (<c>ClientUpdate</c>); dispose before any I/O await.</summary>
internal interface IFeedUpdate : IDisposable
{
    DisplayMode Mode { get; }

    bool ModeChanged { get; }

    IReadOnlyList<CopyOperation> Copies { get; }

    IReadOnlyList<Rect> Rectangles { get; }

    ReadOnlyImageView Frame { get; }

    bool CursorChanged { get; }

    CursorShape? Cursor { get; }

    bool PointerMoved { get; }

    CursorPosition Pointer { get; }
}
