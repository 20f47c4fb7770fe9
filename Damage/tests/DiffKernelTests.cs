using Damage.Tests.Support;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Damage.Tests;

/// <summary>The first/last-difference kernels of every tier the process supports, against a byte loop.</summary>
public sealed class DiffKernelTests
{
    // Up to 3 × Vector512 + 1: every loop of every tier (4-vector blocks, single vectors, overlapped tail) is reached.
    private const int MaxBoundaryLength = 3 * 64 + 1;

    public static IEnumerable<DamageIsa> SupportedIsas =>
        Enum.GetValues<DamageIsa>().Where(isa => isa <= DamageScanner.AcceleratedIsa);

    [Fact]
    public void EveryLengthAndDifferencePosition_MatchesByteLoop()
    {
        byte[] a = new byte[MaxBoundaryLength + 8];
        byte[] b = new byte[MaxBoundaryLength + 8];
        new Random(1).NextBytes(a);
        foreach (DamageIsa isa in SupportedIsas)
        {
            for (int length = 0; length <= MaxBoundaryLength; length++)
            {
                a.CopyTo(b, 0);
                Assert.Equal(length, First(isa, a, b, length));
                Assert.Equal(-1, Last(isa, a, b, length));
                for (int position = 0; position < length; position++)
                {
                    b[position] ^= 0x80;
                    Assert.Equal(position, First(isa, a, b, length));
                    Assert.Equal(position, Last(isa, a, b, length));

                    // A second difference further on changes only the last one.
                    int second = (position * 7 + 3) % length;
                    if (second > position)
                    {
                        b[second] ^= 1;
                        Assert.Equal(position, First(isa, a, b, length));
                        Assert.Equal(second, Last(isa, a, b, length));
                        b[second] ^= 1;
                    }

                    b[position] ^= 0x80;
                }
            }
        }
    }

