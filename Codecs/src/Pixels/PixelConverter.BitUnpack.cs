using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Codecs.Pixels;

public sealed partial class PixelConverter
{
    /// <summary>
    /// Any true-colour layout of 8, 16 or 32 bits to canonical pixels: byte order, widen, extract, bit-replicate,
    /// combine. Converts whole input vectors only and returns the number of pixels done; the caller converts the rest.
    /// </summary>
    /// <remarks>
    /// 8 and 16 bpp work on one pixel value per 16-bit lane (8 bpp widened from bytes, 16 bpp byte-swapped first when
    /// big-endian); 32 bpp on one per 32-bit lane (byte-reversed first when big-endian). For each channel:
    /// <code>
    /// v                                 pixel value
    /// (v >> shift) &amp; max                n-bit channel value c
    /// (c * multiplier) >> replicateShift    copies of c at bits 0, n, 2n... cut to the top 8: bit replication
    ///                                   e.g. 5 bits: (c * 0b100001) >> 2 = c4 c3 c2 c1 c0 c4 c3 c2
    /// </code>
    /// and the canonical pixel is <c>(r8 &lt;&lt; 16) | (g8 &lt;&lt; 8) | b8</c> (X zero); from 16-bit lanes,
    /// <c>b8 | g8 &lt;&lt; 8</c> and <c>r8</c> are each widened to 32-bit lanes and joined.
    /// Scalar equivalent: <c>canonical = Up(v >> rs) &lt;&lt; 16 | Up(v >> gs) &lt;&lt; 8 | Up(v >> bs)</c>, what
    /// <see cref="ToCanonicalScalar"/> computes with tables.
    /// </remarks>
    private nuint UnpackToCanonical(ref byte source, ref byte destination, nuint pixelCount)
    {
        nuint i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            i = UnpackToCanonical512(ref source, ref destination, pixelCount, i);
        }

        if (Vector256.IsHardwareAccelerated)
        {
            i = UnpackToCanonical256(ref source, ref destination, pixelCount, i);
        }

        if (Vector128.IsHardwareAccelerated)
        {
            i = UnpackToCanonical128(ref source, ref destination, pixelCount, i);
        }

