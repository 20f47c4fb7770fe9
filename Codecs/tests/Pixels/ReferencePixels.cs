using Codecs.Pixels;

namespace Codecs.Tests.Pixels;

/// <summary>
/// An independent, deliberately plain per-pixel model of RFB pixel formats, written from the specification of
/// <see cref="PixelConverter"/> (TigerVNC's rounding down, bit replication up) without sharing any of its code: no
/// tables, no multiplies for replication, bytes placed one at a time.
/// </summary>
internal static class ReferencePixels
{
    /// <summary>Channel width n from max = 2^n − 1, by counting.</summary>
    public static int WidthOf(int max)
    {
        int n = 0;
        while ((1 << n) - 1 < max)
        {
            n++;
        }

        return n;
    }

    /// <summary>8 bits to the channel's width, rounded as TigerVNC's downconvTable: (c·max + 128) / 255.</summary>
    public static int Down(int c, int max) => (c * max + 128) / 255;

    /// <summary>The channel's width to 8 bits by repeating its bits from the most significant one down.</summary>
    public static int Up(int v, int max)
    {
        int n = WidthOf(max);
        int result = 0;
        for (int k = 0; k < 8; k++)
        {
            // Output bit 7 - k is input bit n - 1 - (k mod n).
            int bit = (v >> (n - 1 - (k % n))) & 1;
            result |= bit << (7 - k);
        }

        return result;
    }

    /// <summary>The pixel value of an 8-bit colour in a true-colour format.</summary>
    public static uint PixelValue(PixelFormat format, byte r, byte g, byte b) =>
        ((uint)Down(r, format.RedMax) << format.RedShift)
        | ((uint)Down(g, format.GreenMax) << format.GreenShift)
        | ((uint)Down(b, format.BlueMax) << format.BlueShift);

    public static (byte R, byte G, byte B) Colour(PixelFormat format, uint value) =>
        ((byte)Up((int)((value >> format.RedShift) & format.RedMax), format.RedMax),
         (byte)Up((int)((value >> format.GreenShift) & format.GreenMax), format.GreenMax),
         (byte)Up((int)((value >> format.BlueShift) & format.BlueMax), format.BlueMax));

    /// <summary>The bits of a pixel value that belong to some channel.</summary>
    public static uint ChannelMask(PixelFormat format) =>
        ((uint)format.RedMax << format.RedShift) | ((uint)format.GreenMax << format.GreenShift) | ((uint)format.BlueMax << format.BlueShift);

    public static void Store(PixelFormat format, uint value, Span<byte> destination)
    {
        int bytes = format.BitsPerPixel / 8;
        for (int j = 0; j < bytes; j++)
        {
            int significance = format.BigEndian ? bytes - 1 - j : j;
            destination[j] = (byte)(value >> (8 * significance));
        }
    }

    public static uint Load(PixelFormat format, ReadOnlySpan<byte> source)
    {
        int bytes = format.BitsPerPixel / 8;
        uint value = 0;
        for (int j = 0; j < bytes; j++)
        {
            int significance = format.BigEndian ? bytes - 1 - j : j;
            value |= (uint)source[j] << (8 * significance);
        }

        return value;
    }

    /// <summary>Canonical rows (bytes B, G, R, X; any stride) to packed client pixels.</summary>
    public static byte[] Encode(PixelFormat format, byte[] canonical, int width, int height, int stride)
    {
        int bytes = format.BitsPerPixel / 8;
        byte[] result = new byte[width * height * bytes];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int at = y * stride + x * 4;
                uint value = PixelValue(format, canonical[at + 2], canonical[at + 1], canonical[at]);
                Store(format, value, result.AsSpan((y * width + x) * bytes, bytes));
            }
        }

        return result;
    }

    /// <summary>Packed client pixels to packed canonical pixels (X = 0).</summary>
    public static byte[] Decode(PixelFormat format, ReadOnlySpan<byte> client, int pixelCount)
    {
        int bytes = format.BitsPerPixel / 8;
        byte[] result = new byte[pixelCount * 4];
        for (int i = 0; i < pixelCount; i++)
        {
            (byte r, byte g, byte b) = Colour(format, Load(format, client.Slice(i * bytes, bytes)));
            result[4 * i] = b;
            result[4 * i + 1] = g;
            result[4 * i + 2] = r;
            result[4 * i + 3] = 0;
        }

        return result;
    }
}
