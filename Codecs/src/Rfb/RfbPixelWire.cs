using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Codecs.Pixels;

namespace Codecs.Rfb;

/// <summary>How one client pixel value is stored on the wire.</summary>
public enum RfbPixelLayout : byte
{
    /// <summary>PIXEL: 1 byte.</summary>
    Byte,

    /// <summary>PIXEL: 2 bytes little-endian.</summary>
    UInt16LittleEndian,

    /// <summary>PIXEL: 2 bytes big-endian.</summary>
    UInt16BigEndian,

    /// <summary>PIXEL: 4 bytes little-endian.</summary>
    UInt32LittleEndian,

    /// <summary>PIXEL: 4 bytes big-endian.</summary>
    UInt32BigEndian,

    /// <summary>ZRLE CPIXEL: the 3 low bytes of the 32-bit value, little-endian.</summary>
    Low3LittleEndian,

    /// <summary>ZRLE CPIXEL: the 3 low bytes of the 32-bit value, big-endian.</summary>
    Low3BigEndian,

    /// <summary>ZRLE CPIXEL: the 3 high bytes of the 32-bit value, little-endian.</summary>
    High3LittleEndian,

    /// <summary>ZRLE CPIXEL: the 3 high bytes of the 32-bit value, big-endian.</summary>
    High3BigEndian,

    /// <summary>Tight TPIXEL: 3 bytes red, green, blue (8-bit channels at whole-byte shifts).</summary>
    Rgb888,
}

