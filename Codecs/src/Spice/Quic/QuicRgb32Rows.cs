using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Codecs.Spice.Quic;

/// <summary>
/// Row pre-passes of the QUIC encoder's RGB32 path, vectorised (Vector512, Vector256, Vector128, scalar): the mapped prediction
/// residual of every pixel and the "same colour as the left pixel" bits from which run-mode entries and run ends are
/// read. Pixels are 32-bit B, G, R, X little-endian; X is ignored.
/// </summary>
internal static class QuicRgb32Rows
{
    private const uint ColourMask = 0x00FFFFFF;

    /// <summary>
    /// One pass over a row. Writes for every pixel the word eB | eG &lt;&lt; 8 | eR &lt;&lt; 16 (top byte undefined): e is the
    /// residual against the prediction (left on the first row, floor((left + above) / 2) below it; the first pixel
    /// is predicted by 0, then by the pixel above) mapped 0, -1, 1, -2, … → 0, 1, 2, 3, … (the reference's u2l).
    /// Sets bit i of <paramref name="sameAsLeft"/> (64 per word, words 0 to width / 64 written) when pixel i has the
    /// colour of pixel i - 1; bit 0 and the bits from <paramref name="width"/> on are clear.
    /// </summary>
    public static void Prepare(ref byte cur, ref byte above, int width, bool firstRow, uint[] residuals, ulong[] sameAsLeft)
    {
        ref uint res = ref MemoryMarshal.GetArrayDataReference(residuals);
        ref ulong same = ref MemoryMarshal.GetArrayDataReference(sameAsLeft);
        int p = 0;
        ulong word = 0;
        if (Vector512.IsHardwareAccelerated && width >= Vector512<uint>.Count)
        {
            // Blocks of 16 pixels at multiples of 16 (see the Vector256 tier).
            Vector512<byte> here = Vector512.LoadUnsafe(ref cur);
            Vector512<byte> left = Vector512.Shuffle(here.AsUInt32(), Vector512.Create(0u, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14)).AsByte();
            word = Block(here, left, firstRow, ref above, 0, ref res) & ~1UL;
            for (p = Vector512<uint>.Count; p <= width - Vector512<uint>.Count; p += Vector512<uint>.Count)
            {
                here = Vector512.LoadUnsafe(ref cur, (nuint)(p * 4));
                left = Vector512.LoadUnsafe(ref cur, (nuint)((p * 4) - 4));
                word |= (ulong)Block(here, left, firstRow, ref above, p, ref res) << (p & 63);
                if ((p & 63) == 64 - Vector512<uint>.Count)
                {
                    Unsafe.Add(ref same, p >> 6) = word;
                    word = 0;
                }
            }
        }
        else if (Vector256.IsHardwareAccelerated && width >= Vector256<uint>.Count)
        {
            // Blocks of 8 pixels at multiples of 8, so their bits never straddle a word. Block 0 takes its left
            // neighbours from its own lanes (lane 0 is itself: its bit and residual are fixed below).
            Vector256<byte> here = Vector256.LoadUnsafe(ref cur);
            Vector256<byte> left = Vector256.Shuffle(here.AsUInt32(), Vector256.Create(0u, 0, 1, 2, 3, 4, 5, 6)).AsByte();
            word = Block(here, left, firstRow, ref above, 0, ref res) & ~1UL;
            for (p = Vector256<uint>.Count; p <= width - Vector256<uint>.Count; p += Vector256<uint>.Count)
            {
                here = Vector256.LoadUnsafe(ref cur, (nuint)(p * 4));
                left = Vector256.LoadUnsafe(ref cur, (nuint)((p * 4) - 4));
                word |= (ulong)Block(here, left, firstRow, ref above, p, ref res) << (p & 63);
                if ((p & 63) == 64 - Vector256<uint>.Count)
                {
                    Unsafe.Add(ref same, p >> 6) = word;
                    word = 0;
                }
            }
        }
        else if (Vector128.IsHardwareAccelerated && width >= Vector128<uint>.Count)
        {
            Vector128<byte> here = Vector128.LoadUnsafe(ref cur);
            Vector128<byte> left = Vector128.Shuffle(here.AsUInt32(), Vector128.Create(0u, 0, 1, 2)).AsByte();
            word = Block(here, left, firstRow, ref above, 0, ref res) & ~1UL;
            for (p = Vector128<uint>.Count; p <= width - Vector128<uint>.Count; p += Vector128<uint>.Count)
            {
                here = Vector128.LoadUnsafe(ref cur, (nuint)(p * 4));
                left = Vector128.LoadUnsafe(ref cur, (nuint)((p * 4) - 4));
                word |= (ulong)Block(here, left, firstRow, ref above, p, ref res) << (p & 63);
                if ((p & 63) == 64 - Vector128<uint>.Count)
                {
                    Unsafe.Add(ref same, p >> 6) = word;
                    word = 0;
                }
            }
        }
        else
        {
            p = 1;
        }

        for (; p < width; p++)
        {
            uint here = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref cur, p * 4));
            uint left = Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref cur, (p - 1) * 4));
            uint pred = firstRow ? left : FloorAverage(left, Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref above, p * 4)));
            Unsafe.Add(ref res, p) = MapWord(here, pred);
            if (((here ^ left) & ColourMask) == 0)
            {
                word |= 1UL << p;
            }

            if ((p & 63) == 63)
            {
                Unsafe.Add(ref same, p >> 6) = word;
                word = 0;
            }
        }

        Unsafe.Add(ref same, width >> 6) = word;
        res = MapWord(Unsafe.ReadUnaligned<uint>(ref cur), firstRow ? 0 : Unsafe.ReadUnaligned<uint>(ref above));
    }

    // Residuals of 8 pixels from p (stored) and their same-as-left bits (returned).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Block(Vector256<byte> here, Vector256<byte> left, bool firstRow, ref byte above, int p, ref uint res)
    {
        Vector256<byte> pred = firstRow ? left : FloorAverage(left, Vector256.LoadUnsafe(ref above, (nuint)(p * 4)));
        Vector256<byte> s = here - pred;

        // u2l on bytes: 2s for s < 128, else 2(255 - s) + 1 = ~(2s) modulo 256.
        Vector256<byte> e = (s + s) ^ Vector256.LessThan(s.AsSByte(), Vector256<sbyte>.Zero).AsByte();
        e.AsUInt32().StoreUnsafe(ref res, (nuint)p);
        Vector256<uint> colour = Vector256.Create(ColourMask);
        return Vector256.Equals(here.AsUInt32() & colour, left.AsUInt32() & colour).ExtractMostSignificantBits();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Block(Vector512<byte> here, Vector512<byte> left, bool firstRow, ref byte above, int p, ref uint res)
    {
        Vector512<byte> pred = firstRow ? left : FloorAverage(left, Vector512.LoadUnsafe(ref above, (nuint)(p * 4)));
        Vector512<byte> s = here - pred;
        Vector512<byte> e = (s + s) ^ Vector512.LessThan(s.AsSByte(), Vector512<sbyte>.Zero).AsByte();
        e.AsUInt32().StoreUnsafe(ref res, (nuint)p);
        Vector512<uint> colour = Vector512.Create(ColourMask);
        return (uint)Vector512.Equals(here.AsUInt32() & colour, left.AsUInt32() & colour).ExtractMostSignificantBits();
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Block(Vector128<byte> here, Vector128<byte> left, bool firstRow, ref byte above, int p, ref uint res)
    {
        Vector128<byte> pred = firstRow ? left : FloorAverage(left, Vector128.LoadUnsafe(ref above, (nuint)(p * 4)));
        Vector128<byte> s = here - pred;
        Vector128<byte> e = (s + s) ^ Vector128.LessThan(s.AsSByte(), Vector128<sbyte>.Zero).AsByte();
        e.AsUInt32().StoreUnsafe(ref res, (nuint)p);
        Vector128<uint> colour = Vector128.Create(ColourMask);
        return Vector128.Equals(here.AsUInt32() & colour, left.AsUInt32() & colour).ExtractMostSignificantBits();
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

    // floor((a + b) / 2) per byte.
    private static Vector512<byte> FloorAverage(Vector512<byte> a, Vector512<byte> b) => (a & b) + Vector512.ShiftRightLogical(a ^ b, 1);

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
