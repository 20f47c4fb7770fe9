using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Codecs.Pixels;

public sealed partial class PixelConverter
{
    // Byte reversal of every 32-bit lane (big-endian 32 bpp), for ShuffleWithinLanes.
    private static readonly Vector128<byte> s_reverseBytes32 = Vector128.Create((byte)3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);

    // Byte swap of every 16-bit lane (big-endian 16 bpp), for ShuffleWithinLanes.
    private static readonly Vector128<byte> s_reverseBytes16 = Vector128.Create((byte)1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14);

    /// <summary>
    /// Canonical pixels to any true-colour layout of 8, 16 or 32 bits: scale, shift, pack, byte order, narrow.
    /// Converts whole output vectors only and returns the number of pixels done; the caller converts the rest.
    /// </summary>
    /// <remarks>
    /// One canonical pixel per 32-bit lane, split into 16-bit lanes so one multiply scales two channels:
    /// <code>
    /// pixel            X R G B              bits 31..24 X, 23..16 R, 15..8 G, 7..0 B
    /// pixel &amp; 00FF00FF  [  B  |  R  ]         16-bit lanes, low then high
    /// (pixel >> 8) &amp; .. [  G  |  X  ]
    /// × multipliers    [bMax | rMax], [gMax | 0]
    /// + 128, / 255     [ b'  |  r' ], [ g'  |  0 ]  (each below 256; ScaleDown)
    /// value            (b' &lt;&lt; bs) | (r' &lt;&lt; rs) | (g' &lt;&lt; gs)   in the 32-bit lane
    /// </code>
    /// then, by bits per pixel: 32 — store (bytes reversed for big-endian); 16 — two vectors narrowed to one of 16-bit
    /// lanes (bytes swapped for big-endian, one byte shuffle); 8 — four vectors narrowed twice to bytes.
    /// Scalar equivalent: <c>value = Down(r) &lt;&lt; rs | Down(g) &lt;&lt; gs | Down(b) &lt;&lt; bs</c> with
    /// <c>Down(c) = (c * max + 128) / 255</c>, stored in the client's byte order (what <see cref="FromCanonicalScalar"/>
    /// computes with tables).
    /// </remarks>
    private nuint PackFromCanonical(ref byte source, ref byte destination, nuint pixelCount)
    {
        nuint i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            i = PackFromCanonical512(ref source, ref destination, pixelCount, i);
        }

        if (Vector256.IsHardwareAccelerated)
        {
            i = PackFromCanonical256(ref source, ref destination, pixelCount, i);
        }

        if (Vector128.IsHardwareAccelerated)
        {
            i = PackFromCanonical128(ref source, ref destination, pixelCount, i);
        }

