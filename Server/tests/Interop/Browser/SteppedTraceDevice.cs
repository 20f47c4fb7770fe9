using Damage.Device;

namespace Server.Tests.Interop.Browser;

/// <summary>
/// Plays a trace as fast as the display takes it up to a frame limit, then holds that frame until the test raises the
/// limit (<see cref="Advance"/>), so a client can first get a full picture and then incremental updates (CopyRect)
/// for known frames. Records the input it receives.
/// </summary>
internal sealed class SteppedTraceDevice(string path, int frames) : IDisplayDevice
{
    private readonly TraceReplayDevice _inner = new(path, new TraceReplayOptions { RealTime = false });
    private readonly Lock _gate = new();
    private readonly List<KeyEvent> _keys = [];
    private readonly List<PointerEvent> _pointers = [];
    private readonly SemaphoreSlim _advanced = new(0);
    private int _limit = frames;
    private int _played;

    public string Name => _inner.Name;

    public DisplayMode Mode => _inner.Mode;

    public DamageHintKind HintKind => _inner.HintKind;

    /// <summary>Frames handed to the display so far.</summary>
    public int Played => Volatile.Read(ref _played);

    /// <summary>The last frame handed to the display (canonical BGRX, packed).</summary>
    public byte[] Frame { get; private set; } = [];

    public int Width { get; private set; }

    public int Height { get; private set; }

    /// <summary>Lets the device play <paramref name="frames"/> more frames, then hold again.</summary>
    public void Advance(int frames)
    {
        Interlocked.Add(ref _limit, frames);
        _advanced.Release();
    }

    public async ValueTask<DisplayUpdate?> WaitForUpdateAsync(CancellationToken cancellationToken = default)
    {
        while (_played >= Volatile.Read(ref _limit))
        {
            await _advanced.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        DisplayUpdate? update = await _inner.WaitForUpdateAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"the trace has fewer than {_limit} updates");
        Frame = update.Framebuffer.ReadOnlyView.ToPackedArray();
        Width = update.Framebuffer.Width;
        Height = update.Framebuffer.Height;
        Interlocked.Increment(ref _played);
        return update;
    }

    public IReadOnlyList<KeyEvent> Keys
    {
        get
        {
            lock (_gate)
            {
                return [.. _keys];
            }
        }
    }

    public IReadOnlyList<PointerEvent> Pointers
    {
        get
        {
            lock (_gate)
            {
                return [.. _pointers];
            }
        }
    }

    public void SendKey(KeyEvent key)
    {
        lock (_gate)
        {
            _keys.Add(key);
        }
    }

    public void SendPointer(PointerEvent pointer)
    {
        lock (_gate)
        {
            _pointers.Add(pointer);
        }
    }

    public void SendClipboard(string text)
    {
    }

    /// <summary>The held frame as 8-bit R, G, B bytes (what a canvas holds, without alpha).</summary>
    public byte[] FrameRgb()
    {
        byte[] frame = Frame;
        byte[] rgb = new byte[frame.Length / 4 * 3];
        for (int i = 0, j = 0; i < frame.Length; i += 4, j += 3)
        {
            rgb[j] = frame[i + 2];
            rgb[j + 1] = frame[i + 1];
            rgb[j + 2] = frame[i];
        }

        return rgb;
    }

    public async ValueTask DisposeAsync()
    {
        await _inner.DisposeAsync().ConfigureAwait(false);
        _advanced.Dispose();
    }
}
