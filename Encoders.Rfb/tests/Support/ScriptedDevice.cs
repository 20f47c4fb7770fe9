using System.Threading.Channels;
using Codecs.Pixels;
using Damage.Device;

namespace Encoders.Rfb.Tests.Support;

/// <summary>A device whose frames (and cursor) the test pushes one by one.</summary>
internal sealed class ScriptedDevice : IDisplayDevice
{
    private readonly Channel<DisplayUpdate> _updates = Channel.CreateUnbounded<DisplayUpdate>();
    private long _sequence;

    public string Name => "scripted";

    public DisplayMode Mode { get; private set; }

    public DamageHintKind HintKind => DamageHintKind.None;

    /// <summary>Queues <paramref name="frame"/> (keep it unchanged until the display tracked it).</summary>
    public void Push(Framebuffer frame, CursorShape? cursor = null)
    {
        var mode = new DisplayMode(frame.Width, frame.Height, frame.Format);
        bool modeChanged = mode != Mode;
        Mode = mode;
        _sequence++;
        _updates.Writer.TryWrite(new DisplayUpdate(_sequence, TimeSpan.FromMilliseconds(_sequence), frame, modeChanged, null, cursor, new CursorPosition(10, 10, true), [], 1, null));
    }

    public async ValueTask<DisplayUpdate?> WaitForUpdateAsync(CancellationToken cancellationToken = default) =>
        await _updates.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false) && _updates.Reader.TryRead(out DisplayUpdate? update) ? update : null;

    public void SendKey(KeyEvent key)
    {
    }

    public void SendPointer(PointerEvent pointer)
    {
    }

    public void SendClipboard(string text)
    {
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
