using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Codecs.Pixels;

/// <summary>
/// A writable, stride-aware window onto pixels: row <c>y</c> starts at byte <c>y * Stride</c> of <see cref="Data"/>
/// and holds <c>Width * BytesPerPixel</c> bytes of pixels in <see cref="Format"/>; bytes between rows are not touched.
/// </summary>
public readonly ref struct ImageView
{
    public ImageView(Span<byte> data, int width, int height, int stride, PixelFormat format)
    {
        ImageGeometry.Check(data.Length, width, height, stride, format.BytesPerPixel);
        Data = data;
        Width = width;
        Height = height;
        Stride = stride;
        Format = format;
    }

    public Span<byte> Data { get; }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Bytes from the start of one row to the start of the next.</summary>
    public int Stride { get; }

    public PixelFormat Format { get; }

    public int BytesPerPixel => Format.BytesPerPixel;

    public Rect Bounds => new(0, 0, Width, Height);

    /// <summary>The pixels of row <paramref name="y"/>, without the padding after them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<byte> Row(int y) => Data.Slice(y * Stride, Width * BytesPerPixel);

    /// <summary>A view of the part of this view inside <paramref name="area"/>, which must lie inside <see cref="Bounds"/>.</summary>
    public ImageView Slice(Rect area)
    {
        ImageGeometry.CheckInside(area, Width, Height);
        if (area.IsEmpty)
        {
            return new ImageView(default, 0, 0, 0, Format);
        }

        int start = area.Y * Stride + area.X * BytesPerPixel;
        int length = (area.Height - 1) * Stride + area.Width * BytesPerPixel;
        return new ImageView(Data.Slice(start, length), area.Width, area.Height, Stride, Format);
    }

    /// <summary>Copies the pixels row by row into <paramref name="destination"/>, which must have the same size and format.</summary>
    public void CopyTo(ImageView destination) => AsReadOnly().CopyTo(destination);

    public void Clear()
    {
        for (int y = 0; y < Height; y++)
        {
            Row(y).Clear();
        }
    }

    public ReadOnlyImageView AsReadOnly() => new(Data, Width, Height, Stride, Format);

    public static implicit operator ReadOnlyImageView(ImageView view) => view.AsReadOnly();
}

/// <summary>A read-only, stride-aware window onto pixels; see <see cref="ImageView"/> for the layout.</summary>
public readonly ref struct ReadOnlyImageView
{
    public ReadOnlyImageView(ReadOnlySpan<byte> data, int width, int height, int stride, PixelFormat format)
    {
        ImageGeometry.Check(data.Length, width, height, stride, format.BytesPerPixel);
        Data = data;
        Width = width;
        Height = height;
        Stride = stride;
        Format = format;
    }

    public ReadOnlySpan<byte> Data { get; }

    public int Width { get; }

    public int Height { get; }

    public int Stride { get; }

    public PixelFormat Format { get; }

    public int BytesPerPixel => Format.BytesPerPixel;

    public Rect Bounds => new(0, 0, Width, Height);

    /// <summary>True when rows follow each other with no padding, so the pixels are one contiguous span.</summary>
    public bool IsContiguous => Height <= 1 || Stride == Width * BytesPerPixel;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<byte> Row(int y) => Data.Slice(y * Stride, Width * BytesPerPixel);

    public ReadOnlyImageView Slice(Rect area)
    {
        ImageGeometry.CheckInside(area, Width, Height);
        if (area.IsEmpty)
        {
            return new ReadOnlyImageView(default, 0, 0, 0, Format);
        }

        int start = area.Y * Stride + area.X * BytesPerPixel;
        int length = (area.Height - 1) * Stride + area.Width * BytesPerPixel;
        return new ReadOnlyImageView(Data.Slice(start, length), area.Width, area.Height, Stride, Format);
    }

    public void CopyTo(ImageView destination)
    {
        if (destination.Width != Width || destination.Height != Height || destination.Format != Format)
        {
            throw new ArgumentException($"Destination is {destination.Width}x{destination.Height} {destination.Format}, source is {Width}x{Height} {Format}.", nameof(destination));
        }

        if (IsContiguous && destination.AsReadOnly().IsContiguous)
        {
            Data[..(Width * BytesPerPixel * Height)].CopyTo(destination.Data);
            return;
        }

        for (int y = 0; y < Height; y++)
        {
            Row(y).CopyTo(destination.Row(y));
        }
    }

    /// <summary>Pixel-by-pixel equality of two views of the same size and format (padding ignored).</summary>
    public bool ContentEquals(ReadOnlyImageView other)
    {
        if (other.Width != Width || other.Height != Height || other.Format != Format)
        {
            return false;
        }

        for (int y = 0; y < Height; y++)
        {
            if (!Row(y).SequenceEqual(other.Row(y)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Copies the pixels into a new tightly packed array (for tests and tools, not hot paths).</summary>
    public byte[] ToPackedArray()
    {
        int rowBytes = Width * BytesPerPixel;
        byte[] packed = GC.AllocateUninitializedArray<byte>(rowBytes * Height);
        for (int y = 0; y < Height; y++)
        {
            Row(y).CopyTo(packed.AsSpan(y * rowBytes, rowBytes));
        }

        return packed;
    }

    /// <summary>The first pixel's bytes, for SIMD kernels that walk rows with <c>LoadUnsafe</c>.</summary>
    public ref byte GetReference() => ref MemoryMarshal.GetReference(Data);
}

internal static class ImageGeometry
{
    public static void Check(int dataLength, int width, int height, int stride, int bytesPerPixel)
    {
        if (width < 0 || height < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(width), $"Negative size {width}x{height}.");
        }

        if (width == 0 || height == 0)
        {
            return;
        }

        long rowBytes = (long)width * bytesPerPixel;
        if (stride < rowBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(stride), $"Stride {stride} is shorter than a row of {rowBytes} bytes.");
        }

        long needed = (long)(height - 1) * stride + rowBytes;
        if (dataLength < needed)
        {
            throw new ArgumentException($"{width}x{height} pixels with stride {stride} need {needed} bytes; the buffer has {dataLength}.");
        }
    }

    public static void CheckInside(Rect area, int width, int height)
    {
        if (area.X < 0 || area.Y < 0 || area.Width < 0 || area.Height < 0 || area.Right > width || area.Bottom > height)
        {
            throw new ArgumentOutOfRangeException(nameof(area), $"{area} is not inside {width}x{height}.");
        }
    }
}
