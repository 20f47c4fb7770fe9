using Codecs.Pixels;
using Codecs.Spice.Lz4Image;

namespace Codecs.Spice.Choice;

/// <summary>
/// An uncompressed SPICE bitmap as the codecs see it: <see cref="Height"/> rows of <see cref="Stride"/> bytes in
/// memory order (<see cref="TopDown"/> false: the first row is the bottom of the image), in one of the RGB
/// <see cref="SpiceBitmapFormat"/>s.
/// </summary>
public readonly ref struct SpiceBitmap
{
    public SpiceBitmap(ReadOnlySpan<byte> pixels, int width, int height, int stride, SpiceBitmapFormat format, bool topDown = true)
    {
        int bpp = Lz4ImageEncoder.BytesPerPixel(format);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, width * bpp);
        if (pixels.Length < ((long)(height - 1) * stride) + ((long)width * bpp))
        {
            throw new ArgumentException("Pixel buffer smaller than height × stride.", nameof(pixels));
        }

        Pixels = pixels;
        Width = width;
        Height = height;
        Stride = stride;
        Format = format;
        TopDown = topDown;
    }

    public ReadOnlySpan<byte> Pixels { get; }

    public int Width { get; }

    public int Height { get; }

    public int Stride { get; }

    public SpiceBitmapFormat Format { get; }

    public bool TopDown { get; }

    /// <summary>Bytes per pixel of <see cref="Format"/>.</summary>
    public int BytesPerPixel => Lz4ImageEncoder.BytesPerPixel(Format);

    /// <summary>Size of the uncompressed image with tight rows, the most any compressed payload may take.</summary>
    public long RawLength => (long)Width * Height * BytesPerPixel;

    /// <summary>A canonical (B,G,R,X) framebuffer view as a top-down 32-bit bitmap.</summary>
    public static SpiceBitmap FromView(ReadOnlyImageView view)
    {
        if (!view.Format.IsCanonical)
        {
            throw new ArgumentException("SPICE bitmaps are made from canonical Bgrx32 views.", nameof(view));
        }

        return new SpiceBitmap(view.Data, view.Width, view.Height, view.Stride, SpiceBitmapFormat.Rgb32);
    }
}
