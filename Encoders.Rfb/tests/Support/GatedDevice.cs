using Codecs.Pixels;
using Damage.Device;

namespace Encoders.Rfb.Tests.Support;

/// <summary>
/// Wraps a device so that the test decides when each update is handed out (one <see cref="Release"/> = one update),
/// keeps a copy of the newest frame to compare client pictures with, and records the input it receives.
/// </summary>
internal sealed class GatedDevice(IDisplayDevice inner) : IDisplayDevice
{
    private readonly SemaphoreSlim _permits = new(0);
    private readonly Lock _gate = new();
    private readonly List<KeyEvent> _keys = [];
    private readonly List<PointerEvent> _pointers = [];
    private readonly List<string> _clipboard = [];

    public string Name => inner.Name;

    public DisplayMode Mode => inner.Mode;

    public DamageHintKind HintKind => inner.HintKind;

    /// <summary>The newest frame handed out (canonical, packed rows).</summary>
    public byte[] Frame { get; private set; } = [];

    /// <summary>The frame handed out before <see cref="Frame"/>.</summary>
    public byte[] PreviousFrame { get; private set; } = [];

    public int Width { get; private set; }

    public int Height { get; private set; }

    public long Updates { get; private set; }

    public void Release(int count = 1) => _permits.Release(count);

    public async ValueTask<DisplayUpdate?> WaitForUpdateAsync(CancellationToken cancellationToken = default)
    {
        await _permits.WaitAsync(cancellationToken).ConfigureAwait(false);
        DisplayUpdate? update = await inner.WaitForUpdateAsync(cancellationToken).ConfigureAwait(false);
        if (update is not null)
        {
            PreviousFrame = Frame;
            Frame = update.Framebuffer.ReadOnlyView.ToPackedArray();
            Width = update.Framebuffer.Width;
            Height = update.Framebuffer.Height;
            Updates++;
        }

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

    public IReadOnlyList<string> Clipboard
    {
        get
        {
            lock (_gate)
            {
                return [.. _clipboard];
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
        lock (_gate)
        {
            _clipboard.Add(text);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        _permits.Dispose();
    }

    /// <summary>The newest frame as <paramref name="format"/> pixels, which is what an exact client must show.</summary>
    public byte[] FrameIn(PixelFormat format)
    {
        var converter = PixelConverter.Create(format);
        byte[] expected = new byte[converter.GetPackedLength(Width, Height)];
        converter.FromCanonical(new ReadOnlyImageView(Frame, Width, Height, Width * 4, PixelFormat.Bgrx32), expected);
        return expected;
    }
}
