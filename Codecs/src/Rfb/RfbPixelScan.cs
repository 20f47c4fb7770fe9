using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Codecs.Rfb;

/// <summary>Vectorised scans over client pixel values used by the RFB content analysis.</summary>
internal static class RfbPixelScan
{
    /// <summary>
    /// Tight mono row: for every x whose value is not <paramref name="background"/>, sets bit <c>7 − x % 8</c> of
    /// <c>bits[x / 8]</c> (most significant bit first); <paramref name="bits"/> must be cleared by the caller.
    /// Scalar equivalent: <c>for (x = 0; x &lt; n; x++) if (row[x] != background) bits[x &gt;&gt; 3] |= 0x80 &gt;&gt; (x &amp; 7);</c>
    /// </summary>
    /// <remarks>
    /// Eight pixels make one output byte. The lanes are reversed before the compare mask is taken, so the mask comes
    /// out most significant bit first:
    /// <code>
    /// Vector256:  | p0 | p1 | ... | p7 |  → Shuffle(7..0) → | p7 | ... | p0 |  → ~Equals(bg) MSBs → byte = p0 p1 … p7
    /// Vector128:  | p0 .. p3 | → reversed mask hi nibble,  | p4 .. p7 | → reversed mask lo nibble
    /// </code>
    /// The last <c>n % 8</c> pixels take the scalar loop.
    /// </remarks>
    public static void PackMonoRow(ReadOnlySpan<uint> row, uint background, Span<byte> bits)
    {
        if (bits.Length < (row.Length + 7) / 8)
        {
            throw new ArgumentException("Too few bytes for the row.", nameof(bits));
        }

        ref uint start = ref MemoryMarshal.GetReference(row);
        int x = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<uint> splat = Vector256.Create(background);
            Vector256<uint> reverse = Vector256.Create(7u, 6, 5, 4, 3, 2, 1, 0);
            for (; x + 8 <= row.Length; x += 8)
            {
                Vector256<uint> pixels = Vector256.Shuffle(Vector256.LoadUnsafe(ref start, (nuint)x), reverse);
                bits[x >> 3] = (byte)~Vector256.Equals(pixels, splat).ExtractMostSignificantBits();
            }
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            Vector128<uint> splat = Vector128.Create(background);
            Vector128<uint> reverse = Vector128.Create(3u, 2, 1, 0);
            for (; x + 8 <= row.Length; x += 8)
            {
                uint high = ~Vector128.Equals(Vector128.Shuffle(Vector128.LoadUnsafe(ref start, (nuint)x), reverse), splat).ExtractMostSignificantBits() & 0xF;
                uint low = ~Vector128.Equals(Vector128.Shuffle(Vector128.LoadUnsafe(ref start, (nuint)x + 4), reverse), splat).ExtractMostSignificantBits() & 0xF;
                bits[x >> 3] = (byte)((high << 4) | low);
            }
        }

