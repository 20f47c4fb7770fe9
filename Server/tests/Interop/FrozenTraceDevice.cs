using Codecs.Pixels;
using Damage.Device;

namespace Server.Tests.Interop;

/// <summary>
/// Plays the first <c>frames</c> updates of a trace as fast as the display takes them, then holds the last frame
/// (never ends), so a real client's picture can be compared with a known frame. Records the input it receives.
/// </summary>
internal sealed class FrozenTraceDevice(string path, int frames) : IDisplayDevice
{
    private readonly TraceReplayDevice _inner = new(path, new TraceReplayOptions { RealTime = false });
    private readonly Lock _gate = new();
    private readonly List<KeyEvent> _keys = [];
    private readonly List<PointerEvent> _pointers = [];
    private int _played;

    public string Name => _inner.Name;

    public DisplayMode Mode => _inner.Mode;

    public DamageHintKind HintKind => _inner.HintKind;

    /// <summary>The held frame (canonical, packed), once <see cref="Frozen"/>.</summary>
    public byte[] Frame { get; private set; } = [];

    public int Width { get; private set; }

    public int Height { get; private set; }

    public bool Frozen => _played >= frames;

    public async ValueTask<DisplayUpdate?> WaitForUpdateAsync(CancellationToken cancellationToken = default)
    {
        if (_played >= frames)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }

        DisplayUpdate? update = await _inner.WaitForUpdateAsync(cancellationToken).ConfigureAwait(false);
        if (update is null)
        {
            throw new InvalidOperationException($"the trace has fewer than {frames} updates");
        }

        Frame = update.Framebuffer.ReadOnlyView.ToPackedArray();
        Width = update.Framebuffer.Width;
        Height = update.Framebuffer.Height;
        _played++;
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

    public ValueTask DisposeAsync() => _inner.DisposeAsync();

    /// <summary>The held frame as 8-bit R, G, B bytes (what image tools write).</summary>
    public byte[] FrameRgb()
    {
        byte[] rgb = new byte[Width * Height * 3];
        for (int i = 0, j = 0; i < Frame.Length; i += 4, j += 3)
        {
            rgb[j] = Frame[i + 2];
            rgb[j + 1] = Frame[i + 1];
            rgb[j + 2] = Frame[i];
        }

        return rgb;
    }

    /// <summary>The held frame in a client pixel format, as the client's framebuffer must hold it.</summary>
    public byte[] FrameIn(PixelFormat format)
    {
        var converter = PixelConverter.Create(format);
        byte[] pixels = new byte[converter.GetPackedLength(Width, Height)];
        converter.FromCanonical(new ReadOnlyImageView(Frame, Width, Height, Width * 4, PixelFormat.Bgrx32), pixels);
        return pixels;
    }
}
