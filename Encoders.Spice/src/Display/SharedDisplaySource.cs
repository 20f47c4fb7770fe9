using Codecs.Pixels;
using Damage;
using Damage.Device;
using Damage.Sharing;

namespace Encoders.Spice.Display;

/// <summary>The display hub behind the adapter's seam: one <see cref="DisplayClient"/> per display or cursor channel.</summary>
internal sealed class SharedDisplaySource(SharedDisplay display) : IDisplaySource
{
    public IDisplayDevice Device => display.Device;

    public ValueTask WaitForFirstFrameAsync(CancellationToken cancellationToken) => display.WaitForFirstFrameAsync(cancellationToken);

    public IDisplayFeed Connect() => new Feed(display.Connect());

    private sealed class Feed(DisplayClient client) : IDisplayFeed
    {
        public DisplayMode Mode => client.Mode;

        public ValueTask<bool> WaitForChangesAsync(CancellationToken cancellationToken) => client.WaitForChangesAsync(cancellationToken);

        public void Invalidate(Rect area) => client.Invalidate(area);

        public IFeedUpdate TakeUpdate() => new Update(client.TakeUpdate());

        public void Dispose() => client.Dispose();
    }

    private sealed class Update(ClientUpdate update) : IFeedUpdate
    {
        public DisplayMode Mode => update.Mode;

        public bool ModeChanged => update.ModeChanged;

        public IReadOnlyList<CopyOperation> Copies => update.Copies;

        public IReadOnlyList<Rect> Rectangles => update.Rectangles;

        public ReadOnlyImageView Frame => update.Frame;

        public bool CursorChanged => update.CursorChanged;

        public CursorShape? Cursor => update.Cursor;

        public bool PointerMoved => update.PointerMoved;

        public CursorPosition Pointer => update.Pointer;

        public void Dispose() => update.Dispose();
    }
}