        for (; x < row.Length; x++)
        {
            if (row[x] != background)
            {
                bits[x >> 3] |= (byte)(0x80 >> (x & 7));
            }
        }
    }

    /// <summary>
    /// End (exclusive) of the run of values equal to <c>values[start]</c> that begins at <paramref name="start"/>.
    /// Scalar equivalent: <c>j = start + 1; while (j &lt; n &amp;&amp; values[j] == values[start]) j++; return j;</c>
    /// </summary>
    /// <remarks>
    /// Runs in text and UI content are mostly one to three pixels long, where a vector search would cost more than it
    /// saves, so the next two values are compared one by one; a run that is still going on (background, solid areas)
    /// continues with <see cref="IndexOfDifferent"/>.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int RunEnd(ReadOnlySpan<uint> values, int start)
    {
        uint value = values[start];
        int j = start + 1;
        if (j >= values.Length || values[j] != value)
        {
            return j;
        }

        j++;
        if (j >= values.Length || values[j] != value)
        {
            return j;
        }

        j++;
        int different = IndexOfDifferent(values[j..], value);
        return different < 0 ? values.Length : j + different;
    }

    /// <summary>
    /// Index of the first value in <paramref name="values"/> that is not <paramref name="value"/>, or −1 when all are
    /// equal (solid). Scalar equivalent: <c>for (i = 0; i &lt; n; i++) if (values[i] != value) return i; return -1;</c>
    /// </summary>
    /// <remarks>
    /// Lanes are whole pixel values:
    /// <code>
    /// values:   | v0 | v1 | v2 | ... | v15 |   (Vector512: 16 × uint32; Vector256: 8; Vector128: 4)
    /// splat:    |  c |  c |  c | ... |  c  |
    /// Equals →  all-ones lanes where equal; ~mask's lowest set bit (ExtractMostSignificantBits) = first mismatch.
    /// </code>
    /// The loop runs full vectors from the start; the remainder is covered by one last vector placed to end exactly at
    /// <c>n</c> (overlapping already-checked lanes, which is harmless for a read-only compare). Inputs shorter than one
    /// vector of the widest tier fall to the next tier and finally to the scalar loop.
    /// </remarks>
    public static int IndexOfDifferent(ReadOnlySpan<uint> values, uint value)
    {
        ref uint start = ref MemoryMarshal.GetReference(values);
        nuint length = (nuint)values.Length;
        if (Vector512.IsHardwareAccelerated && length >= (nuint)Vector512<uint>.Count)
        {
            Vector512<uint> splat = Vector512.Create(value);
            nuint last = length - (nuint)Vector512<uint>.Count;
            for (nuint i = 0; ; i += (nuint)Vector512<uint>.Count)
            {
                if (i > last)
                {
                    i = last;
                }

                ulong mismatch = ~Vector512.Equals(Vector512.LoadUnsafe(ref start, i), splat).ExtractMostSignificantBits() & 0xFFFFul;
                if (mismatch != 0)
                {
                    return (int)(i + (nuint)BitOperations.TrailingZeroCount(mismatch));
                }

                if (i == last)
                {
                    return -1;
                }
            }
        }

        if (Vector256.IsHardwareAccelerated && length >= (nuint)Vector256<uint>.Count)
        {
            Vector256<uint> splat = Vector256.Create(value);
            nuint last = length - (nuint)Vector256<uint>.Count;
            for (nuint i = 0; ; i += (nuint)Vector256<uint>.Count)
            {
                if (i > last)
                {
                    i = last;
                }

                uint mismatch = ~Vector256.Equals(Vector256.LoadUnsafe(ref start, i), splat).ExtractMostSignificantBits() & 0xFFu;
                if (mismatch != 0)
                {
                    return (int)(i + (nuint)BitOperations.TrailingZeroCount(mismatch));
                }

                if (i == last)
                {
                    return -1;
                }
            }
        }

        if (Vector128.IsHardwareAccelerated && length >= (nuint)Vector128<uint>.Count)
        {
            Vector128<uint> splat = Vector128.Create(value);
            nuint last = length - (nuint)Vector128<uint>.Count;
            for (nuint i = 0; ; i += (nuint)Vector128<uint>.Count)
            {
                if (i > last)
                {
                    i = last;
                }

                uint mismatch = ~Vector128.Equals(Vector128.LoadUnsafe(ref start, i), splat).ExtractMostSignificantBits() & 0xFu;
                if (mismatch != 0)
                {
                    return (int)(i + (nuint)BitOperations.TrailingZeroCount(mismatch));
                }

                if (i == last)
                {
                    return -1;
                }
            }
        }

        for (nuint i = 0; i < length; i++)
        {
            if (Unsafe.Add(ref start, i) != value)
            {
                return (int)i;
            }
        }

        return -1;
    }

    /// <summary>
    /// Number of positions <c>i</c> in <c>[1, n)</c> with <c>values[i] != values[i - 1]</c>: the run count minus one, the
    /// basis of the natural-image estimate. Scalar equivalent:
    /// <c>for (i = 1; i &lt; n; i++) changes += values[i] != values[i - 1] ? 1 : 0;</c>
    /// </summary>
    /// <remarks>
    /// Two overlapping loads one pixel apart give each lane its left neighbour:
    /// <code>
    /// a = load(i - 1):  | v[i-1] | v[i]   | ... | v[i+14] |
    /// b = load(i):      | v[i]   | v[i+1] | ... | v[i+15] |
    /// ~Equals(a, b) → one bit per lane that starts a new run; PopCount of ExtractMostSignificantBits adds them up.
    /// </code>
    /// Full vectors run while <c>i + Count ≤ n</c>; the remaining &lt; Count positions run through the scalar loop (a
    /// counting loop cannot overlap its last vector without counting lanes twice).
    /// </remarks>
    public static int CountChanges(ReadOnlySpan<uint> values)
    {
        ref uint start = ref MemoryMarshal.GetReference(values);
        nuint length = (nuint)values.Length;
        nuint i = 1;
        int changes = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector512<uint>.Count <= length; i += (nuint)Vector512<uint>.Count)
            {
                Vector512<uint> a = Vector512.LoadUnsafe(ref start, i - 1);
                Vector512<uint> b = Vector512.LoadUnsafe(ref start, i);
                changes += BitOperations.PopCount(~Vector512.Equals(a, b).ExtractMostSignificantBits() & 0xFFFFul);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector256<uint>.Count <= length; i += (nuint)Vector256<uint>.Count)
            {
                Vector256<uint> a = Vector256.LoadUnsafe(ref start, i - 1);
                Vector256<uint> b = Vector256.LoadUnsafe(ref start, i);
                changes += BitOperations.PopCount(~Vector256.Equals(a, b).ExtractMostSignificantBits() & 0xFFu);
            }
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            for (; i + (nuint)Vector128<uint>.Count <= length; i += (nuint)Vector128<uint>.Count)
            {
                Vector128<uint> a = Vector128.LoadUnsafe(ref start, i - 1);
                Vector128<uint> b = Vector128.LoadUnsafe(ref start, i);
                changes += BitOperations.PopCount(~Vector128.Equals(a, b).ExtractMostSignificantBits() & 0xFu);
            }
        }

        for (; i < length; i++)
        {
            if (Unsafe.Add(ref start, i) != Unsafe.Add(ref start, i - 1))
            {
                changes++;
            }
        }

        return changes;
    }

    /// <summary>The widest vector the scans use here: 512, 256, 128 or 0 (scalar).</summary>
    public static int VectorBits =>
        Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : Vector128.IsHardwareAccelerated ? 128 : 0;

    /// <summary>
    /// True when every value in columns <c>[x, x + width)</c> of rows <c>[y, y + height)</c> (row <c>r</c> starting at
    /// <c>r · stride</c>) equals <paramref name="value"/> in the bits of <paramref name="mask"/> (the mask lets a scan
    /// run on canonical pixels, whose unused byte is not part of the colour). Scalar equivalent:
    /// <c>for each row, column: if ((values[row * stride + column] &amp; mask) != (value &amp; mask)) return false; return true;</c>
    /// </summary>
    /// <remarks>
    /// The solid-area search asks this for 16 × 16 blocks, mostly in content that is not solid, so the whole block is
    /// checked in one call with a single bounds check and each row is a few vector compares that stop at the first
    /// difference (one Vector512 per row of a 16-pixel block). Each row runs full vectors and then one last vector that
    /// ends exactly at the row's end (overlapping lanes already checked); rows narrower than a vector use the next tier
    /// and finally the scalar loop.
    /// </remarks>
    public static bool IsSolid(ReadOnlySpan<uint> values, int stride, int x, int y, int width, int height, uint value, uint mask = uint.MaxValue)
    {
        if (width <= 0 || height <= 0)
        {
            return true;
        }

        if (x < 0 || y < 0 || stride < 0 || (long)(y + height - 1) * stride + x + width > values.Length)
        {
            ThrowBlockOutside();
        }

        ref uint origin = ref Unsafe.Add(ref MemoryMarshal.GetReference(values), (nint)y * stride + x);
        nuint step = (nuint)stride;
        uint expected = value & mask;
        if (Vector512.IsHardwareAccelerated && width >= Vector512<uint>.Count)
        {
            Vector512<uint> splat = Vector512.Create(expected);
            Vector512<uint> bits = Vector512.Create(mask);
            nuint last = (nuint)(width - Vector512<uint>.Count);
            for (nuint r = 0, row = 0; r < (nuint)height; r++, row += step)
            {
                for (nuint i = 0; i < last; i += (nuint)Vector512<uint>.Count)
                {
                    if ((Vector512.LoadUnsafe(ref origin, row + i) & bits) != splat)
                    {
                        return false;
                    }
                }

                if ((Vector512.LoadUnsafe(ref origin, row + last) & bits) != splat)
                {
                    return false;
                }
            }

            return true;
        }

        if (Vector256.IsHardwareAccelerated && width >= Vector256<uint>.Count)
        {
            Vector256<uint> splat = Vector256.Create(expected);
            Vector256<uint> bits = Vector256.Create(mask);
            nuint last = (nuint)(width - Vector256<uint>.Count);
            for (nuint r = 0, row = 0; r < (nuint)height; r++, row += step)
            {
                for (nuint i = 0; i < last; i += (nuint)Vector256<uint>.Count)
                {
                    if ((Vector256.LoadUnsafe(ref origin, row + i) & bits) != splat)
                    {
                        return false;
                    }
                }

                if ((Vector256.LoadUnsafe(ref origin, row + last) & bits) != splat)
                {
                    return false;
                }
            }

            return true;
        }

        if (Vector128.IsHardwareAccelerated && width >= Vector128<uint>.Count)
        {
            Vector128<uint> splat = Vector128.Create(expected);
            Vector128<uint> bits = Vector128.Create(mask);
            nuint last = (nuint)(width - Vector128<uint>.Count);
            for (nuint r = 0, row = 0; r < (nuint)height; r++, row += step)
            {
                for (nuint i = 0; i < last; i += (nuint)Vector128<uint>.Count)
                {
                    if ((Vector128.LoadUnsafe(ref origin, row + i) & bits) != splat)
                    {
                        return false;
                    }
                }

                if ((Vector128.LoadUnsafe(ref origin, row + last) & bits) != splat)
                {
                    return false;
                }
            }

            return true;
        }

        for (nuint r = 0, row = 0; r < (nuint)height; r++, row += step)
        {
            for (nuint i = 0; i < (nuint)width; i++)
            {
                if ((Unsafe.Add(ref origin, row + i) & mask) != expected)
                {
                    return false;
                }
            }
        }

        return true;
    }

    [DoesNotReturn]
    private static void ThrowBlockOutside() => throw new ArgumentOutOfRangeException("values", "The block is outside the values.");
}
