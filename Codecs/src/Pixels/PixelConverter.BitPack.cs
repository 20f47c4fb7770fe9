using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Codecs.Pixels;

public sealed partial class PixelConverter
{
    // Byte reversal of every 32-bit lane (big-endian 32 bpp), for ShuffleWithinLanes.
    private static Vector128<byte> ReverseBytes32 => Vector128.Create((byte)3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);

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
    /// + 128, / 255     [ b'  |  r' ], [ g'  |  0 ]  (each below 256)
    /// value            (b' &lt;&lt; bs) | (r' &lt;&lt; rs) | (g' &lt;&lt; gs)   in the 32-bit lane
    /// </code>
    /// then, by bits per pixel: 32 — store (bytes reversed for big-endian); 16 — two vectors narrowed to one of 16-bit
    /// lanes (bytes swapped for big-endian); 8 — four vectors narrowed twice to bytes.
    /// Scalar equivalent: <c>value = Down(r) &lt;&lt; rs | Down(g) &lt;&lt; gs | Down(b) &lt;&lt; bs</c> with
    /// <c>Down(c) = (c * max + 128) / 255</c>, stored in the client's byte order (what <see cref="FromCanonicalScalar"/>
    /// computes with tables).
    /// </remarks>
    private nuint PackFromCanonical(ref byte source, ref byte destination, nuint pixelCount)
    {
        int redShift = _red.Shift;
        int greenShift = _green.Shift;
        int blueShift = _blue.Shift;
        uint blueRedMultipliers = (uint)_blue.Max | ((uint)_red.Max << 16);
        uint greenMultiplier = (uint)_green.Max;
        bool bigEndian = TrueColourFormat.BigEndian;
        nuint i = 0;

        if (Vector512.IsHardwareAccelerated)
        {
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
                    for (; pixelCount - i >= 32; i += 32)
                    {
                        ref byte from = ref Unsafe.Add(ref source, i * CanonicalBytesPerPixel);
                        Vector512<ushort> packed = Vector512.Narrow(
                            Pack(Vector512.LoadUnsafe(ref from, 0).AsUInt32(), blueRed, green, redShift, greenShift, blueShift),
                            Pack(Vector512.LoadUnsafe(ref from, 64).AsUInt32(), blueRed, green, redShift, greenShift, blueShift));
                        if (bigEndian)
                        {
                            packed = (packed << 8) | (packed >> 8);
                        }

                        packed.AsByte().StoreUnsafe(ref destination, i * 2);
                    }

                    break;
                default:
                    Vector512<byte> reverse = LaneControl512(ReverseBytes32);
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
        }

        if (Vector256.IsHardwareAccelerated)
        {
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
                    for (; pixelCount - i >= 16; i += 16)
                    {
                        ref byte from = ref Unsafe.Add(ref source, i * CanonicalBytesPerPixel);
                        Vector256<ushort> packed = Vector256.Narrow(
                            Pack(Vector256.LoadUnsafe(ref from, 0).AsUInt32(), blueRed, green, redShift, greenShift, blueShift),
                            Pack(Vector256.LoadUnsafe(ref from, 32).AsUInt32(), blueRed, green, redShift, greenShift, blueShift));
                        if (bigEndian)
                        {
                            packed = (packed << 8) | (packed >> 8);
                        }

                        packed.AsByte().StoreUnsafe(ref destination, i * 2);
                    }

                    break;
                default:
                    Vector256<byte> reverse = LaneControl256(ReverseBytes32);
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
        }

        if (Vector128.IsHardwareAccelerated)
        {
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
                    for (; pixelCount - i >= 8; i += 8)
                    {
                        ref byte from = ref Unsafe.Add(ref source, i * CanonicalBytesPerPixel);
                        Vector128<ushort> packed = Vector128.Narrow(
                            Pack(Vector128.LoadUnsafe(ref from, 0).AsUInt32(), blueRed, green, redShift, greenShift, blueShift),
                            Pack(Vector128.LoadUnsafe(ref from, 16).AsUInt32(), blueRed, green, redShift, greenShift, blueShift));
                        if (bigEndian)
                        {
                            packed = (packed << 8) | (packed >> 8);
                        }

                        packed.AsByte().StoreUnsafe(ref destination, i * 2);
                    }

                    break;
                default:
                    for (; pixelCount - i >= 4; i += 4)
                    {
                        Vector128<uint> canonical = Vector128.LoadUnsafe(ref source, i * CanonicalBytesPerPixel).AsUInt32();
                        Vector128<byte> packed = Pack(canonical, blueRed, green, redShift, greenShift, blueShift).AsByte();
                        if (bigEndian)
                        {
                            packed = ShuffleWithinLanes(packed, ReverseBytes32);
                        }

                        packed.StoreUnsafe(ref destination, i * 4);
                    }

                    break;
            }
        }