/// <summary>
/// Writes client pixel values (the value RFB defines, before byte order: channels at their shifts) as PIXEL, as ZRLE's
/// CPIXEL or as Tight's TPIXEL.
/// </summary>
/// <remarks>
/// <para><b>CPIXEL</b> (ZRLE): 3 bytes when the format is true colour, 32 bpp, depth ≤ 24 and all channel bits lie in
/// the least significant 3 bytes (preferred) or the most significant 3 bytes of the value; otherwise PIXEL.</para>
/// <para><b>TPIXEL</b> (Tight): 3 bytes R, G, B when the format is true colour, 32 bpp, depth 24, every max 255 and every
/// shift a multiple of 8 (TigerVNC's <c>is888</c>); otherwise PIXEL.</para>
/// A colour-mapped client is served as BGR233 true colour in its own bpp (see <see cref="PixelConverter"/>); its
/// requested format says <c>trueColour = 0</c>, so it always gets PIXEL.
/// </remarks>
public readonly struct RfbPixelWire
{
    private readonly byte _redShift;
    private readonly byte _greenShift;
    private readonly byte _blueShift;

    private RfbPixelWire(RfbPixelLayout layout, PixelFormat format)
    {
        Layout = layout;
        _redShift = format.RedShift;
        _greenShift = format.GreenShift;
        _blueShift = format.BlueShift;
        Size = layout switch
        {
            RfbPixelLayout.Byte => 1,
            RfbPixelLayout.UInt16LittleEndian or RfbPixelLayout.UInt16BigEndian => 2,
            RfbPixelLayout.UInt32LittleEndian or RfbPixelLayout.UInt32BigEndian => 4,
            _ => 3,
        };
    }

    public RfbPixelLayout Layout { get; }

    /// <summary>Bytes per pixel on the wire: 1, 2, 3 or 4.</summary>
    public int Size { get; }

    /// <summary>PIXEL: the client's bytes per pixel in its byte order.</summary>
    public static RfbPixelWire Pixel(PixelConverter converter)
    {
        ArgumentNullException.ThrowIfNull(converter);
        PixelFormat f = converter.TrueColourFormat;
        return new RfbPixelWire(
            f.BitsPerPixel switch
            {
                8 => RfbPixelLayout.Byte,
                16 => f.BigEndian ? RfbPixelLayout.UInt16BigEndian : RfbPixelLayout.UInt16LittleEndian,
                _ => f.BigEndian ? RfbPixelLayout.UInt32BigEndian : RfbPixelLayout.UInt32LittleEndian,
            },
            f);
    }

    /// <summary>ZRLE's CPIXEL for the converter's client format.</summary>
    public static RfbPixelWire CPixel(PixelConverter converter)
    {
        ArgumentNullException.ThrowIfNull(converter);
        PixelFormat requested = converter.Format;
        PixelFormat f = converter.TrueColourFormat;
        if (requested.TrueColour && f.BitsPerPixel == 32 && f.Depth <= 24)
        {
            uint mask = ChannelMask(f);
            if ((mask & 0xFF00_0000u) == 0)
            {
                return new RfbPixelWire(f.BigEndian ? RfbPixelLayout.Low3BigEndian : RfbPixelLayout.Low3LittleEndian, f);
            }

            if ((mask & 0xFFu) == 0)
            {
                return new RfbPixelWire(f.BigEndian ? RfbPixelLayout.High3BigEndian : RfbPixelLayout.High3LittleEndian, f);
            }
        }

        return Pixel(converter);
    }

    /// <summary>Tight's TPIXEL for the converter's client format.</summary>
    public static RfbPixelWire TPixel(PixelConverter converter)
    {
        ArgumentNullException.ThrowIfNull(converter);
        return IsRgb888(converter.Format) ? new RfbPixelWire(RfbPixelLayout.Rgb888, converter.Format) : Pixel(converter);
    }

    /// <summary>TigerVNC's <c>is888</c>: true colour, 32 bpp, depth 24, 8-bit channels at whole-byte shifts.</summary>
    public static bool IsRgb888(PixelFormat f) =>
        f.TrueColour && f.BitsPerPixel == 32 && f.Depth == 24 && f.RedMax == 255 && f.GreenMax == 255 && f.BlueMax == 255 &&
        f.RedShift % 8 == 0 && f.GreenShift % 8 == 0 && f.BlueShift % 8 == 0;

    /// <summary>The bits of a pixel value that belong to a channel.</summary>
    public static uint ChannelMask(PixelFormat f) =>
        ((uint)f.RedMax << f.RedShift) | ((uint)f.GreenMax << f.GreenShift) | ((uint)f.BlueMax << f.BlueShift);

    /// <summary>Stores <paramref name="value"/> in the first <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Write(uint value, Span<byte> destination)
    {
        switch (Layout)
        {
            case RfbPixelLayout.Byte:
                destination[0] = (byte)value;
                break;
            case RfbPixelLayout.UInt16LittleEndian:
                BinaryPrimitives.WriteUInt16LittleEndian(destination, (ushort)value);
                break;
            case RfbPixelLayout.UInt16BigEndian:
                BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)value);
                break;
            case RfbPixelLayout.UInt32LittleEndian:
                BinaryPrimitives.WriteUInt32LittleEndian(destination, value);
                break;
            case RfbPixelLayout.UInt32BigEndian:
                BinaryPrimitives.WriteUInt32BigEndian(destination, value);
                break;
            case RfbPixelLayout.Low3LittleEndian:
                Write3(destination, (byte)value, (byte)(value >> 8), (byte)(value >> 16));
                break;
            case RfbPixelLayout.Low3BigEndian:
                Write3(destination, (byte)(value >> 16), (byte)(value >> 8), (byte)value);
                break;
            case RfbPixelLayout.High3LittleEndian:
                Write3(destination, (byte)(value >> 8), (byte)(value >> 16), (byte)(value >> 24));
                break;
            case RfbPixelLayout.High3BigEndian:
                Write3(destination, (byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8));
                break;
            default:
                Write3(destination, (byte)(value >> _redShift), (byte)(value >> _greenShift), (byte)(value >> _blueShift));
                break;
        }
    }

    /// <summary>Stores every value of <paramref name="values"/>, <see cref="Size"/> bytes each; returns the bytes written.</summary>
    public int WriteMany(ReadOnlySpan<uint> values, Span<byte> destination)
    {
        int size = Size;
        int length = values.Length * size;
        destination = destination[..length];
        switch (Layout)
        {
            case RfbPixelLayout.UInt32LittleEndian when BitConverter.IsLittleEndian:
                MemoryMarshal.AsBytes(values).CopyTo(destination);
                break;
            case RfbPixelLayout.Low3LittleEndian:
            case RfbPixelLayout.High3LittleEndian:
            case RfbPixelLayout.Rgb888:
                {
                    int s0 = Layout == RfbPixelLayout.Rgb888 ? _redShift : Layout == RfbPixelLayout.High3LittleEndian ? 8 : 0;
                    int s1 = Layout == RfbPixelLayout.Rgb888 ? _greenShift : s0 + 8;
                    int s2 = Layout == RfbPixelLayout.Rgb888 ? _blueShift : s0 + 16;
                    int i = BitConverter.IsLittleEndian ? PackThreeBytes(values, destination, s0 / 8, s1 / 8, s2 / 8) : 0;
                    for (int o = 3 * i; i < values.Length; i++, o += 3)
                    {
                        uint v = values[i];
                        destination[o + 2] = (byte)(v >> s2);
                        destination[o + 1] = (byte)(v >> s1);
                        destination[o] = (byte)(v >> s0);
                    }

                    break;
                }

            default:
                for (int i = 0, o = 0; i < values.Length; i++, o += size)
                {
                    Write(values[i], destination[o..]);
                }

                break;
        }

        return length;
    }

    /// <summary>
    /// Stores bytes <paramref name="k0"/>, <paramref name="k1"/>, <paramref name="k2"/> of each little-endian value, four
    /// values per byte shuffle; returns how many values were done (the caller stores the rest, at most five).
    /// </summary>
    /// <remarks>
    /// One 16-byte vector holds four values; the shuffle gathers their three chosen bytes into the first 12 bytes:
    /// <code>
    /// values   a0 a1 a2 a3 | b0 b1 b2 b3 | c0 c1 c2 c3 | d0 d1 d2 d3      (Rgb888 for Rgbx32: k = 0, 1, 2)
    /// control   0  1  2  4  5  6  8  9 10 12 13 14 80 80 80 80
    /// stored   a0 a1 a2 b0 b1 b2 c0 c1 c2 d0 d1 d2 00 00 00 00            (the next store overwrites the 4 zeros)
    /// </code>
    /// Every store writes 16 bytes and advances 12, so the loop stops while 16 bytes still fit in the output.
    /// </remarks>
    private static int PackThreeBytes(ReadOnlySpan<uint> values, Span<byte> destination, int k0, int k1, int k2)
    {
        if (!Vector128.IsHardwareAccelerated || values.Length < 6)
        {
            return 0;
        }

        Vector128<byte> control = Vector128.Create(
            (byte)k0, (byte)k1, (byte)k2, (byte)(4 + k0), (byte)(4 + k1), (byte)(4 + k2),
            (byte)(8 + k0), (byte)(8 + k1), (byte)(8 + k2), (byte)(12 + k0), (byte)(12 + k1), (byte)(12 + k2),
            0x80, 0x80, 0x80, 0x80);
        ref byte source = ref Unsafe.As<uint, byte>(ref MemoryMarshal.GetReference(values));
        ref byte output = ref MemoryMarshal.GetReference(destination);
        nuint end = (nuint)values.Length * 3;
        nuint i = 0;
        nuint o = 0;
        for (; o + 16 <= end; i += 16, o += 12)
        {
            Vector128<byte> pixels = Vector128.LoadUnsafe(ref source, i);
            Vector128<byte> packed = Ssse3.IsSupported ? Ssse3.Shuffle(pixels, control) : Vector128.Shuffle(pixels, control);
            packed.StoreUnsafe(ref output, o);
        }

        return (int)(i / 4);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Write3(Span<byte> destination, byte b0, byte b1, byte b2)
    {
        destination[2] = b2;
        destination[1] = b1;
        destination[0] = b0;
    }

    /// <summary>Bits needed for a palette index of <paramref name="paletteSize"/> colours (0 for one colour).</summary>
    public static int IndexBits(int paletteSize) => paletteSize <= 1 ? 0 : 32 - BitOperations.LeadingZeroCount((uint)paletteSize - 1);
}