        return i;
    }

    /// <summary>The 512-bit tier of <see cref="PackFromCanonical"/>: from pixel <paramref name="i"/> while whole vectors remain; returns where it stopped.</summary>
    private nuint PackFromCanonical512(ref byte source, ref byte destination, nuint pixelCount, nuint i)
    {
        int redShift = _red.Shift;
        int greenShift = _green.Shift;
        int blueShift = _blue.Shift;
        uint blueRedMultipliers = (uint)_blue.Max | ((uint)_red.Max << 16);
        uint greenMultiplier = (uint)_green.Max;
        bool bigEndian = TrueColourFormat.BigEndian;

        Vector512<ushort> blueRed = Vector512.Create(blueRedMultipliers).AsUInt16();
        Vector512<ushort> green = Vector512.Create(greenMultiplier).AsUInt16();
        switch (_bytesPerPixel)
        {
            case 1:
                for (; pixelCount - i >= 64; i += 64)
                {
                    ref byte from = ref Unsafe.Add(ref source, i * CanonicalBytesPerPixel);
                    Vector512<ushort> low = Vector512.Narrow(
                        Pack(Vector512.LoadUnsafe(ref from, 0).AsUInt32(), blueRed, green, redShift, greenShift, blueShift),
                        Pack(Vector512.LoadUnsafe(ref from, 64).AsUInt32(), blueRed, green, redShift, greenShift, blueShift));
                    Vector512<ushort> high = Vector512.Narrow(
                        Pack(Vector512.LoadUnsafe(ref from, 128).AsUInt32(), blueRed, green, redShift, greenShift, blueShift),
                        Pack(Vector512.LoadUnsafe(ref from, 192).AsUInt32(), blueRed, green, redShift, greenShift, blueShift));
                    Vector512.Narrow(low, high).StoreUnsafe(ref destination, i);
                }

                break;
            case 2:
                Vector512<byte> swap = LaneControl512(s_reverseBytes16);
                for (; pixelCount - i >= 32; i += 32)
                {
                    ref byte from = ref Unsafe.Add(ref source, i * CanonicalBytesPerPixel);
                    Vector512<ushort> packed = Vector512.Narrow(
                        Pack(Vector512.LoadUnsafe(ref from, 0).AsUInt32(), blueRed, green, redShift, greenShift, blueShift),
                        Pack(Vector512.LoadUnsafe(ref from, 64).AsUInt32(), blueRed, green, redShift, greenShift, blueShift));
                    if (bigEndian)
                    {
                        packed = ShuffleWithinLanes(packed.AsByte(), swap).AsUInt16();
                    }

                    packed.AsByte().StoreUnsafe(ref destination, i * 2);
                }

                break;
            default:
                Vector512<byte> reverse = LaneControl512(s_reverseBytes32);
                for (; pixelCount - i >= 16; i += 16)
                {
                    Vector512<uint> canonical = Vector512.LoadUnsafe(ref source, i * CanonicalBytesPerPixel).AsUInt32();
                    Vector512<byte> packed = Pack(canonical, blueRed, green, redShift, greenShift, blueShift).AsByte();
                    if (bigEndian)
                    {
                        packed = ShuffleWithinLanes(packed, reverse);
                    }

                    packed.StoreUnsafe(ref destination, i * 4);
                }

                break;
        }

        return i;
    }

    /// <summary>The 256-bit tier of <see cref="PackFromCanonical"/>: from pixel <paramref name="i"/> while whole vectors remain; returns where it stopped.</summary>
    private nuint PackFromCanonical256(ref byte source, ref byte destination, nuint pixelCount, nuint i)
    {
        int redShift = _red.Shift;
        int greenShift = _green.Shift;
        int blueShift = _blue.Shift;
        uint blueRedMultipliers = (uint)_blue.Max | ((uint)_red.Max << 16);
        uint greenMultiplier = (uint)_green.Max;
        bool bigEndian = TrueColourFormat.BigEndian;

        Vector256<ushort> blueRed = Vector256.Create(blueRedMultipliers).AsUInt16();
        Vector256<ushort> green = Vector256.Create(greenMultiplier).AsUInt16();
        switch (_bytesPerPixel)
        {
            case 1:
                for (; pixelCount - i >= 32; i += 32)
                {
                    ref byte from = ref Unsafe.Add(ref source, i * CanonicalBytesPerPixel);
                    Vector256<ushort> low = Vector256.Narrow(
                        Pack(Vector256.LoadUnsafe(ref from, 0).AsUInt32(), blueRed, green, redShift, greenShift, blueShift),
                        Pack(Vector256.LoadUnsafe(ref from, 32).AsUInt32(), blueRed, green, redShift, greenShift, blueShift));
                    Vector256<ushort> high = Vector256.Narrow(
                        Pack(Vector256.LoadUnsafe(ref from, 64).AsUInt32(), blueRed, green, redShift, greenShift, blueShift),
                        Pack(Vector256.LoadUnsafe(ref from, 96).AsUInt32(), blueRed, green, redShift, greenShift, blueShift));
                    Vector256.Narrow(low, high).StoreUnsafe(ref destination, i);
                }

                break;
            case 2:
                Vector256<byte> swap = LaneControl256(s_reverseBytes16);
                for (; pixelCount - i >= 16; i += 16)
                {
                    ref byte from = ref Unsafe.Add(ref source, i * CanonicalBytesPerPixel);
                    Vector256<ushort> packed = Vector256.Narrow(
                        Pack(Vector256.LoadUnsafe(ref from, 0).AsUInt32(), blueRed, green, redShift, greenShift, blueShift),
                        Pack(Vector256.LoadUnsafe(ref from, 32).AsUInt32(), blueRed, green, redShift, greenShift, blueShift));
                    if (bigEndian)
                    {
                        packed = ShuffleWithinLanes(packed.AsByte(), swap).AsUInt16();
                    }

                    packed.AsByte().StoreUnsafe(ref destination, i * 2);
                }

                break;
            default:
                Vector256<byte> reverse = LaneControl256(s_reverseBytes32);
                for (; pixelCount - i >= 8; i += 8)
                {
                    Vector256<uint> canonical = Vector256.LoadUnsafe(ref source, i * CanonicalBytesPerPixel).AsUInt32();
                    Vector256<byte> packed = Pack(canonical, blueRed, green, redShift, greenShift, blueShift).AsByte();
                    if (bigEndian)
                    {
                        packed = ShuffleWithinLanes(packed, reverse);
                    }

                    packed.StoreUnsafe(ref destination, i * 4);
                }

                break;
        }

        return i;
    }

    /// <summary>The 128-bit tier of <see cref="PackFromCanonical"/>: from pixel <paramref name="i"/> while whole vectors remain; returns where it stopped.</summary>
    private nuint PackFromCanonical128(ref byte source, ref byte destination, nuint pixelCount, nuint i)
    {
        int redShift = _red.Shift;
        int greenShift = _green.Shift;
        int blueShift = _blue.Shift;
        uint blueRedMultipliers = (uint)_blue.Max | ((uint)_red.Max << 16);
        uint greenMultiplier = (uint)_green.Max;
        bool bigEndian = TrueColourFormat.BigEndian;

        Vector128<ushort> blueRed = Vector128.Create(blueRedMultipliers).AsUInt16();
        Vector128<ushort> green = Vector128.Create(greenMultiplier).AsUInt16();
        switch (_bytesPerPixel)
        {
            case 1:
                for (; pixelCount - i >= 16; i += 16)
                {
                    ref byte from = ref Unsafe.Add(ref source, i * CanonicalBytesPerPixel);
                    Vector128<ushort> low = Vector128.Narrow(
                        Pack(Vector128.LoadUnsafe(ref from, 0).AsUInt32(), blueRed, green, redShift, greenShift, blueShift),
                        Pack(Vector128.LoadUnsafe(ref from, 16).AsUInt32(), blueRed, green, redShift, greenShift, blueShift));
                    Vector128<ushort> high = Vector128.Narrow(
                        Pack(Vector128.LoadUnsafe(ref from, 32).AsUInt32(), blueRed, green, redShift, greenShift, blueShift),
                        Pack(Vector128.LoadUnsafe(ref from, 48).AsUInt32(), blueRed, green, redShift, greenShift, blueShift));
                    Vector128.Narrow(low, high).StoreUnsafe(ref destination, i);
                }

                break;
            case 2:
                Vector128<byte> swap = s_reverseBytes16;
                for (; pixelCount - i >= 8; i += 8)
                {
                    ref byte from = ref Unsafe.Add(ref source, i * CanonicalBytesPerPixel);
                    Vector128<ushort> packed = Vector128.Narrow(
                        Pack(Vector128.LoadUnsafe(ref from, 0).AsUInt32(), blueRed, green, redShift, greenShift, blueShift),
                        Pack(Vector128.LoadUnsafe(ref from, 16).AsUInt32(), blueRed, green, redShift, greenShift, blueShift));
                    if (bigEndian)
                    {
                        packed = ShuffleWithinLanes(packed.AsByte(), swap).AsUInt16();
                    }

                    packed.AsByte().StoreUnsafe(ref destination, i * 2);
                }

                break;
            default:
                Vector128<byte> reverse = s_reverseBytes32;
                for (; pixelCount - i >= 4; i += 4)
                {
                    Vector128<uint> canonical = Vector128.LoadUnsafe(ref source, i * CanonicalBytesPerPixel).AsUInt32();
                    Vector128<byte> packed = Pack(canonical, blueRed, green, redShift, greenShift, blueShift).AsByte();
                    if (bigEndian)
                    {
                        packed = ShuffleWithinLanes(packed, reverse);
                    }

                    packed.StoreUnsafe(ref destination, i * 4);
                }

                break;
        }

        return i;
    }

    /// <summary>The pixel value of each canonical pixel, one per 32-bit lane (see <see cref="PackFromCanonical"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> Pack(
        Vector512<uint> canonical, Vector512<ushort> blueRedMax, Vector512<ushort> greenMax, int redShift, int greenShift, int blueShift)
    {
        Vector512<uint> lowBytes = Vector512.Create(0x00FF00FFu);
        Vector512<uint> blueRed = ScaleDown((canonical & lowBytes).AsUInt16(), blueRedMax).AsUInt32();
        Vector512<uint> green = ScaleDown(((canonical >> 8) & lowBytes).AsUInt16(), greenMax).AsUInt32();
        return ((blueRed & Vector512.Create(0xFFFFu)) << blueShift) | ((blueRed >> 16) << redShift) | (green << greenShift);
    }

    /// <inheritdoc cref="Pack(Vector512{uint}, Vector512{ushort}, Vector512{ushort}, int, int, int)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Pack(
        Vector256<uint> canonical, Vector256<ushort> blueRedMax, Vector256<ushort> greenMax, int redShift, int greenShift, int blueShift)
    {
        Vector256<uint> lowBytes = Vector256.Create(0x00FF00FFu);
        Vector256<uint> blueRed = ScaleDown((canonical & lowBytes).AsUInt16(), blueRedMax).AsUInt32();
        Vector256<uint> green = ScaleDown(((canonical >> 8) & lowBytes).AsUInt16(), greenMax).AsUInt32();
        return ((blueRed & Vector256.Create(0xFFFFu)) << blueShift) | ((blueRed >> 16) << redShift) | (green << greenShift);
    }

    /// <inheritdoc cref="Pack(Vector512{uint}, Vector512{ushort}, Vector512{ushort}, int, int, int)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> Pack(
        Vector128<uint> canonical, Vector128<ushort> blueRedMax, Vector128<ushort> greenMax, int redShift, int greenShift, int blueShift)
    {
        Vector128<uint> lowBytes = Vector128.Create(0x00FF00FFu);
        Vector128<uint> blueRed = ScaleDown((canonical & lowBytes).AsUInt16(), blueRedMax).AsUInt32();
        Vector128<uint> green = ScaleDown(((canonical >> 8) & lowBytes).AsUInt16(), greenMax).AsUInt32();
        return ((blueRed & Vector128.Create(0xFFFFu)) << blueShift) | ((blueRed >> 16) << redShift) | (green << greenShift);
    }

    /// <summary>
    /// <c>(c * max + 128) / 255</c> in every 16-bit lane, for c and max up to 255 (the product plus 128 stays below 65536).
    /// </summary>
    /// <remarks>
    /// x86 computes it as <c>((c * max + 129) * 257) >> 16</c>, the high half of one 16-bit multiply (pmulhuw); the
    /// portable form is <c>(t + (t >> 8) + 1) >> 8</c> with <c>t = c * max + 128</c>. Both equal the division for every
    /// c and max in 0..255 (checked exhaustively by the tests through the scalar tables).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ushort> ScaleDown(Vector512<ushort> channels, Vector512<ushort> max)
    {
        Vector512<ushort> product = channels * max;
        if (Avx512BW.IsSupported)
        {
            return Avx512BW.MultiplyHigh(product + Vector512.Create((ushort)129), Vector512.Create((ushort)257));
        }

        Vector512<ushort> t = product + Vector512.Create((ushort)128);
        return (t + (t >> 8) + Vector512<ushort>.One) >> 8;
    }

    /// <inheritdoc cref="ScaleDown(Vector512{ushort}, Vector512{ushort})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ushort> ScaleDown(Vector256<ushort> channels, Vector256<ushort> max)
    {
        Vector256<ushort> product = channels * max;
        if (Avx2.IsSupported)
        {
            return Avx2.MultiplyHigh(product + Vector256.Create((ushort)129), Vector256.Create((ushort)257));
        }

        Vector256<ushort> t = product + Vector256.Create((ushort)128);
        return (t + (t >> 8) + Vector256<ushort>.One) >> 8;
    }

    /// <inheritdoc cref="ScaleDown(Vector512{ushort}, Vector512{ushort})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ushort> ScaleDown(Vector128<ushort> channels, Vector128<ushort> max)
    {
        Vector128<ushort> product = channels * max;
        if (Sse2.IsSupported)
        {
            return Sse2.MultiplyHigh(product + Vector128.Create((ushort)129), Vector128.Create((ushort)257));
        }

        Vector128<ushort> t = product + Vector128.Create((ushort)128);
        return (t + (t >> 8) + Vector128<ushort>.One) >> 8;
    }
}