        return i;
    }

    /// <summary>The pixel value of each canonical pixel, one per 32-bit lane (see <see cref="PackFromCanonical"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> Pack(
        Vector512<uint> canonical, Vector512<ushort> blueRedMax, Vector512<ushort> greenMax, int redShift, int greenShift, int blueShift)
    {
        Vector512<uint> lowBytes = Vector512.Create(0x00FF00FFu);
        Vector512<ushort> rounding = Vector512.Create((ushort)128);
        Vector512<uint> blueRed = DivideBy255((canonical & lowBytes).AsUInt16() * blueRedMax + rounding).AsUInt32();
        Vector512<uint> green = DivideBy255(((canonical >> 8) & lowBytes).AsUInt16() * greenMax + rounding).AsUInt32();
        return ((blueRed & Vector512.Create(0xFFFFu)) << blueShift) | ((blueRed >> 16) << redShift) | (green << greenShift);
    }

    /// <inheritdoc cref="Pack(Vector512{uint}, Vector512{ushort}, Vector512{ushort}, int, int, int)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Pack(
        Vector256<uint> canonical, Vector256<ushort> blueRedMax, Vector256<ushort> greenMax, int redShift, int greenShift, int blueShift)
    {
        Vector256<uint> lowBytes = Vector256.Create(0x00FF00FFu);
        Vector256<ushort> rounding = Vector256.Create((ushort)128);
        Vector256<uint> blueRed = DivideBy255((canonical & lowBytes).AsUInt16() * blueRedMax + rounding).AsUInt32();
        Vector256<uint> green = DivideBy255(((canonical >> 8) & lowBytes).AsUInt16() * greenMax + rounding).AsUInt32();
        return ((blueRed & Vector256.Create(0xFFFFu)) << blueShift) | ((blueRed >> 16) << redShift) | (green << greenShift);
    }

    /// <inheritdoc cref="Pack(Vector512{uint}, Vector512{ushort}, Vector512{ushort}, int, int, int)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> Pack(
        Vector128<uint> canonical, Vector128<ushort> blueRedMax, Vector128<ushort> greenMax, int redShift, int greenShift, int blueShift)
    {
        Vector128<uint> lowBytes = Vector128.Create(0x00FF00FFu);
        Vector128<ushort> rounding = Vector128.Create((ushort)128);
        Vector128<uint> blueRed = DivideBy255((canonical & lowBytes).AsUInt16() * blueRedMax + rounding).AsUInt32();
        Vector128<uint> green = DivideBy255(((canonical >> 8) & lowBytes).AsUInt16() * greenMax + rounding).AsUInt32();
        return ((blueRed & Vector128.Create(0xFFFFu)) << blueShift) | ((blueRed >> 16) << redShift) | (green << greenShift);
    }

    /// <summary>
    /// <c>t / 255</c> in every 16-bit lane as <c>(t + (t >> 8) + 1) >> 8</c>, exact for t ≤ 65534 (here
    /// t ≤ 255 * 255 + 128 = 65153, and the sum stays below 65536).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ushort> DivideBy255(Vector512<ushort> t) => (t + (t >> 8) + Vector512<ushort>.One) >> 8;

    /// <inheritdoc cref="DivideBy255(Vector512{ushort})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ushort> DivideBy255(Vector256<ushort> t) => (t + (t >> 8) + Vector256<ushort>.One) >> 8;

    /// <inheritdoc cref="DivideBy255(Vector512{ushort})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ushort> DivideBy255(Vector128<ushort> t) => (t + (t >> 8) + Vector128<ushort>.One) >> 8;
}