        return i;
    }

    /// <summary>The 512-bit tier of <see cref="UnpackToCanonical"/>: from pixel <paramref name="i"/> while whole vectors remain; returns where it stopped.</summary>
    private nuint UnpackToCanonical512(ref byte source, ref byte destination, nuint pixelCount, nuint i)
    {
        Channel red = _red;
        Channel green = _green;
        Channel blue = _blue;
        bool bigEndian = TrueColourFormat.BigEndian;

        Vector512<ushort> redMax = Vector512.Create((ushort)red.Max);
        Vector512<ushort> greenMax = Vector512.Create((ushort)green.Max);
        Vector512<ushort> blueMax = Vector512.Create((ushort)blue.Max);
        Vector512<ushort> redMultiplier = Vector512.Create((ushort)red.ReplicateMultiplier);
        Vector512<ushort> greenMultiplier = Vector512.Create((ushort)green.ReplicateMultiplier);
        Vector512<ushort> blueMultiplier = Vector512.Create((ushort)blue.ReplicateMultiplier);
        switch (_bytesPerPixel)
        {
            case 1:
                for (; pixelCount - i >= 64; i += 64)
                {
                    (Vector512<ushort> low, Vector512<ushort> high) = Vector512.Widen(Vector512.LoadUnsafe(ref source, i));
                    ref byte to = ref Unsafe.Add(ref destination, i * CanonicalBytesPerPixel);
                    Unpack(low, red, green, blue, redMax, greenMax, blueMax, redMultiplier, greenMultiplier, blueMultiplier, ref to);
                    Unpack(high, red, green, blue, redMax, greenMax, blueMax, redMultiplier, greenMultiplier, blueMultiplier, ref Unsafe.Add(ref to, 128));
                }

                break;
            case 2:
                Vector512<byte> swap = LaneControl512(s_reverseBytes16);
                for (; pixelCount - i >= 32; i += 32)
                {
                    Vector512<ushort> values = Vector512.LoadUnsafe(ref source, i * 2).AsUInt16();
                    if (bigEndian)
                    {
                        values = ShuffleWithinLanes(values.AsByte(), swap).AsUInt16();
                    }

                    ref byte to = ref Unsafe.Add(ref destination, i * CanonicalBytesPerPixel);
                    Unpack(values, red, green, blue, redMax, greenMax, blueMax, redMultiplier, greenMultiplier, blueMultiplier, ref to);
                }

                break;
            default:
                Vector512<byte> reverse = LaneControl512(s_reverseBytes32);
                Vector512<uint> redMax32 = Vector512.Create((uint)red.Max);
                Vector512<uint> greenMax32 = Vector512.Create((uint)green.Max);
                Vector512<uint> blueMax32 = Vector512.Create((uint)blue.Max);
                for (; pixelCount - i >= 16; i += 16)
                {
                    Vector512<byte> stored = Vector512.LoadUnsafe(ref source, i * 4);
                    if (bigEndian)
                    {
                        stored = ShuffleWithinLanes(stored, reverse);
                    }

                    Vector512<uint> values = stored.AsUInt32();
                    Vector512<uint> canonical =
                        (Expand(values, red.Shift, redMax32, redMultiplier, red.ReplicateShift) << 16)
                        | (Expand(values, green.Shift, greenMax32, greenMultiplier, green.ReplicateShift) << 8)
                        | Expand(values, blue.Shift, blueMax32, blueMultiplier, blue.ReplicateShift);
                    canonical.AsByte().StoreUnsafe(ref destination, i * CanonicalBytesPerPixel);
                }

                break;
        }

        return i;
    }

    /// <summary>The 256-bit tier of <see cref="UnpackToCanonical"/>: from pixel <paramref name="i"/> while whole vectors remain; returns where it stopped.</summary>
    private nuint UnpackToCanonical256(ref byte source, ref byte destination, nuint pixelCount, nuint i)
    {
        Channel red = _red;
        Channel green = _green;
        Channel blue = _blue;
        bool bigEndian = TrueColourFormat.BigEndian;

        Vector256<ushort> redMax = Vector256.Create((ushort)red.Max);
        Vector256<ushort> greenMax = Vector256.Create((ushort)green.Max);
        Vector256<ushort> blueMax = Vector256.Create((ushort)blue.Max);
        Vector256<ushort> redMultiplier = Vector256.Create((ushort)red.ReplicateMultiplier);
        Vector256<ushort> greenMultiplier = Vector256.Create((ushort)green.ReplicateMultiplier);
        Vector256<ushort> blueMultiplier = Vector256.Create((ushort)blue.ReplicateMultiplier);
        switch (_bytesPerPixel)
        {
            case 1:
                for (; pixelCount - i >= 32; i += 32)
                {
                    (Vector256<ushort> low, Vector256<ushort> high) = Vector256.Widen(Vector256.LoadUnsafe(ref source, i));
                    ref byte to = ref Unsafe.Add(ref destination, i * CanonicalBytesPerPixel);
                    Unpack(low, red, green, blue, redMax, greenMax, blueMax, redMultiplier, greenMultiplier, blueMultiplier, ref to);
                    Unpack(high, red, green, blue, redMax, greenMax, blueMax, redMultiplier, greenMultiplier, blueMultiplier, ref Unsafe.Add(ref to, 64));
                }

                break;
            case 2:
                Vector256<byte> swap = LaneControl256(s_reverseBytes16);
                for (; pixelCount - i >= 16; i += 16)
                {
                    Vector256<ushort> values = Vector256.LoadUnsafe(ref source, i * 2).AsUInt16();
                    if (bigEndian)
                    {
                        values = ShuffleWithinLanes(values.AsByte(), swap).AsUInt16();
                    }

                    ref byte to = ref Unsafe.Add(ref destination, i * CanonicalBytesPerPixel);
                    Unpack(values, red, green, blue, redMax, greenMax, blueMax, redMultiplier, greenMultiplier, blueMultiplier, ref to);
                }

                break;
            default:
                Vector256<byte> reverse = LaneControl256(s_reverseBytes32);
                Vector256<uint> redMax32 = Vector256.Create((uint)red.Max);
                Vector256<uint> greenMax32 = Vector256.Create((uint)green.Max);
                Vector256<uint> blueMax32 = Vector256.Create((uint)blue.Max);
                for (; pixelCount - i >= 8; i += 8)
                {
                    Vector256<byte> stored = Vector256.LoadUnsafe(ref source, i * 4);
                    if (bigEndian)
                    {
                        stored = ShuffleWithinLanes(stored, reverse);
                    }

                    Vector256<uint> values = stored.AsUInt32();
                    Vector256<uint> canonical =
                        (Expand(values, red.Shift, redMax32, redMultiplier, red.ReplicateShift) << 16)
                        | (Expand(values, green.Shift, greenMax32, greenMultiplier, green.ReplicateShift) << 8)
                        | Expand(values, blue.Shift, blueMax32, blueMultiplier, blue.ReplicateShift);
                    canonical.AsByte().StoreUnsafe(ref destination, i * CanonicalBytesPerPixel);
                }

                break;
        }

        return i;
    }

    /// <summary>The 128-bit tier of <see cref="UnpackToCanonical"/>: from pixel <paramref name="i"/> while whole vectors remain; returns where it stopped.</summary>
    private nuint UnpackToCanonical128(ref byte source, ref byte destination, nuint pixelCount, nuint i)
    {
        Channel red = _red;
        Channel green = _green;
        Channel blue = _blue;
        bool bigEndian = TrueColourFormat.BigEndian;

        Vector128<ushort> redMax = Vector128.Create((ushort)red.Max);
        Vector128<ushort> greenMax = Vector128.Create((ushort)green.Max);
        Vector128<ushort> blueMax = Vector128.Create((ushort)blue.Max);
        Vector128<ushort> redMultiplier = Vector128.Create((ushort)red.ReplicateMultiplier);
        Vector128<ushort> greenMultiplier = Vector128.Create((ushort)green.ReplicateMultiplier);
        Vector128<ushort> blueMultiplier = Vector128.Create((ushort)blue.ReplicateMultiplier);
        switch (_bytesPerPixel)
        {
            case 1:
                for (; pixelCount - i >= 16; i += 16)
                {
                    (Vector128<ushort> low, Vector128<ushort> high) = Vector128.Widen(Vector128.LoadUnsafe(ref source, i));
                    ref byte to = ref Unsafe.Add(ref destination, i * CanonicalBytesPerPixel);
                    Unpack(low, red, green, blue, redMax, greenMax, blueMax, redMultiplier, greenMultiplier, blueMultiplier, ref to);
                    Unpack(high, red, green, blue, redMax, greenMax, blueMax, redMultiplier, greenMultiplier, blueMultiplier, ref Unsafe.Add(ref to, 32));
                }

                break;
            case 2:
                Vector128<byte> swap = s_reverseBytes16;
                for (; pixelCount - i >= 8; i += 8)
                {
                    Vector128<ushort> values = Vector128.LoadUnsafe(ref source, i * 2).AsUInt16();
                    if (bigEndian)
                    {
                        values = ShuffleWithinLanes(values.AsByte(), swap).AsUInt16();
                    }

                    ref byte to = ref Unsafe.Add(ref destination, i * CanonicalBytesPerPixel);
                    Unpack(values, red, green, blue, redMax, greenMax, blueMax, redMultiplier, greenMultiplier, blueMultiplier, ref to);
                }

                break;
            default:
                Vector128<byte> reverse = s_reverseBytes32;
                Vector128<uint> redMax32 = Vector128.Create((uint)red.Max);
                Vector128<uint> greenMax32 = Vector128.Create((uint)green.Max);
                Vector128<uint> blueMax32 = Vector128.Create((uint)blue.Max);
                for (; pixelCount - i >= 4; i += 4)
                {
                    Vector128<byte> stored = Vector128.LoadUnsafe(ref source, i * 4);
                    if (bigEndian)
                    {
                        stored = ShuffleWithinLanes(stored, reverse);
                    }

                    Vector128<uint> values = stored.AsUInt32();
                    Vector128<uint> canonical =
                        (Expand(values, red.Shift, redMax32, redMultiplier, red.ReplicateShift) << 16)
                        | (Expand(values, green.Shift, greenMax32, greenMultiplier, green.ReplicateShift) << 8)
                        | Expand(values, blue.Shift, blueMax32, blueMultiplier, blue.ReplicateShift);
                    canonical.AsByte().StoreUnsafe(ref destination, i * CanonicalBytesPerPixel);
                }

                break;
        }

        return i;
    }

    /// <summary>
    /// Pixel values in 16-bit lanes to canonical pixels, stored at <paramref name="destination"/> (two vectors' worth).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Unpack(
        Vector512<ushort> values,
        in Channel red,
        in Channel green,
        in Channel blue,
        Vector512<ushort> redMax,
        Vector512<ushort> greenMax,
        Vector512<ushort> blueMax,
        Vector512<ushort> redMultiplier,
        Vector512<ushort> greenMultiplier,
        Vector512<ushort> blueMultiplier,
        ref byte destination)
    {
        Vector512<ushort> r = Expand(values, red.Shift, redMax, redMultiplier, red.ReplicateShift);
        Vector512<ushort> blueGreen = Expand(values, blue.Shift, blueMax, blueMultiplier, blue.ReplicateShift)
            | (Expand(values, green.Shift, greenMax, greenMultiplier, green.ReplicateShift) << 8);
        (Vector512<uint> blueGreenLow, Vector512<uint> blueGreenHigh) = Vector512.Widen(blueGreen);
        (Vector512<uint> redLow, Vector512<uint> redHigh) = Vector512.Widen(r);
        (blueGreenLow | (redLow << 16)).AsByte().StoreUnsafe(ref destination);
        (blueGreenHigh | (redHigh << 16)).AsByte().StoreUnsafe(ref destination, (nuint)Vector512<byte>.Count);
    }

    /// <inheritdoc cref="Unpack(Vector512{ushort}, in Channel, in Channel, in Channel, Vector512{ushort}, Vector512{ushort}, Vector512{ushort}, Vector512{ushort}, Vector512{ushort}, Vector512{ushort}, ref byte)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Unpack(
        Vector256<ushort> values,
        in Channel red,
        in Channel green,
        in Channel blue,
        Vector256<ushort> redMax,
        Vector256<ushort> greenMax,
        Vector256<ushort> blueMax,
        Vector256<ushort> redMultiplier,
        Vector256<ushort> greenMultiplier,
        Vector256<ushort> blueMultiplier,
        ref byte destination)
    {
        Vector256<ushort> r = Expand(values, red.Shift, redMax, redMultiplier, red.ReplicateShift);
        Vector256<ushort> blueGreen = Expand(values, blue.Shift, blueMax, blueMultiplier, blue.ReplicateShift)
            | (Expand(values, green.Shift, greenMax, greenMultiplier, green.ReplicateShift) << 8);
        (Vector256<uint> blueGreenLow, Vector256<uint> blueGreenHigh) = Vector256.Widen(blueGreen);
        (Vector256<uint> redLow, Vector256<uint> redHigh) = Vector256.Widen(r);
        (blueGreenLow | (redLow << 16)).AsByte().StoreUnsafe(ref destination);
        (blueGreenHigh | (redHigh << 16)).AsByte().StoreUnsafe(ref destination, (nuint)Vector256<byte>.Count);
    }

    /// <inheritdoc cref="Unpack(Vector512{ushort}, in Channel, in Channel, in Channel, Vector512{ushort}, Vector512{ushort}, Vector512{ushort}, Vector512{ushort}, Vector512{ushort}, Vector512{ushort}, ref byte)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Unpack(
        Vector128<ushort> values,
        in Channel red,
        in Channel green,
        in Channel blue,
        Vector128<ushort> redMax,
        Vector128<ushort> greenMax,
        Vector128<ushort> blueMax,
        Vector128<ushort> redMultiplier,
        Vector128<ushort> greenMultiplier,
        Vector128<ushort> blueMultiplier,
        ref byte destination)
    {
        Vector128<ushort> r = Expand(values, red.Shift, redMax, redMultiplier, red.ReplicateShift);
        Vector128<ushort> blueGreen = Expand(values, blue.Shift, blueMax, blueMultiplier, blue.ReplicateShift)
            | (Expand(values, green.Shift, greenMax, greenMultiplier, green.ReplicateShift) << 8);
        (Vector128<uint> blueGreenLow, Vector128<uint> blueGreenHigh) = Vector128.Widen(blueGreen);
        (Vector128<uint> redLow, Vector128<uint> redHigh) = Vector128.Widen(r);
        (blueGreenLow | (redLow << 16)).AsByte().StoreUnsafe(ref destination);
        (blueGreenHigh | (redHigh << 16)).AsByte().StoreUnsafe(ref destination, (nuint)Vector128<byte>.Count);
    }

    /// <summary>One channel of 16-bit-lane pixel values, bit-replicated to 8 bits: <c>((v >> shift) &amp; max) * multiplier >> replicateShift</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ushort> Expand(Vector512<ushort> values, int shift, Vector512<ushort> max, Vector512<ushort> multiplier, int replicateShift) =>
        (((values >> shift) & max) * multiplier) >> replicateShift;

    /// <inheritdoc cref="Expand(Vector512{ushort}, int, Vector512{ushort}, Vector512{ushort}, int)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ushort> Expand(Vector256<ushort> values, int shift, Vector256<ushort> max, Vector256<ushort> multiplier, int replicateShift) =>
        (((values >> shift) & max) * multiplier) >> replicateShift;

    /// <inheritdoc cref="Expand(Vector512{ushort}, int, Vector512{ushort}, Vector512{ushort}, int)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ushort> Expand(Vector128<ushort> values, int shift, Vector128<ushort> max, Vector128<ushort> multiplier, int replicateShift) =>
        (((values >> shift) & max) * multiplier) >> replicateShift;

    /// <summary>
    /// One channel of 32-bit-lane pixel values, bit-replicated to 8 bits. The channel value is below 256, so the
    /// multiply runs on 16-bit lanes: the high half of each 32-bit lane is 0 and stays 0.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<uint> Expand(Vector512<uint> values, int shift, Vector512<uint> max, Vector512<ushort> multiplier, int replicateShift) =>
        (((values >> shift) & max).AsUInt16() * multiplier).AsUInt32() >> replicateShift;

    /// <inheritdoc cref="Expand(Vector512{uint}, int, Vector512{uint}, Vector512{ushort}, int)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<uint> Expand(Vector256<uint> values, int shift, Vector256<uint> max, Vector256<ushort> multiplier, int replicateShift) =>
        (((values >> shift) & max).AsUInt16() * multiplier).AsUInt32() >> replicateShift;

    /// <inheritdoc cref="Expand(Vector512{uint}, int, Vector512{uint}, Vector512{ushort}, int)"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> Expand(Vector128<uint> values, int shift, Vector128<uint> max, Vector128<ushort> multiplier, int replicateShift) =>
        (((values >> shift) & max).AsUInt16() * multiplier).AsUInt32() >> replicateShift;
}
