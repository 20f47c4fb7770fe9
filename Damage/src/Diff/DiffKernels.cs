using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Damage;

/// <summary>
/// The two primitives the damage scan is built from: the first and the last differing byte of two equally long byte
/// ranges. One implementation per vector width; the scan is generic over this interface, so the JIT emits one
/// specialised scan per width with the kernel calls inlined (the runtime's struct-generic strategy pattern).
/// </summary>
internal interface IDiffKernel
{
    /// <summary>The instruction tier this kernel's main loop uses.</summary>
    static abstract DamageIsa Isa { get; }

    /// <summary>Index of the first byte where <paramref name="a"/> and <paramref name="b"/> differ, or <paramref name="length"/> when equal.</summary>
    static abstract nuint FirstDifference(ref byte a, ref byte b, nuint length);

    /// <summary>Index of the last byte where <paramref name="a"/> and <paramref name="b"/> differ, or -1 when equal.</summary>
    static abstract nint LastDifference(ref byte a, ref byte b, nuint length);

    /// <summary>
    /// <c>accumulator[i] |= a[i] ^ b[i]</c> for i in [0, <paramref name="length"/>); returns whether any byte differed.
    /// Collects, row after row, which byte columns of a dirty tile changed.
    /// </summary>
    static abstract bool AccumulateDifferences(ref byte a, ref byte b, ref byte accumulator, nuint length);
}

/// <summary>
/// Scalar reference kernel: 8 bytes at a time as <see cref="ulong"/>, then single bytes.
/// </summary>
/// <remarks>
/// Scalar equivalent (what every kernel below computes):
/// <code>
/// for (i = 0; i &lt; length; i++) if (a[i] != b[i]) return i;          return length;   // FirstDifference
/// for (i = length - 1; i &gt;= 0; i--) if (a[i] != b[i]) return i;       return -1;       // LastDifference
/// </code>
/// </remarks>
internal readonly struct ScalarDiffKernel : IDiffKernel
{
    public static DamageIsa Isa => DamageIsa.Scalar;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nuint FirstDifference(ref byte a, ref byte b, nuint length)
    {
        nuint i = 0;

        // x = a[i..i+8] ^ b[i..i+8] read as one little-endian ulong: byte i+k lands in bits 8k..8k+7, so the lowest set
        // bit belongs to the first differing byte (the highest set bit on a big-endian host).
        while (length - i >= sizeof(ulong))
        {
            ulong x = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref a, i)) ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref b, i));
            if (x != 0)
            {
                int bit = BitConverter.IsLittleEndian ? BitOperations.TrailingZeroCount(x) : BitOperations.LeadingZeroCount(x);
                return i + (nuint)(bit >> 3);
            }

            i += sizeof(ulong);
        }

        for (; i < length; i++)
        {
            if (Unsafe.Add(ref a, i) != Unsafe.Add(ref b, i))
            {
                return i;
            }
        }

        return length;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nint LastDifference(ref byte a, ref byte b, nuint length)
    {
        nuint end = length;

        // Same ulong layout as FirstDifference; the last differing byte owns the highest set bit (little-endian).
        while (end >= sizeof(ulong))
        {
            nuint start = end - sizeof(ulong);
            ulong x = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref a, start)) ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref b, start));
            if (x != 0)
            {
                int bit = BitConverter.IsLittleEndian ? 63 - BitOperations.LeadingZeroCount(x) : 63 - BitOperations.TrailingZeroCount(x);
                return (nint)start + (bit >> 3);
            }

            end = start;
        }

        while (end > 0)
        {
            end--;
            if (Unsafe.Add(ref a, end) != Unsafe.Add(ref b, end))
            {
                return (nint)end;
            }
        }

        return -1;
    }

    /// <remarks>8 bytes at a time as <see cref="ulong"/>, then single bytes.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AccumulateDifferences(ref byte a, ref byte b, ref byte accumulator, nuint length)
    {
        ulong any = 0;
        nuint i = 0;
        for (; length - i >= sizeof(ulong); i += sizeof(ulong))
        {
            ulong x = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref a, i)) ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref b, i));
            ref byte slot = ref Unsafe.Add(ref accumulator, i);
            Unsafe.WriteUnaligned(ref slot, Unsafe.ReadUnaligned<ulong>(ref slot) | x);
            any |= x;
        }

        for (; i < length; i++)
        {
            int x = Unsafe.Add(ref a, i) ^ Unsafe.Add(ref b, i);
            Unsafe.Add(ref accumulator, i) |= (byte)x;
            any |= (uint)x;
        }

        return any != 0;
    }
}

