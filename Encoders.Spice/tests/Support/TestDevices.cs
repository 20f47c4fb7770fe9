using System.Collections.Concurrent;
using System.Threading.Channels;
using Codecs.Pixels;
using Damage.Device;

namespace Encoders.Spice.Tests.Support;

/// <summary>
/// A device the test drives by hand: each <see cref="Publish"/> is applied to the framebuffer when the hub asks for
/// the next update (never while the previous one is held). Records the input it receives.
/// </summary>
internal sealed class ManualDevice : IDisplayDevice
{
    private readonly Channel<Change> _changes = Channel.CreateUnbounded<Change>();
    private Framebuffer _framebuffer;
    private CursorPosition _pointer = new(0, 0, true);
    private long _sequence;
    private long _published;
    private long _handed;

    public ManualDevice(int width, int height)
    {
        _framebuffer = Framebuffer.Allocate(width, height);
    }

    public string Name => "manual";

    public DisplayMode Mode => new(_framebuffer.Width, _framebuffer.Height, _framebuffer.Format);

    public DamageHintKind HintKind => DamageHintKind.None;

    public ConcurrentQueue<KeyEvent> Keys { get; } = new();

    public ConcurrentQueue<PointerEvent> Pointers { get; } = new();

    /// <summary>A copy of the framebuffer as of the latest update handed out.</summary>
    public byte[] Snapshot { get; private set; } = [];

    public void Publish(Action<ImageView>? draw = null, CursorShape? cursor = null, CursorPosition? pointer = null, (int Width, int Height)? resize = null)
    {
        Interlocked.Increment(ref _published);
        _changes.Writer.TryWrite(new Change(draw, cursor, pointer, resize));
    }

    /// <summary>Waits until the hub has taken every published change (the snapshot is then the latest frame).</summary>
    public async Task WaitHandedAsync(CancellationToken cancellationToken)
    {
        while (Volatile.Read(ref _handed) < Volatile.Read(ref _published))
        {
            await Task.Delay(5, cancellationToken);
        }
    }

    public void End() => _changes.Writer.TryComplete();

    public async ValueTask<DisplayUpdate?> WaitForUpdateAsync(CancellationToken cancellationToken = default)
    {
        if (!await _changes.Reader.WaitToReadAsync(cancellationToken) || !_changes.Reader.TryRead(out Change? change))
        {
            return null;
        }

        bool modeChanged = false;
        if (change.Resize is { } size)
        {
            _framebuffer.Dispose();
            _framebuffer = Framebuffer.Allocate(size.Width, size.Height);
            modeChanged = true;
        }

        change.Draw?.Invoke(_framebuffer.View);
        _pointer = change.Pointer ?? _pointer;
        Snapshot = _framebuffer.Span.ToArray();
        Interlocked.Increment(ref _handed);
        return new DisplayUpdate(++_sequence, TimeSpan.FromMilliseconds(_sequence), _framebuffer, modeChanged, null, change.Cursor, _pointer, [], 1, null);
    }

    public void SendKey(KeyEvent key) => Keys.Enqueue(key);

    public void SendPointer(PointerEvent pointer) => Pointers.Enqueue(pointer);

    public void SendClipboard(string text)
    {
    }

    public ValueTask DisposeAsync()
    {
        _framebuffer.Dispose();
        return ValueTask.CompletedTask;
    }

    private sealed record Change(Action<ImageView>? Draw, CursorShape? Cursor, CursorPosition? Pointer, (int Width, int Height)? Resize);
}
