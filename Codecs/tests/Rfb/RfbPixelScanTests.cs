using Codecs.Rfb;
using TestSupport;
using Xunit;

namespace Codecs.Tests.Rfb;

/// <summary>The vectorised scans against their scalar definitions, at every length around the vector sizes.</summary>
public class RfbPixelScanTests
{
    public static TheoryData<int> Lengths()
    {
        var data = new TheoryData<int>();
        for (int n = 0; n <= 70; n++)
        {
            data.Add(n);
        }

        data.Add(255);
        data.Add(4096);
        return data;
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void IndexOfDifferent_MatchesScalar(int length)
    {
        uint[] values = new uint[length];
        values.AsSpan().Fill(0xABCDEFu);
        Assert.Equal(-1, RfbPixelScan.IndexOfDifferent(values, 0xABCDEFu));
        for (int i = 0; i < length; i++)
        {
            values[i] = 0xABCDEEu;
            Assert.Equal(i, RfbPixelScan.IndexOfDifferent(values, 0xABCDEFu));
            values[length - 1] = 1;
            Assert.Equal(i, RfbPixelScan.IndexOfDifferent(values, 0xABCDEFu));
            values.AsSpan().Fill(0xABCDEFu);
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void PackMonoRow_MatchesScalar(int length)
    {
        var random = new Random(2000 + length);
        uint[] row = new uint[length];
        for (int trial = 0; trial < 8; trial++)
        {
            for (int i = 0; i < length; i++)
            {
                row[i] = random.Next(3) == 0 ? 0x00FF00u : 0x123456u;
            }

            byte[] expected = new byte[(length + 7) / 8];
            for (int x = 0; x < length; x++)
            {
                if (row[x] != 0x123456u)
                {
                    expected[x >> 3] |= (byte)(0x80 >> (x & 7));
                }
            }

            byte[] actual = new byte[(length + 7) / 8];
            RfbPixelScan.PackMonoRow(row, 0x123456u, actual);
            Assert.Equal(expected, actual);
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void RunEnd_MatchesScalar(int length)
    {
        var random = new Random(1000 + length);
        uint[] values = new uint[length];
        for (int trial = 0; trial < 8; trial++)
        {
            // Runs of random lengths (1 to 40) of a few colours, so short and vector-long runs both occur.
            for (int i = 0; i < length;)
            {
                uint colour = (uint)random.Next(3);
                int run = random.Next(1, 41);
                for (int k = 0; k < run && i < length; k++)
                {
                    values[i++] = colour;
                }
            }

            for (int start = 0; start < length; start++)
            {
                int expected = start + 1;
                while (expected < length && values[expected] == values[start])
                {
                    expected++;
                }

                Assert.Equal(expected, RfbPixelScan.RunEnd(values, start));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void CountChanges_MatchesScalar(int length)
    {
        var random = new Random(length);
        for (int trial = 0; trial < 8; trial++)
        {
            uint[] values = new uint[length];
            for (int i = 0; i < length; i++)
            {
                values[i] = i > 0 && random.Next(4) != 0 ? values[i - 1] : (uint)random.Next(3);
            }

            int expected = 0;
            for (int i = 1; i < length; i++)
            {
                expected += values[i] != values[i - 1] ? 1 : 0;
            }

            Assert.Equal(expected, RfbPixelScan.CountChanges(values));
        }
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void IsSolid_MatchesScalar_WithStrideAndMask(int width)
    {
        if (width == 0 || width > 70)
        {
            Assert.True(RfbPixelScan.IsSolid(new uint[Math.Max(width, 1)], Math.Max(width, 1), 0, 0, width, width == 0 ? 3 : 0, 7u));
            return;
        }

        const int height = 5;
        const int x = 3;
        const int y = 2;
        int stride = width + 9;
        const uint mask = 0x00FF_FFFFu;
        var random = new Random(3000 + width);
        uint[] values = new uint[(y + height) * stride];
        for (int i = 0; i < values.Length; i++)
        {
            // The block is solid in the mask's bits, with random bits outside them; the rest of the array is noise.
            values[i] = (uint)random.Next();
        }

        for (int row = y; row < y + height; row++)
        {
            for (int column = x; column < x + width; column++)
            {
                values[row * stride + column] = 0x0012_3456u | ((uint)random.Next(256) << 24);
            }
        }

        Assert.True(RfbPixelScan.IsSolid(values, stride, x, y, width, height, 0xAB12_3456u, mask));
        Assert.False(RfbPixelScan.IsSolid(values, stride, x, y, width, height, 0x0012_3456u));
        Assert.False(RfbPixelScan.IsSolid(values, stride, x, y, width, height, 0x0012_3457u, mask));
        for (int row = y; row < y + height; row++)
        {
            for (int column = x; column < x + width; column++)
            {
                uint saved = values[row * stride + column];
                values[row * stride + column] = saved ^ (1u << random.Next(24));
                Assert.False(RfbPixelScan.IsSolid(values, stride, x, y, width, height, 0x0012_3456u, mask));
                values[row * stride + column] = saved;
            }
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => RfbPixelScan.IsSolid(values, stride, x, y + 1, width, height, 0u));
    }

    [Fact]
    public void VectorBits_FollowsRuntimeAcceleration()
    {
        Assert.Equal(IsaPaths.AcceleratedVectorBits, RfbPixelScan.VectorBits);
        IsaPaths.Report("RfbPixelScan.VectorBits", RfbPixelScan.VectorBits);
    }
}