/// <summary>
/// 16-byte kernel (SSE2 / AdvSimd). Ranges shorter than one vector go to <see cref="ScalarDiffKernel"/>.
/// </summary>
/// <remarks>
/// <code>
/// a:    | a0 a1 ... a15 |       b: | b0 b1 ... b15 |
/// d = a ^ b                        one lane per byte, 0 where equal
/// m = ExtractMostSignificantBits(Equals(d, 0))   bit k set ⇔ byte k equal (16-bit mask)
/// first differing byte = TrailingZeroCount(~m), last = 31 - LeadingZeroCount(~m &amp; 0xFFFF)
/// </code>
/// Main loop: four vectors (64 bytes) per iteration, OR-ed together so the no-difference path costs one test per
/// 64 bytes; then single vectors; the remainder is one vector overlapped with the end (FirstDifference) or the start
/// (LastDifference). The overlapped bytes were already found equal, so a hit there is still the first (last) one.
/// Scalar equivalent: <see cref="ScalarDiffKernel"/>.
/// </remarks>
internal readonly struct Vector128DiffKernel : IDiffKernel
{
    public static DamageIsa Isa => DamageIsa.Vector128;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nuint FirstDifference(ref byte a, ref byte b, nuint length)
    {
        const int N = 16;
        if (length < N)
        {
            return ScalarDiffKernel.FirstDifference(ref a, ref b, length);
        }

        nuint i = 0;
        Vector128<byte> d;
        if (length >= 4 * N)
        {
            nuint lastBlock = length - 4 * N;
            do
            {
                Vector128<byte> d0 = Vector128.LoadUnsafe(ref a, i) ^ Vector128.LoadUnsafe(ref b, i);
                Vector128<byte> d1 = Vector128.LoadUnsafe(ref a, i + N) ^ Vector128.LoadUnsafe(ref b, i + N);
                Vector128<byte> d2 = Vector128.LoadUnsafe(ref a, i + 2 * N) ^ Vector128.LoadUnsafe(ref b, i + 2 * N);
                Vector128<byte> d3 = Vector128.LoadUnsafe(ref a, i + 3 * N) ^ Vector128.LoadUnsafe(ref b, i + 3 * N);
                if (((d0 | d1) | (d2 | d3)) != Vector128<byte>.Zero)
                {
                    // Locate the vector; the bytes before it are equal.
                    if (d0 != Vector128<byte>.Zero)
                    {
                        d = d0;
                    }
                    else if (d1 != Vector128<byte>.Zero)
                    {
                        d = d1;
                        i += N;
                    }
                    else if (d2 != Vector128<byte>.Zero)
                    {
                        d = d2;
                        i += 2 * N;
                    }
                    else
                    {
                        d = d3;
                        i += 3 * N;
                    }

                    goto Found;
                }

                i += 4 * N;
            }
            while (i <= lastBlock);
        }

        while (length - i >= N)
        {
            d = Vector128.LoadUnsafe(ref a, i) ^ Vector128.LoadUnsafe(ref b, i);
            if (d != Vector128<byte>.Zero)
            {
                goto Found;
            }

            i += N;
        }

        if (i == length)
        {
            return length;
        }

        // Do the final compare as one vector from the end rather than a scalar tail.
        i = length - N;
        d = Vector128.LoadUnsafe(ref a, i) ^ Vector128.LoadUnsafe(ref b, i);
        if (d == Vector128<byte>.Zero)
        {
            return length;
        }

    Found:
        uint equal = Vector128.Equals(d, Vector128<byte>.Zero).ExtractMostSignificantBits();
        return i + (nuint)BitOperations.TrailingZeroCount(~equal);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nint LastDifference(ref byte a, ref byte b, nuint length)
    {
        const int N = 16;
        if (length < N)
        {
            return ScalarDiffKernel.LastDifference(ref a, ref b, length);
        }

        // end: every byte at or after it is known equal; blocks are read just below it.
        nuint end = length;
        nuint at;
        Vector128<byte> d;
        while (end >= 4 * N)
        {
            nuint p = end - 4 * N;
            Vector128<byte> d0 = Vector128.LoadUnsafe(ref a, p) ^ Vector128.LoadUnsafe(ref b, p);
            Vector128<byte> d1 = Vector128.LoadUnsafe(ref a, p + N) ^ Vector128.LoadUnsafe(ref b, p + N);
            Vector128<byte> d2 = Vector128.LoadUnsafe(ref a, p + 2 * N) ^ Vector128.LoadUnsafe(ref b, p + 2 * N);
            Vector128<byte> d3 = Vector128.LoadUnsafe(ref a, p + 3 * N) ^ Vector128.LoadUnsafe(ref b, p + 3 * N);
            if (((d0 | d1) | (d2 | d3)) != Vector128<byte>.Zero)
            {
                // Locate the highest differing vector; the bytes after it are equal.
                if (d3 != Vector128<byte>.Zero)
                {
                    d = d3;
                    at = p + 3 * N;
                }
                else if (d2 != Vector128<byte>.Zero)
                {
                    d = d2;
                    at = p + 2 * N;
                }
                else if (d1 != Vector128<byte>.Zero)
                {
                    d = d1;
                    at = p + N;
                }
                else
                {
                    d = d0;
                    at = p;
                }

                goto Found;
            }

            end = p;
        }

        while (end >= N)
        {
            at = end - N;
            d = Vector128.LoadUnsafe(ref a, at) ^ Vector128.LoadUnsafe(ref b, at);
            if (d != Vector128<byte>.Zero)
            {
                goto Found;
            }

            end = at;
        }

        if (end == 0)
        {
            return -1;
        }

        // The remaining head [0, end) is shorter than a vector: compare the first vector, overlapping known-equal bytes.
        at = 0;
        d = Vector128.LoadUnsafe(ref a) ^ Vector128.LoadUnsafe(ref b);
        if (d == Vector128<byte>.Zero)
        {
            return -1;
        }

    Found:
        uint differ = ~Vector128.Equals(d, Vector128<byte>.Zero).ExtractMostSignificantBits() & 0xFFFFu;
        return (nint)at + (31 - BitOperations.LeadingZeroCount(differ));
    }
    /// <remarks>
    /// <code>
    /// d0..d3 = a[i+kN..] ^ b[i+kN..];  acc[i+kN..] |= dk;  any |= (d0 | d1) | (d2 | d3)     four vectors per iteration
    /// </code>
    /// Then single vectors; the remainder is one vector overlapped with the end: OR is idempotent, so bytes seen twice
    /// do no harm. Four vectors per iteration halve the loop and `any` overhead on wide dirty runs (a 1080p row of
    /// dirty tiles is 7680 bytes).
    /// Scalar equivalent: <see cref="ScalarDiffKernel.AccumulateDifferences"/>.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AccumulateDifferences(ref byte a, ref byte b, ref byte accumulator, nuint length)
    {
        const int N = 16;
        if (length < N)
        {
            return ScalarDiffKernel.AccumulateDifferences(ref a, ref b, ref accumulator, length);
        }

        Vector128<byte> any = Vector128<byte>.Zero;
        nuint i = 0;
        if (length >= 4 * N)
        {
            nuint lastBlock = length - 4 * N;
            do
            {
                Vector128<byte> d0 = Vector128.LoadUnsafe(ref a, i) ^ Vector128.LoadUnsafe(ref b, i);
                Vector128<byte> d1 = Vector128.LoadUnsafe(ref a, i + N) ^ Vector128.LoadUnsafe(ref b, i + N);
                Vector128<byte> d2 = Vector128.LoadUnsafe(ref a, i + 2 * N) ^ Vector128.LoadUnsafe(ref b, i + 2 * N);
                Vector128<byte> d3 = Vector128.LoadUnsafe(ref a, i + 3 * N) ^ Vector128.LoadUnsafe(ref b, i + 3 * N);
                (Vector128.LoadUnsafe(ref accumulator, i) | d0).StoreUnsafe(ref accumulator, i);
                (Vector128.LoadUnsafe(ref accumulator, i + N) | d1).StoreUnsafe(ref accumulator, i + N);
                (Vector128.LoadUnsafe(ref accumulator, i + 2 * N) | d2).StoreUnsafe(ref accumulator, i + 2 * N);
                (Vector128.LoadUnsafe(ref accumulator, i + 3 * N) | d3).StoreUnsafe(ref accumulator, i + 3 * N);
                any |= (d0 | d1) | (d2 | d3);
                i += 4 * N;
            }
            while (i <= lastBlock);
        }

        for (; length - i >= N; i += N)
        {
            Vector128<byte> d = Vector128.LoadUnsafe(ref a, i) ^ Vector128.LoadUnsafe(ref b, i);
            (Vector128.LoadUnsafe(ref accumulator, i) | d).StoreUnsafe(ref accumulator, i);
            any |= d;
        }

        if (i != length)
        {
            i = length - N;
            Vector128<byte> d = Vector128.LoadUnsafe(ref a, i) ^ Vector128.LoadUnsafe(ref b, i);
            (Vector128.LoadUnsafe(ref accumulator, i) | d).StoreUnsafe(ref accumulator, i);
            any |= d;
        }

        return any != Vector128<byte>.Zero;
    }
}

/// <summary>
/// 32-byte kernel (AVX2). Ranges shorter than one vector go to <see cref="Vector128DiffKernel"/>.
/// </summary>
/// <remarks>
/// <code>
/// d = a[i..i+32] ^ b[i..i+32]                      32 byte lanes, 0 where equal
/// m = ExtractMostSignificantBits(Equals(d, 0))   bit k set ⇔ byte k equal (32-bit mask)
/// first = TrailingZeroCount(~m), last = 31 - LeadingZeroCount(~m)
/// </code>
/// Same loop shape as <see cref="Vector128DiffKernel"/>: 4 × 32 bytes OR-ed per iteration, single vectors, then one
/// vector overlapped with the end (start). Scalar equivalent: <see cref="ScalarDiffKernel"/>.
/// </remarks>
internal readonly struct Vector256DiffKernel : IDiffKernel
{
    public static DamageIsa Isa => DamageIsa.Vector256;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nuint FirstDifference(ref byte a, ref byte b, nuint length)
    {
        const int N = 32;
        if (length < N)
        {
            return Vector128DiffKernel.FirstDifference(ref a, ref b, length);
        }

        nuint i = 0;
        Vector256<byte> d;
        if (length >= 4 * N)
        {
            nuint lastBlock = length - 4 * N;
            do
            {
                Vector256<byte> d0 = Vector256.LoadUnsafe(ref a, i) ^ Vector256.LoadUnsafe(ref b, i);
                Vector256<byte> d1 = Vector256.LoadUnsafe(ref a, i + N) ^ Vector256.LoadUnsafe(ref b, i + N);
                Vector256<byte> d2 = Vector256.LoadUnsafe(ref a, i + 2 * N) ^ Vector256.LoadUnsafe(ref b, i + 2 * N);
                Vector256<byte> d3 = Vector256.LoadUnsafe(ref a, i + 3 * N) ^ Vector256.LoadUnsafe(ref b, i + 3 * N);
                if (((d0 | d1) | (d2 | d3)) != Vector256<byte>.Zero)
                {
                    if (d0 != Vector256<byte>.Zero)
                    {
                        d = d0;
                    }
                    else if (d1 != Vector256<byte>.Zero)
                    {
                        d = d1;
                        i += N;
                    }
                    else if (d2 != Vector256<byte>.Zero)
                    {
                        d = d2;
                        i += 2 * N;
                    }
                    else
                    {
                        d = d3;
                        i += 3 * N;
                    }

                    goto Found;
                }

                i += 4 * N;
            }
            while (i <= lastBlock);
        }

        while (length - i >= N)
        {
            d = Vector256.LoadUnsafe(ref a, i) ^ Vector256.LoadUnsafe(ref b, i);
            if (d != Vector256<byte>.Zero)
            {
                goto Found;
            }

            i += N;
        }

        if (i == length)
        {
            return length;
        }

        i = length - N;
        d = Vector256.LoadUnsafe(ref a, i) ^ Vector256.LoadUnsafe(ref b, i);
        if (d == Vector256<byte>.Zero)
        {
            return length;
        }

    Found:
        uint equal = Vector256.Equals(d, Vector256<byte>.Zero).ExtractMostSignificantBits();
        return i + (nuint)BitOperations.TrailingZeroCount(~equal);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nint LastDifference(ref byte a, ref byte b, nuint length)
    {
        const int N = 32;
        if (length < N)
        {
            return Vector128DiffKernel.LastDifference(ref a, ref b, length);
        }

        nuint end = length;
        nuint at;
        Vector256<byte> d;
        while (end >= 4 * N)
        {
            nuint p = end - 4 * N;
            Vector256<byte> d0 = Vector256.LoadUnsafe(ref a, p) ^ Vector256.LoadUnsafe(ref b, p);
            Vector256<byte> d1 = Vector256.LoadUnsafe(ref a, p + N) ^ Vector256.LoadUnsafe(ref b, p + N);
            Vector256<byte> d2 = Vector256.LoadUnsafe(ref a, p + 2 * N) ^ Vector256.LoadUnsafe(ref b, p + 2 * N);
            Vector256<byte> d3 = Vector256.LoadUnsafe(ref a, p + 3 * N) ^ Vector256.LoadUnsafe(ref b, p + 3 * N);
            if (((d0 | d1) | (d2 | d3)) != Vector256<byte>.Zero)
            {
                if (d3 != Vector256<byte>.Zero)
                {
                    d = d3;
                    at = p + 3 * N;
                }
                else if (d2 != Vector256<byte>.Zero)
                {
                    d = d2;
                    at = p + 2 * N;
                }
                else if (d1 != Vector256<byte>.Zero)
                {
                    d = d1;
                    at = p + N;
                }
                else
                {
                    d = d0;
                    at = p;
                }

                goto Found;
            }

            end = p;
        }

        while (end >= N)
        {
            at = end - N;
            d = Vector256.LoadUnsafe(ref a, at) ^ Vector256.LoadUnsafe(ref b, at);
            if (d != Vector256<byte>.Zero)
            {
                goto Found;
            }

            end = at;
        }

        if (end == 0)
        {
            return -1;
        }

        at = 0;
        d = Vector256.LoadUnsafe(ref a) ^ Vector256.LoadUnsafe(ref b);
        if (d == Vector256<byte>.Zero)
        {
            return -1;
        }

    Found:
        uint differ = ~Vector256.Equals(d, Vector256<byte>.Zero).ExtractMostSignificantBits();
        return (nint)at + (31 - BitOperations.LeadingZeroCount(differ));
    }
    /// <remarks>
    /// <code>
    /// d0..d3 = a[i+kN..] ^ b[i+kN..];  acc[i+kN..] |= dk;  any |= (d0 | d1) | (d2 | d3)     four vectors per iteration
    /// </code>
    /// Then single vectors; the remainder is one vector overlapped with the end: OR is idempotent, so bytes seen twice
    /// do no harm. Four vectors per iteration halve the loop and `any` overhead on wide dirty runs (a 1080p row of
    /// dirty tiles is 7680 bytes).
    /// Scalar equivalent: <see cref="ScalarDiffKernel.AccumulateDifferences"/>.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AccumulateDifferences(ref byte a, ref byte b, ref byte accumulator, nuint length)
    {
        const int N = 32;
        if (length < N)
        {
            return Vector128DiffKernel.AccumulateDifferences(ref a, ref b, ref accumulator, length);
        }

        Vector256<byte> any = Vector256<byte>.Zero;
        nuint i = 0;
        if (length >= 4 * N)
        {
            nuint lastBlock = length - 4 * N;
            do
            {
                Vector256<byte> d0 = Vector256.LoadUnsafe(ref a, i) ^ Vector256.LoadUnsafe(ref b, i);
                Vector256<byte> d1 = Vector256.LoadUnsafe(ref a, i + N) ^ Vector256.LoadUnsafe(ref b, i + N);
                Vector256<byte> d2 = Vector256.LoadUnsafe(ref a, i + 2 * N) ^ Vector256.LoadUnsafe(ref b, i + 2 * N);
                Vector256<byte> d3 = Vector256.LoadUnsafe(ref a, i + 3 * N) ^ Vector256.LoadUnsafe(ref b, i + 3 * N);
                (Vector256.LoadUnsafe(ref accumulator, i) | d0).StoreUnsafe(ref accumulator, i);
                (Vector256.LoadUnsafe(ref accumulator, i + N) | d1).StoreUnsafe(ref accumulator, i + N);
                (Vector256.LoadUnsafe(ref accumulator, i + 2 * N) | d2).StoreUnsafe(ref accumulator, i + 2 * N);
                (Vector256.LoadUnsafe(ref accumulator, i + 3 * N) | d3).StoreUnsafe(ref accumulator, i + 3 * N);
                any |= (d0 | d1) | (d2 | d3);
                i += 4 * N;
            }
            while (i <= lastBlock);
        }

        for (; length - i >= N; i += N)
        {
            Vector256<byte> d = Vector256.LoadUnsafe(ref a, i) ^ Vector256.LoadUnsafe(ref b, i);
            (Vector256.LoadUnsafe(ref accumulator, i) | d).StoreUnsafe(ref accumulator, i);
            any |= d;
        }

        if (i != length)
        {
            i = length - N;
            Vector256<byte> d = Vector256.LoadUnsafe(ref a, i) ^ Vector256.LoadUnsafe(ref b, i);
            (Vector256.LoadUnsafe(ref accumulator, i) | d).StoreUnsafe(ref accumulator, i);
            any |= d;
        }

        return any != Vector256<byte>.Zero;
    }
}

/// <summary>
/// 64-byte kernel (AVX-512). Ranges shorter than one vector go to <see cref="Vector256DiffKernel"/>.
/// </summary>
/// <remarks>
/// <code>
/// d = a[i..i+64] ^ b[i..i+64]                      64 byte lanes, 0 where equal
/// m = ExtractMostSignificantBits(Equals(d, 0))   bit k set ⇔ byte k equal (64-bit mask, one vpcmpeqb → k-reg)
/// first = TrailingZeroCount(~m), last = 63 - LeadingZeroCount(~m)
/// </code>
/// Main loop: 4 × 64 = 256 bytes per iteration (one 64-pixel tile row of Bgrx32), OR-ed so that equal data costs one
/// vptest per 256 bytes; single vectors next; one vector overlapped with the end (start) last.
/// Scalar equivalent: <see cref="ScalarDiffKernel"/>.
/// </remarks>
internal readonly struct Vector512DiffKernel : IDiffKernel
{
    public static DamageIsa Isa => DamageIsa.Vector512;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nuint FirstDifference(ref byte a, ref byte b, nuint length)
    {
        const int N = 64;
        if (length < N)
        {
            return Vector256DiffKernel.FirstDifference(ref a, ref b, length);
        }

        nuint i = 0;
        Vector512<byte> d;
        if (length >= 4 * N)
        {
            nuint lastBlock = length - 4 * N;
            do
            {
                Vector512<byte> d0 = Vector512.LoadUnsafe(ref a, i) ^ Vector512.LoadUnsafe(ref b, i);
                Vector512<byte> d1 = Vector512.LoadUnsafe(ref a, i + N) ^ Vector512.LoadUnsafe(ref b, i + N);
                Vector512<byte> d2 = Vector512.LoadUnsafe(ref a, i + 2 * N) ^ Vector512.LoadUnsafe(ref b, i + 2 * N);
                Vector512<byte> d3 = Vector512.LoadUnsafe(ref a, i + 3 * N) ^ Vector512.LoadUnsafe(ref b, i + 3 * N);
                if (((d0 | d1) | (d2 | d3)) != Vector512<byte>.Zero)
                {
                    if (d0 != Vector512<byte>.Zero)
                    {
                        d = d0;
                    }
                    else if (d1 != Vector512<byte>.Zero)
                    {
                        d = d1;
                        i += N;
                    }
                    else if (d2 != Vector512<byte>.Zero)
                    {
                        d = d2;
                        i += 2 * N;
                    }
                    else
                    {
                        d = d3;
                        i += 3 * N;
                    }

                    goto Found;
                }

                i += 4 * N;
            }
            while (i <= lastBlock);
        }

        while (length - i >= N)
        {
            d = Vector512.LoadUnsafe(ref a, i) ^ Vector512.LoadUnsafe(ref b, i);
            if (d != Vector512<byte>.Zero)
            {
                goto Found;
            }

            i += N;
        }

        if (i == length)
        {
            return length;
        }

        i = length - N;
        d = Vector512.LoadUnsafe(ref a, i) ^ Vector512.LoadUnsafe(ref b, i);
        if (d == Vector512<byte>.Zero)
        {
            return length;
        }

    Found:
        ulong equal = Vector512.Equals(d, Vector512<byte>.Zero).ExtractMostSignificantBits();
        return i + (nuint)BitOperations.TrailingZeroCount(~equal);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nint LastDifference(ref byte a, ref byte b, nuint length)
    {
        const int N = 64;
        if (length < N)
        {
            return Vector256DiffKernel.LastDifference(ref a, ref b, length);
        }

        nuint end = length;
        nuint at;
        Vector512<byte> d;
        while (end >= 4 * N)
        {
            nuint p = end - 4 * N;
            Vector512<byte> d0 = Vector512.LoadUnsafe(ref a, p) ^ Vector512.LoadUnsafe(ref b, p);
            Vector512<byte> d1 = Vector512.LoadUnsafe(ref a, p + N) ^ Vector512.LoadUnsafe(ref b, p + N);
            Vector512<byte> d2 = Vector512.LoadUnsafe(ref a, p + 2 * N) ^ Vector512.LoadUnsafe(ref b, p + 2 * N);
            Vector512<byte> d3 = Vector512.LoadUnsafe(ref a, p + 3 * N) ^ Vector512.LoadUnsafe(ref b, p + 3 * N);
            if (((d0 | d1) | (d2 | d3)) != Vector512<byte>.Zero)
            {
                if (d3 != Vector512<byte>.Zero)
                {
                    d = d3;
                    at = p + 3 * N;
                }
                else if (d2 != Vector512<byte>.Zero)
                {
                    d = d2;
                    at = p + 2 * N;
                }
                else if (d1 != Vector512<byte>.Zero)
                {
                    d = d1;
                    at = p + N;
                }
                else
                {
                    d = d0;
                    at = p;
                }

                goto Found;
            }

            end = p;
        }

        while (end >= N)
        {
            at = end - N;
            d = Vector512.LoadUnsafe(ref a, at) ^ Vector512.LoadUnsafe(ref b, at);
            if (d != Vector512<byte>.Zero)
            {
                goto Found;
            }

            end = at;
        }

        if (end == 0)
        {
            return -1;
        }

        at = 0;
        d = Vector512.LoadUnsafe(ref a) ^ Vector512.LoadUnsafe(ref b);
        if (d == Vector512<byte>.Zero)
        {
            return -1;
        }

    Found:
        ulong differ = ~Vector512.Equals(d, Vector512<byte>.Zero).ExtractMostSignificantBits();
        return (nint)at + (63 - BitOperations.LeadingZeroCount(differ));
    }
    /// <remarks>
    /// <code>
    /// d0..d3 = a[i+kN..] ^ b[i+kN..];  acc[i+kN..] |= dk;  any |= (d0 | d1) | (d2 | d3)     four vectors per iteration
    /// </code>
    /// Then single vectors; the remainder is one vector overlapped with the end: OR is idempotent, so bytes seen twice
    /// do no harm. Four vectors per iteration halve the loop and `any` overhead on wide dirty runs (a 1080p row of
    /// dirty tiles is 7680 bytes).
    /// Scalar equivalent: <see cref="ScalarDiffKernel.AccumulateDifferences"/>.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AccumulateDifferences(ref byte a, ref byte b, ref byte accumulator, nuint length)
    {
        const int N = 64;
        if (length < N)
        {
            return Vector256DiffKernel.AccumulateDifferences(ref a, ref b, ref accumulator, length);
        }

        Vector512<byte> any = Vector512<byte>.Zero;
        nuint i = 0;
        if (length >= 4 * N)
        {
            nuint lastBlock = length - 4 * N;
            do
            {
                Vector512<byte> d0 = Vector512.LoadUnsafe(ref a, i) ^ Vector512.LoadUnsafe(ref b, i);
                Vector512<byte> d1 = Vector512.LoadUnsafe(ref a, i + N) ^ Vector512.LoadUnsafe(ref b, i + N);
                Vector512<byte> d2 = Vector512.LoadUnsafe(ref a, i + 2 * N) ^ Vector512.LoadUnsafe(ref b, i + 2 * N);
                Vector512<byte> d3 = Vector512.LoadUnsafe(ref a, i + 3 * N) ^ Vector512.LoadUnsafe(ref b, i + 3 * N);
                (Vector512.LoadUnsafe(ref accumulator, i) | d0).StoreUnsafe(ref accumulator, i);
                (Vector512.LoadUnsafe(ref accumulator, i + N) | d1).StoreUnsafe(ref accumulator, i + N);
                (Vector512.LoadUnsafe(ref accumulator, i + 2 * N) | d2).StoreUnsafe(ref accumulator, i + 2 * N);
                (Vector512.LoadUnsafe(ref accumulator, i + 3 * N) | d3).StoreUnsafe(ref accumulator, i + 3 * N);
                any |= (d0 | d1) | (d2 | d3);
                i += 4 * N;
            }
            while (i <= lastBlock);
        }

        for (; length - i >= N; i += N)
        {
            Vector512<byte> d = Vector512.LoadUnsafe(ref a, i) ^ Vector512.LoadUnsafe(ref b, i);
            (Vector512.LoadUnsafe(ref accumulator, i) | d).StoreUnsafe(ref accumulator, i);
            any |= d;
        }

        if (i != length)
        {
            i = length - N;
            Vector512<byte> d = Vector512.LoadUnsafe(ref a, i) ^ Vector512.LoadUnsafe(ref b, i);
            (Vector512.LoadUnsafe(ref accumulator, i) | d).StoreUnsafe(ref accumulator, i);
            any |= d;
        }

        return any != Vector512<byte>.Zero;
    }
}
