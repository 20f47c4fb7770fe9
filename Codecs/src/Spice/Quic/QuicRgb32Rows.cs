using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Codecs.Spice.Quic;

/// <summary>
/// Row pre-passes of the QUIC encoder's RGB32 path, vectorised (Vector256, Vector128, scalar): the mapped prediction
/// residual of every pixel and the "same colour as the left pixel" bits from which run-mode entries and run ends are
/// read. Pixels are 32-bit B, G, R, X little-endian; X is ignored.
/// </summary>
internal static class QuicRgb32Rows
{
    private const uint ColourMask = 0x00FFFFFF;

    /// <summary>
    /// Writes for every pixel of the row the word eB | eG &lt;&lt; 8 | eR &lt;&lt; 16 (top byte undefined): e is the
    /// residual against the prediction (left on the first row, floor((left + above) / 2) below it; the first pixel
    /// is predicted by 0, then by the pixel above) mapped to 0, -1, 1, -2, … → 0, 1, 2, 3, … (the reference's u2l).
    /// </summary>
    public static void Residuals(ref byte cur, ref byte above, int width, bool firstRow, uint[] residuals)
    {
        ref uint output = ref residuals[0];
        uint first = Unsafe.ReadUnaligned<uint>(ref cur);
        output = MapWord(first, firstRow ? 0 : Unsafe.ReadUnaligned<uint>(ref above));
        int i = 1;
        if (Vector256.IsHardwareAccelerated && width > Vector256<uint>.Count)
        {
            // Each step codes pixels [i, i + 8); the last step overlaps the previous one (it writes the same values).
            while (true)
            {
                if (i > width - Vector256<uint>.Count)
                {
                    i = width - Vector256<uint>.Count;
                }

                Vector256<byte> left = Vector256.LoadUnsafe(ref cur, (nuint)((i - 1) * 4));
                Vector256<byte> pred = firstRow ? left : FloorAverage(left, Vector256.LoadUnsafe(ref above, (nuint)(i * 4)));
                Vector256<byte> s = Vector256.LoadUnsafe(ref cur, (nuint)(i * 4)) - pred;

                // u2l on bytes: 2s for s < 128, else 2(255 - s) + 1 = ~(2s) modulo 256.
                Vector256<byte> e = (s + s) ^ Vector256.LessThan(s.AsSByte(), Vector256<sbyte>.Zero).AsByte();
                e.AsUInt32().StoreUnsafe(ref output, (nuint)i);
                i += Vector256<uint>.Count;
                if (i >= width)
                {
                    return;
                }
            }
        }

        if (Vector128.IsHardwareAccelerated && width > Vector128<uint>.Count)
        {
            while (true)
            {
                if (i > width - Vector128<uint>.Count)
                {
                    i = width - Vector128<uint>.Count;
                }

                Vector128<byte> left = Vector128.LoadUnsafe(ref cur, (nuint)((i - 1) * 4));
                Vector128<byte> pred = firstRow ? left : FloorAverage(left, Vector128.LoadUnsafe(ref above, (nuint)(i * 4)));
                Vector128<byte> s = Vector128.LoadUnsafe(ref cur, (nuint)(i * 4)) - pred;
                Vector128<byte> e = (s + s) ^ Vector128.LessThan(s.AsSByte(), Vector128<sbyte>.Zero).AsByte();
                e.AsUInt32().StoreUnsafe(ref output, (nuint)i);
                i += Vector128<uint>.Count;
                if (i >= width)
                {
                    return;
                }
            }
        }

        for (; i < width; i++)
        {
            uint left = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref cur, (i - 1) * 4));
            uint pred = firstRow ? left : FloorAverage(left, Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref above, i * 4)));
            Unsafe.Add(ref output, i) = MapWord(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref cur, i * 4)), pred);
        }
    }

    /// <summary>
    /// Sets bit i of <paramref name="bits"/> (64 per word) when pixel i has the colour of pixel i - 1; bit 0 and the
    /// bits from <paramref name="width"/> up to the end of the last word used are clear.
    /// </summary>
    public static void SameAsLeft(ref byte cur, int width, ulong[] bits)
    {
        Array.Clear(bits, 0, (width >> 6) + 2);
        int i = 1;
        if (Vector256.IsHardwareAccelerated && width > Vector256<uint>.Count)
        {
            Vector256<uint> colour = Vector256.Create(ColourMask);
            while (true)
            {
                if (i > width - Vector256<uint>.Count)
                {
                    i = width - Vector256<uint>.Count;
                }

                Vector256<uint> here = Vector256.LoadUnsafe(ref cur, (nuint)(i * 4)).AsUInt32() & colour;
                Vector256<uint> left = Vector256.LoadUnsafe(ref cur, (nuint)((i - 1) * 4)).AsUInt32() & colour;
                OrBits(bits, i, Vector256.Equals(here, left).ExtractMostSignificantBits());
                i += Vector256<uint>.Count;
                if (i >= width)
                {
                    return;
                }
            }
        }

        if (Vector128.IsHardwareAccelerated && width > Vector128<uint>.Count)
        {
            Vector128<uint> colour = Vector128.Create(ColourMask);
            while (true)
            {
                if (i > width - Vector128<uint>.Count)
                {
                    i = width - Vector128<uint>.Count;
                }

                Vector128<uint> here = Vector128.LoadUnsafe(ref cur, (nuint)(i * 4)).AsUInt32() & colour;
                Vector128<uint> left = Vector128.LoadUnsafe(ref cur, (nuint)((i - 1) * 4)).AsUInt32() & colour;
                OrBits(bits, i, Vector128.Equals(here, left).ExtractMostSignificantBits());
                i += Vector128<uint>.Count;
                if (i >= width)
                {
                    return;
                }
            }
        }

        for (; i < width; i++)
        {
            uint here = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref cur, i * 4));
            uint left = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref cur, (i - 1) * 4));
            if (((here ^ left) & ColourMask) == 0)
            {
                bits[i >> 6] |= 1UL << i;
            }
        }
    }

    /// <summary>
    /// The reference's run-mode predicate per pixel i of a row below the first: the pixel above equals its left
    /// neighbour, the two pixels to the left are equal, and i &gt; 2.
    /// </summary>
    public static void RunCandidates(ulong[] sameAsLeft, ulong[] sameAsLeftAbove, int width, ulong[] candidates)
    {
        int words = (width >> 6) + 1;
        ulong carry = 0;
        for (int w = 0; w < words; w++)
        {
            ulong same = sameAsLeft[w];
            candidates[w] = sameAsLeftAbove[w] & ((same << 1) | carry);
            carry = same >> 63;
        }

        candidates[0] &= ~7UL;
    }

    private static void OrBits(ulong[] bits, int position, uint mask)
    {
        int shift = position & 63;
        bits[position >> 6] |= (ulong)mask << shift;
        if (shift != 0)
        {
            bits[(position >> 6) + 1] |= (ulong)mask >> (64 - shift);
        }
    }

    // floor((a + b) / 2) per byte.
    private static Vector256<byte> FloorAverage(Vector256<byte> a, Vector256<byte> b) => (a & b) + Vector256.ShiftRightLogical(a ^ b, 1);

    private static Vector128<byte> FloorAverage(Vector128<byte> a, Vector128<byte> b) => (a & b) + Vector128.ShiftRightLogical(a ^ b, 1);

    private static uint FloorAverage(uint a, uint b) => (a & b) + (((a ^ b) >> 1) & 0x7F7F7F7F);

    // u2l of the three colour bytes of cur - pred.
    private static uint MapWord(uint cur, uint pred)
    {
        uint result = 0;
        for (int shift = 0; shift < 24; shift += 8)
        {
            uint s = ((cur >> shift) - (pred >> shift)) & 0xFF;
            uint e = s < 128 ? s << 1 : ((255 - s) << 1) + 1;
            result |= e << shift;
        }

        return result;
    }
}
