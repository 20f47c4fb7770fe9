using Damage.Device;

namespace Server.Tests.Interop.SpiceHtml5;

/// <summary>
/// A corpus trace handed to the display one <see cref="Step"/> at a time (as fast as the display takes it), keeping a
/// copy of the latest frame, so the browser's canvas can be compared with exactly what was served.
/// </summary>
internal sealed class SteppedTraceDevice(string path) : IDisplayDevice
{
    private readonly TraceReplayDevice _trace = new(path, new TraceReplayOptions { RealTime = false });
    private readonly SemaphoreSlim _steps = new(0);
    private long _requested;
    private long _handed;

    public string Name => _trace.Name;

    public DisplayMode Mode => _trace.Mode;

    public DamageHintKind HintKind => _trace.HintKind;

    /// <summary>The input the page sent, as the trace device recorded it.</summary>
    public IReadOnlyList<InputRecord> ReceivedInput => _trace.ReceivedInput;

    /// <summary>The latest frame handed out: packed B, G, R, X bytes.</summary>
    public byte[] Frame { get; private set; } = [];

    public int Width { get; private set; }

    public int Height { get; private set; }

    public void Step(int count = 1)
    {
        Interlocked.Add(ref _requested, count);
        _steps.Release(count);
    }

    /// <summary>Waits until the display has taken every requested step (<see cref="Frame"/> is then the latest).</summary>
    public async Task WaitHandedAsync(CancellationToken cancellationToken)
    {
        while (Volatile.Read(ref _handed) < Volatile.Read(ref _requested))
        {
            await Task.Delay(5, cancellationToken);
        }
    }

    public async ValueTask<DisplayUpdate?> WaitForUpdateAsync(CancellationToken cancellationToken = default)
    {
        await _steps.WaitAsync(cancellationToken);
        DisplayUpdate? update = await _trace.WaitForUpdateAsync(cancellationToken)
            ?? throw new InvalidOperationException("the trace ended before the test stopped stepping");
        Frame = update.Framebuffer.ReadOnlyView.ToPackedArray();
        Width = update.Framebuffer.Width;
        Height = update.Framebuffer.Height;
        Interlocked.Increment(ref _handed);
        return update;
    }

    public void SendKey(KeyEvent key) => _trace.SendKey(key);

    public void SendPointer(PointerEvent pointer) => _trace.SendPointer(pointer);

    public void SendClipboard(string text) => _trace.SendClipboard(text);

    public async ValueTask DisposeAsync()
    {
        _steps.Dispose();
        await _trace.DisposeAsync();
    }
}
