using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Codecs.Pixels;

public sealed partial class PixelConverter
{
    /// <summary>
    /// Permutes the bytes of every 4-byte pixel by <paramref name="control"/>, both directions of the 32 bpp formats
    /// whose channels are whole bytes. Converts whole vectors only and returns the number of pixels done (the caller
    /// converts the rest, fewer than four).
    /// </summary>
    /// <remarks>
    /// A 16-byte lane holds four pixels and the control is the same in every lane (pshufb semantics: control byte j
    /// picks byte control[j] of the same lane, and 0x80 writes zero). Canonical to Rgbx32, one lane:
    /// <code>
    /// source   B0 G0 R0 X0 | B1 G1 R1 X1 | B2 G2 R2 X2 | B3 G3 R3 X3
    /// control   2  1  0 80 |  6  5  4 80 | 10  9  8 80 | 14 13 12 80
    /// result   R0 G0 B0 00 | R1 G1 B1 00 | R2 G2 B2 00 | R3 G3 B3 00
    /// </code>
    /// Scalar equivalent, for each pixel p and byte j in 0..3:
    /// <c>destination[4p + j] = control[j] &lt; 0x80 ? source[4p + control[j]] : 0</c>.
    /// x86 uses pshufb, which shuffles inside 16-byte lanes; elsewhere the portable Shuffle, whose indices span the
    /// whole vector, gets the lane base added to the control (0x80 + base stays out of range, so still writes zero).
    /// </remarks>
    private static nuint ShuffleBytes(ref byte source, ref byte destination, nuint pixelCount, Vector128<byte> control)
    {
        nuint length = pixelCount * CanonicalBytesPerPixel;
        nuint offset = 0;

        if (Vector512.IsHardwareAccelerated && length >= (nuint)Vector512<byte>.Count)
        {
            Vector512<byte> control512 = LaneControl512(control);
            do
            {
                Vector512<byte> pixels = Vector512.LoadUnsafe(ref source, offset);
                ShuffleWithinLanes(pixels, control512).StoreUnsafe(ref destination, offset);
                offset += (nuint)Vector512<byte>.Count;
            }
            while (length - offset >= (nuint)Vector512<byte>.Count);
        }

        if (Vector256.IsHardwareAccelerated && length - offset >= (nuint)Vector256<byte>.Count)
        {
            Vector256<byte> control256 = LaneControl256(control);
            do
            {
                Vector256<byte> pixels = Vector256.LoadUnsafe(ref source, offset);
                ShuffleWithinLanes(pixels, control256).StoreUnsafe(ref destination, offset);
                offset += (nuint)Vector256<byte>.Count;
            }
            while (length - offset >= (nuint)Vector256<byte>.Count);
        }

        if (Vector128.IsHardwareAccelerated && length - offset >= (nuint)Vector128<byte>.Count)
        {
            do
            {
                Vector128<byte> pixels = Vector128.LoadUnsafe(ref source, offset);
                ShuffleWithinLanes(pixels, control).StoreUnsafe(ref destination, offset);
                offset += (nuint)Vector128<byte>.Count;
            }
            while (length - offset >= (nuint)Vector128<byte>.Count);
        }

        return offset / CanonicalBytesPerPixel;
    }

    /// <summary>pshufb on one 16-byte lane: byte j = control[j] &lt; 0x80 ? value[control[j] &amp; 15] : 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> ShuffleWithinLanes(Vector128<byte> value, Vector128<byte> control) =>
        Ssse3.IsSupported ? Ssse3.Shuffle(value, control) : Vector128.Shuffle(value, control);

    /// <inheritdoc cref="ShuffleWithinLanes(Vector128{byte}, Vector128{byte})"/>
    /// <remarks>The control must already hold lane-absolute indices when AVX2 is missing (see <see cref="ShuffleBytes"/>).</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<byte> ShuffleWithinLanes(Vector256<byte> value, Vector256<byte> control) =>
        Avx2.IsSupported ? Avx2.Shuffle(value, control) : Vector256.Shuffle(value, control);

    /// <inheritdoc cref="ShuffleWithinLanes(Vector256{byte}, Vector256{byte})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<byte> ShuffleWithinLanes(Vector512<byte> value, Vector512<byte> control) =>
        Avx512BW.IsSupported ? Avx512BW.Shuffle(value, control) : Vector512.Shuffle(value, control);

    /// <summary>The control for <see cref="ShuffleWithinLanes(Vector256{byte}, Vector256{byte})"/> from one lane's control.</summary>
    private static Vector256<byte> LaneControl256(Vector128<byte> control)
    {
        Vector256<byte> result = Vector256.Create(control, control);
        return Avx2.IsSupported ? result : result + (Vector256<byte>.Indices & Vector256.Create((byte)0xF0));
    }

    /// <summary>The control for <see cref="ShuffleWithinLanes(Vector512{byte}, Vector512{byte})"/> from one lane's control.</summary>
    private static Vector512<byte> LaneControl512(Vector128<byte> control)
    {
        Vector256<byte> half = Vector256.Create(control, control);
        Vector512<byte> result = Vector512.Create(half, half);
        return Avx512BW.IsSupported ? result : result + (Vector512<byte>.Indices & Vector512.Create((byte)0xF0));
    }
}
