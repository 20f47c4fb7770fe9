using Codecs.Pixels;

namespace Damage.Tests.Support;

/// <summary>Framebuffers for tests: random pixels, random padding, random damage.</summary>
internal static class TestFrames
{
    /// <summary>A frame of random bytes everywhere, padding included; <paramref name="pad"/> bytes after each row.</summary>
    public static Framebuffer Random(int width, int height, Random rng, int pad = 0, PixelFormat? format = null)
    {
        PixelFormat pixelFormat = format ?? PixelFormat.Bgrx32;
        int stride = width * pixelFormat.BytesPerPixel + pad;
        Framebuffer frame = Framebuffer.Allocate(width, height, pixelFormat, stride == 0 ? 0 : stride);
        rng.NextBytes(frame.Span);
        return frame;
    }

    /// <summary>A frame with <paramref name="source"/>'s pixels and independent random padding (and its own stride).</summary>
    public static Framebuffer CloneWithNewPadding(ReadOnlyImageView source, Random rng, int pad)
    {
        int stride = source.Width * source.BytesPerPixel + pad;
        Framebuffer frame = Framebuffer.Allocate(source.Width, source.Height, source.Format, stride == 0 ? 0 : stride);
        rng.NextBytes(frame.Span);
        source.CopyTo(frame.View);
        return frame;
    }

    /// <summary>Overwrites <paramref name="area"/> with random bytes; every pixel of it then differs with probability ~1 − 2^-(8·bpp).</summary>
    public static void Scribble(ImageView view, Rect area, Random rng)
    {
        ImageView slice = view.Slice(area.Intersect(view.Bounds));
        for (int y = 0; y < slice.Height; y++)
        {
            rng.NextBytes(slice.Row(y));
        }
    }

    /// <summary>Flips one byte of the pixel at (x, y) so that it certainly differs.</summary>
    public static void Poke(ImageView view, int x, int y)
    {
        view.Row(y)[x * view.BytesPerPixel] ^= 0x5A;
    }

    /// <summary>A random rectangle inside a width × height frame (non-empty when the frame is).</summary>
    public static Rect RandomRect(Random rng, int width, int height, int maxSide = int.MaxValue)
    {
        int w = rng.Next(1, Math.Min(width, maxSide) + 1);
        int h = rng.Next(1, Math.Min(height, maxSide) + 1);
        return new Rect(rng.Next(0, width - w + 1), rng.Next(0, height - h + 1), w, h);
    }
}
