using System.Threading.Channels;
using Codecs.Pixels;
using Damage.Device;
using Damage.Sharing;

namespace Damage.Tests.Sharing;

/// <summary>A device whose frames the test writes one by one; <see cref="End"/> makes it end like a finished trace.</summary>
internal sealed class ScriptedDevice : IDisplayDevice
{
    private readonly Channel<DisplayUpdate> _updates = Channel.CreateUnbounded<DisplayUpdate>();
    private long _sequence;

    public string Name => "scripted";

    public DisplayMode Mode { get; private set; }

    public DamageHintKind HintKind => DamageHintKind.None;

    public List<KeyEvent> Keys { get; } = [];

    /// <summary>Queues <paramref name="frame"/> (the device keeps ownership; do not change it until the display tracked it).</summary>
    public void Push(Framebuffer frame, CursorShape? cursor = null, CursorPosition pointer = default)
    {
        var mode = new DisplayMode(frame.Width, frame.Height, frame.Format);
        bool modeChanged = mode != Mode;
        Mode = mode;
        _sequence++;
        _updates.Writer.TryWrite(new DisplayUpdate(
            _sequence, TimeSpan.FromMilliseconds(_sequence), frame, modeChanged, null, cursor, pointer, [], 1, null));
    }

    public void End() => _updates.Writer.TryComplete();

    public async ValueTask<DisplayUpdate?> WaitForUpdateAsync(CancellationToken cancellationToken = default)
    {
        return await _updates.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false) && _updates.Reader.TryRead(out DisplayUpdate? update)
            ? update
            : null;
    }

    public void SendKey(KeyEvent key) => Keys.Add(key);

    public void SendPointer(PointerEvent pointer)
    {
    }

    public void SendClipboard(string text)
    {
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>A <see cref="ScriptedDevice"/> served by a running <see cref="SharedDisplay"/>; disposing ends the device and waits for the pump.</summary>
internal sealed class ScriptedDisplay : IAsyncDisposable
{
    private ScriptedDisplay(ScriptedDevice device, SharedDisplay display, Task pump)
    {
        Device = device;
        Display = display;
        Pump = pump;
    }

    public ScriptedDevice Device { get; }

    public SharedDisplay Display { get; }

    public Task Pump { get; }

    /// <summary>Starts the pump and waits until <paramref name="first"/> is the display's first frame.</summary>
    public static async Task<ScriptedDisplay> StartAsync(Framebuffer first, CancellationToken cancellationToken, CursorShape? cursor = null, CursorPosition pointer = default)
    {
        var device = new ScriptedDevice();
        var display = new SharedDisplay(device);
        Task pump = display.RunAsync(cancellationToken);
        device.Push(first, cursor, pointer);
        await display.WaitForFirstFrameAsync(cancellationToken).ConfigureAwait(false);
        return new ScriptedDisplay(device, display, pump);
    }

    public async ValueTask DisposeAsync()
    {
        Device.End();
        await Pump.ConfigureAwait(false);
        await Display.DisposeAsync().ConfigureAwait(false);
    }
}