    [Fact]
    public void RandomRangesAndDifferences_MatchByteLoop()
    {
        Gen<(int Length, int Seed, int Differences)> cases =
            from length in Gen.Choose(0, 5000)
            from seed in Gen.Choose(0, int.MaxValue)
            from differences in Gen.Choose(0, 4)
            select (length, seed, differences);
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var rng = new Random(c.Seed);
            byte[] a = new byte[c.Length];
            rng.NextBytes(a);
            byte[] b = (byte[])a.Clone();
            for (int i = 0; i < c.Differences && c.Length > 0; i++)
            {
                b[rng.Next(c.Length)] ^= (byte)rng.Next(1, 256);
            }

            int first = 0;
            while (first < c.Length && a[first] == b[first])
            {
                first++;
            }

            int last = c.Length - 1;
            while (last >= 0 && a[last] == b[last])
            {
                last--;
            }

            foreach (DamageIsa isa in SupportedIsas)
            {
                Assert.Equal(first, First(isa, a, b, c.Length));
                Assert.Equal(last, Last(isa, a, b, c.Length));
            }

            Assert.Equal(first, DamageScanner.FirstDifference(a, b));
            Assert.Equal(last, DamageScanner.LastDifference(a, b));
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void RangesTouchingGuardPages_AreNotOverRead()
    {
        using var left = new GuardedMemory(MaxBoundaryLength);
        using var right = new GuardedMemory(MaxBoundaryLength);
        foreach (DamageIsa isa in SupportedIsas)
        {
            for (int length = 0; length <= MaxBoundaryLength; length++)
            {
                // Equal ranges are read to both ends: any read past either end faults.
                Span<byte> a = left.AtEnd(length);
                Span<byte> b = right.AtStart(length);
                a.Fill(7);
                b.Fill(7);
                Assert.Equal(length, First(isa, a, b, length));
                Assert.Equal(-1, Last(isa, a, b, length));
                Span<byte> c = right.AtEnd(length);
                Span<byte> d = left.AtStart(length);
                c.Fill(9);
                d.Fill(9);
                Assert.Equal(length, First(isa, c, d, length));
                Assert.Equal(-1, Last(isa, c, d, length));
            }
        }
    }

    [Fact]
    public void AccumulateDifferences_OrsTheXor_AndReportsAny()
    {
        Gen<(int Length, int Seed, int Differences)> cases =
            from length in Gen.Choose(0, 300)
            from seed in Gen.Choose(0, int.MaxValue)
            from differences in Gen.Choose(0, 5)
            select (length, seed, differences);
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var rng = new Random(c.Seed);
            byte[] a = new byte[c.Length];
            rng.NextBytes(a);
            byte[] b = (byte[])a.Clone();
            for (int i = 0; i < c.Differences && c.Length > 0; i++)
            {
                b[rng.Next(c.Length)] ^= (byte)rng.Next(1, 256);
            }

            byte[] initial = new byte[c.Length];
            rng.NextBytes(initial);
            for (int i = 0; i < initial.Length; i++)
            {
                initial[i] &= (byte)rng.Next(256);
            }

            bool expectedAny = !a.AsSpan().SequenceEqual(b);
            foreach (DamageIsa isa in SupportedIsas)
            {
                byte[] accumulator = (byte[])initial.Clone();
                Assert.Equal(expectedAny, Accumulate(isa, a, b, accumulator));
                for (int i = 0; i < c.Length; i++)
                {
                    Assert.Equal((byte)(initial[i] | (a[i] ^ b[i])), accumulator[i]);
                }
            }
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void SpanApi_RejectsDifferentLengths()
    {
        Assert.Throws<ArgumentException>(() => DamageScanner.FirstDifference(new byte[3], new byte[4]));
        Assert.Throws<ArgumentException>(() => DamageScanner.LastDifference(new byte[3], new byte[2]));
    }

    internal static int First(DamageIsa isa, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, int length)
    {
        ref byte ra = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(a);
        ref byte rb = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(b);
        return (int)(isa switch
        {
            DamageIsa.Vector512 => Vector512DiffKernel.FirstDifference(ref ra, ref rb, (nuint)length),
            DamageIsa.Vector256 => Vector256DiffKernel.FirstDifference(ref ra, ref rb, (nuint)length),
            DamageIsa.Vector128 => Vector128DiffKernel.FirstDifference(ref ra, ref rb, (nuint)length),
            _ => ScalarDiffKernel.FirstDifference(ref ra, ref rb, (nuint)length),
        });
    }

    internal static bool Accumulate(DamageIsa isa, byte[] a, byte[] b, byte[] accumulator)
    {
        ref byte ra = ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(a);
        ref byte rb = ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(b);
        ref byte rc = ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(accumulator);
        return isa switch
        {
            DamageIsa.Vector512 => Vector512DiffKernel.AccumulateDifferences(ref ra, ref rb, ref rc, (nuint)a.Length),
            DamageIsa.Vector256 => Vector256DiffKernel.AccumulateDifferences(ref ra, ref rb, ref rc, (nuint)a.Length),
            DamageIsa.Vector128 => Vector128DiffKernel.AccumulateDifferences(ref ra, ref rb, ref rc, (nuint)a.Length),
            _ => ScalarDiffKernel.AccumulateDifferences(ref ra, ref rb, ref rc, (nuint)a.Length),
        };
    }

    internal static int Last(DamageIsa isa, ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, int length)
    {
        ref byte ra = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(a);
        ref byte rb = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(b);
        return (int)(isa switch
        {
            DamageIsa.Vector512 => Vector512DiffKernel.LastDifference(ref ra, ref rb, (nuint)length),
            DamageIsa.Vector256 => Vector256DiffKernel.LastDifference(ref ra, ref rb, (nuint)length),
            DamageIsa.Vector128 => Vector128DiffKernel.LastDifference(ref ra, ref rb, (nuint)length),
            _ => ScalarDiffKernel.LastDifference(ref ra, ref rb, (nuint)length),
        });
    }
}
