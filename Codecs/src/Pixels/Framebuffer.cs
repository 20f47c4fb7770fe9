using System.Runtime.InteropServices;

namespace Codecs.Pixels;

/// <summary>
/// An owned, stride-aware framebuffer over pooled, 64-byte-aligned native memory (so SIMD loads of a row start never
/// straddle a cache line when the stride is a multiple of 64, and the GC never moves or scans the pixels).
/// </summary>
/// <remarks>
/// The default format is the canonical <see cref="PixelFormat.Bgrx32"/>. Memory returns to
/// <see cref="PixelMemoryPool"/> on <see cref="Dispose"/>; use after dispose throws <see cref="ObjectDisposedException"/>.
/// A framebuffer is not thread-safe for concurrent writers; concurrent readers of unchanging pixels are fine.
/// </remarks>
public sealed unsafe class Framebuffer : IDisposable
{
    private byte* _pixels;

    private Framebuffer(int width, int height, int stride, PixelFormat format)
    {
        Width = width;
        Height = height;
        Stride = stride;
        Format = format;
        Length = checked((nint)stride * height);
        _pixels = (byte*)PixelMemoryPool.Shared.Rent(Length);
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Bytes from one row start to the next (at least <c>Width * BytesPerPixel</c>).</summary>
    public int Stride { get; }

    public PixelFormat Format { get; }

    /// <summary>Total bytes, <c>Stride * Height</c>.</summary>
    public nint Length { get; }

    public Rect Bounds => new(0, 0, Width, Height);

    public int BytesPerPixel => Format.BytesPerPixel;

    /// <summary>
    /// Allocates a framebuffer of zeroed pixels; <paramref name="stride"/> 0 means tightly packed rows.
    /// </summary>
    public static Framebuffer Allocate(int width, int height, PixelFormat? format = null, int stride = 0)
    {
        PixelFormat pixelFormat = format ?? PixelFormat.Bgrx32;
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        int rowBytes = checked(width * pixelFormat.BytesPerPixel);
        if (stride == 0)
        {
            stride = rowBytes;
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(stride, rowBytes);
        var framebuffer = new Framebuffer(width, height, stride, pixelFormat);
        framebuffer.Span.Clear();
        return framebuffer;
    }

    /// <summary>All bytes including row padding. Spans longer than 2 GiB are not supported (16384×16384×8 would be).</summary>
    public Span<byte> Span => new(Pointer, checked((int)Length));

    public ImageView View => new(Span, Width, Height, Stride, Format);

    public ReadOnlyImageView ReadOnlyView => new(Span, Width, Height, Stride, Format);

    public Span<byte> Row(int y)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)y, (uint)Height, nameof(y));
        return new Span<byte>(Pointer + (nint)y * Stride, Width * BytesPerPixel);
    }

    /// <summary>The first byte; valid until <see cref="Dispose"/>. For SIMD kernels and native calls.</summary>
    public byte* Pointer
    {
        get
        {
            ObjectDisposedException.ThrowIf(_pixels == null, this);
            return _pixels;
        }
    }

    /// <summary>Copies everything (same size and format required).</summary>
    public void CopyTo(Framebuffer destination) => ReadOnlyView.CopyTo(destination.View);

    public void Dispose()
    {
        byte* pixels = _pixels;
        _pixels = null;
        if (pixels != null)
        {
            PixelMemoryPool.Shared.Return(pixels, Length);
        }
    }
}

/// <summary>
/// A small pool of 64-byte-aligned native blocks, reused by exact size. Frames of one display mode are allocated and
/// freed over and over (previous/current frames, per-client scratch), so exact-size reuse is what pays; the pool keeps
/// at most <see cref="MaxRetainedBytes"/> and frees the rest.
/// </summary>
public sealed unsafe class PixelMemoryPool
{
    public const long MaxRetainedBytes = 512L * 1024 * 1024;
    private const nuint Alignment = 64;

    private readonly Lock _gate = new();
    private readonly Dictionary<nint, Stack<nint>> _free = [];
    private long _retainedBytes;

    public static PixelMemoryPool Shared { get; } = new();

    /// <summary>Bytes currently held for reuse.</summary>
    public long RetainedBytes
    {
        get
        {
            lock (_gate)
            {
                return _retainedBytes;
            }
        }
    }

    public void* Rent(nint length)
    {
        if (length == 0)
        {
            length = 1;
        }

        lock (_gate)
        {
            if (_free.TryGetValue(length, out Stack<nint>? blocks) && blocks.TryPop(out nint block))
            {
                _retainedBytes -= length;
                return (void*)block;
            }
        }

        return NativeMemory.AlignedAlloc((nuint)length, Alignment);
    }

    public void Return(void* block, nint length)
    {
        if (length == 0)
        {
            length = 1;
        }

        lock (_gate)
        {
            if (_retainedBytes + length <= MaxRetainedBytes)
            {
                if (!_free.TryGetValue(length, out Stack<nint>? blocks))
                {
                    blocks = new Stack<nint>();
                    _free.Add(length, blocks);
                }

                blocks.Push((nint)block);
                _retainedBytes += length;
                return;
            }
        }

        NativeMemory.AlignedFree(block);
    }

    /// <summary>Frees every retained block.</summary>
    public void Trim()
    {
        lock (_gate)
        {
            foreach (Stack<nint> blocks in _free.Values)
            {
                while (blocks.TryPop(out nint block))
                {
                    NativeMemory.AlignedFree((void*)block);
                }
            }

            _free.Clear();
            _retainedBytes = 0;
        }
    }
}
