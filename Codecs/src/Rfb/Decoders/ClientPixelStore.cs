using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using Codecs.Pixels;

namespace Codecs.Rfb.Decoders;

/// <summary>
/// The decoder side's view of the client pixel format, written from rfbproto independently of the encoders: reads
/// PIXEL, ZRLE CPIXEL and Tight TPIXEL into pixel values, and stores pixel values into a client-format framebuffer.
/// </summary>
internal sealed class ClientPixelStore
{
    private readonly int _cpixelShift;

    public ClientPixelStore(PixelFormat format)
    {
        format.Validate();
        if (!format.TrueColour)
        {
            // Colour-mapped clients are served BGR233 values in their bpp (PixelConverter's convention).
            format = format with { TrueColour = true, RedMax = 7, GreenMax = 7, BlueMax = 3, RedShift = 0, GreenShift = 3, BlueShift = 6 };
            IsColourMapped = true;
        }

        Format = format;
        BytesPerPixel = format.BitsPerPixel / 8;

        // CPIXEL (rfbproto, ZRLE): 3 bytes when true colour, bpp 32, depth <= 24 and the channel bits fit the
        // least significant three bytes (preferred) or the most significant three bytes.
        CPixelSize = BytesPerPixel;
        if (!IsColourMapped && format.BitsPerPixel == 32 && format.Depth <= 24)
        {
            uint mask = ((uint)format.RedMax << format.RedShift) | ((uint)format.GreenMax << format.GreenShift) | ((uint)format.BlueMax << format.BlueShift);
            if (mask <= 0x00FF_FFFFu)
            {
                CPixelSize = 3;
                _cpixelShift = 0;
            }
            else if ((mask & 0xFF) == 0)
            {
                CPixelSize = 3;
                _cpixelShift = 8;
            }
        }

        // TPIXEL (rfbproto, Tight): R, G, B bytes when true colour, bpp 32, depth 24 and 8-bit channels at byte shifts.
        TPixelIsRgb = !IsColourMapped && format.BitsPerPixel == 32 && format.Depth == 24 &&
            format.RedMax == 255 && format.GreenMax == 255 && format.BlueMax == 255 &&
            (format.RedShift | format.GreenShift | format.BlueShift) % 8 == 0 &&
            format.RedShift % 8 == 0 && format.GreenShift % 8 == 0 && format.BlueShift % 8 == 0;
        TPixelSize = TPixelIsRgb ? 3 : BytesPerPixel;
    }

    public PixelFormat Format { get; }

    public bool IsColourMapped { get; }

    public int BytesPerPixel { get; }

    public int CPixelSize { get; }

    public int TPixelSize { get; }

    public bool TPixelIsRgb { get; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint ReadPixel(ReadOnlySpan<byte> s) => BytesPerPixel switch
    {
        1 => s[0],
        2 => Format.BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(s) : BinaryPrimitives.ReadUInt16LittleEndian(s),
        _ => Format.BigEndian ? BinaryPrimitives.ReadUInt32BigEndian(s) : BinaryPrimitives.ReadUInt32LittleEndian(s),
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint ReadCPixel(ReadOnlySpan<byte> s)
    {
        if (CPixelSize != 3)
        {
            return ReadPixel(s);
        }

        uint v = Format.BigEndian ? (uint)((s[0] << 16) | (s[1] << 8) | s[2]) : (uint)(s[0] | (s[1] << 8) | (s[2] << 16));
        return v << _cpixelShift;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint ReadTPixel(ReadOnlySpan<byte> s) =>
        TPixelIsRgb ? FromRgb(s[0], s[1], s[2]) : ReadPixel(s);

    /// <summary>Pixel value of an 8-bit colour (for 888 formats: exact).</summary>
    public uint FromRgb(int r, int g, int b) =>
        ((uint)(r * Format.RedMax / 255) << Format.RedShift) |
        ((uint)(g * Format.GreenMax / 255) << Format.GreenShift) |
        ((uint)(b * Format.BlueMax / 255) << Format.BlueShift);

    /// <summary>Channels of a pixel value, each scaled to 0..255 (approximately for channels under 8 bits).</summary>
    public void ToRgb(uint v, out int r, out int g, out int b)
    {
        r = Scale((int)(v >> Format.RedShift) & Format.RedMax, Format.RedMax);
        g = Scale((int)(v >> Format.GreenShift) & Format.GreenMax, Format.GreenMax);
        b = Scale((int)(v >> Format.BlueShift) & Format.BlueMax, Format.BlueMax);
    }

    private static int Scale(int v, int max) => max == 255 ? v : v * 255 / max;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(uint v, Span<byte> d)
    {
        switch (BytesPerPixel)
        {
            case 1:
                d[0] = (byte)v;
                break;
            case 2:
                if (Format.BigEndian)
                {
                    BinaryPrimitives.WriteUInt16BigEndian(d, (ushort)v);
                }
                else
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(d, (ushort)v);
                }

                break;
            default:
                if (Format.BigEndian)
                {
                    BinaryPrimitives.WriteUInt32BigEndian(d, v);
                }
                else
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(d, v);
                }

                break;
        }
    }

    /// <summary>Fills a rectangle of <paramref name="fb"/> with one pixel value.</summary>
    public void Fill(ImageView fb, int x, int y, int w, int h, uint v)
    {
        int bpp = BytesPerPixel;
        Span<byte> one = stackalloc byte[4];
        Store(v, one);
        for (int row = y; row < y + h; row++)
        {
            Span<byte> line = fb.Row(row).Slice(x * bpp, w * bpp);
            switch (bpp)
            {
                case 1:
                    line.Fill(one[0]);
                    break;
                case 2:
                    System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(line).Fill(BitConverter.ToUInt16(one));
                    break;
                default:
                    System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(line).Fill(BitConverter.ToUInt32(one));
                    break;
            }
        }
    }

    public static int BitsFor(int paletteSize) => paletteSize <= 1 ? 0 : 32 - BitOperations.LeadingZeroCount((uint)paletteSize - 1);
}
