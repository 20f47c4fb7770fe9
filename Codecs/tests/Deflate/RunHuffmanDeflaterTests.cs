using System.IO.Compression;
using Codecs.Deflate;
using Codecs.Rfb;
using FsCheck;
using FsCheck.Fluent;
using TestSupport;
using Xunit;

namespace Codecs.Tests.Deflate;

/// <summary>
/// <see cref="RunHuffmanDeflater"/>'s output is checked by the in-box inflater (zlib-ng) as an independent decoder:
/// every call's output, appended, must inflate to every call's input, on content that takes each path (coded blocks,
/// stored blocks, runs across vector boundaries, near-end runs, skewed frequencies that hit the 15-bit limit).
/// </summary>
public class RunHuffmanDeflaterTests
{
    public static TheoryData<int> Distances => new(1, 2, 3, 4);

    [Theory]
    [MemberData(nameof(Distances))]
    public void Stream_InflatesToTheInput_AcrossCalls(int distance)
    {
        var deflater = new RunHuffmanDeflater(distance);
        var random = new Random(distance);
        var inputs = new List<byte[]>();
        var output = new MemoryStream();
        foreach (int length in new[] { 0, 1, 2, 3, 4, 5, 15, 16, 17, 31, 32, 33, 100, 1000, 65535, 65536, 70_000, 300_000 })
        {
            foreach (string content in new[] { "zeros", "noise", "runs", "residuals", "skewed" })
            {
                byte[] data = Make(content, length, distance, random);
                inputs.Add(data);
                output.Write(deflater.Compress(data));
            }
        }

        Assert.Equal(Concatenate(inputs), Inflate(output.ToArray()));
        Assert.Equal(output.Length, deflater.BytesOut);
        Assert.Equal(inputs.Sum(i => (long)i.Length), deflater.BytesIn);
    }

    [Fact]
    public void Property_AnySequenceOfCalls_InflatesToItsInput()
    {
        // Random streams of calls mixing every content kind, sizes around the vector widths and block boundaries.
        Prop.ForAll(
            Gen.Choose(0, int.MaxValue).ToArbitrary(),
            seed =>
            {
                var random = new Random(seed);
                int distance = random.Next(1, 5);
                var deflater = new RunHuffmanDeflater(distance);
                var inputs = new List<byte[]>();
                var output = new MemoryStream();
                int calls = random.Next(1, 8);
                for (int c = 0; c < calls; c++)
                {
                    int length = random.Next(4) == 0 ? random.Next(0, 40) : random.Next(0, 50_000);
                    string content = new[] { "zeros", "noise", "runs", "residuals", "skewed" }[random.Next(5)];
                    byte[] data = Make(content, length, distance, random);
                    inputs.Add(data);
                    output.Write(deflater.Compress(data));
                }

                Assert.Equal(Concatenate(inputs), Inflate(output.ToArray()));
                return true;
            }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void EachCall_EndsWithASyncFlush_AndStartsTheStreamOnce()
    {
        var deflater = new RunHuffmanDeflater(3);
        byte[] first = deflater.Compress(Make("residuals", 5000, 3, new Random(1))).ToArray();
        byte[] second = deflater.Compress(Make("residuals", 5000, 3, new Random(2))).ToArray();
        Assert.Equal([0x78, 0x01], first[..2]);
        Assert.NotEqual([0x78, 0x01], second[..2]);
        Assert.Equal([0x00, 0x00, 0xFF, 0xFF], first[^4..]);
        Assert.Equal([0x00, 0x00, 0xFF, 0xFF], second[^4..]);

        // The first output decodes on its own, as a client sees it before the next rectangle arrives.
        Assert.Equal(Make("residuals", 5000, 3, new Random(1)), Inflate(first));
    }

    [Fact]
    public void Reset_StartsANewZlibStream()
    {
        var deflater = new RunHuffmanDeflater(3);
        deflater.Compress(new byte[100]);
        Assert.False(deflater.IsFresh);
        deflater.Reset();
        Assert.True(deflater.IsFresh);
        byte[] data = Make("runs", 2000, 3, new Random(3));
        byte[] output = deflater.Compress(data).ToArray();
        Assert.Equal([0x78, 0x01], output[..2]);
        Assert.Equal(data, Inflate(output));
    }

    [Fact]
    public void Noise_IsStored_NotExpanded()
    {
        var deflater = new RunHuffmanDeflater(3);
        byte[] noise = Make("noise", 200_000, 3, new Random(4));
        int size = deflater.Compress(noise).Length;

        // Stored blocks: 5 bytes per 65 535, plus the header and flush.
        Assert.True(size <= noise.Length + 5 * 8 + 16, $"{size} bytes for {noise.Length} bytes of noise");
    }

    [Fact]
    public void Runs_CompressFarBelowTheInput()
    {
        var deflater = new RunHuffmanDeflater(3);
        byte[] runs = Make("runs", 200_000, 3, new Random(5));
        Assert.True(deflater.Compress(runs).Length < runs.Length / 10);
    }

    [Fact]
    public void GradientResiduals_OfASmoothImage_InflateExactly()
    {
        // The path Tight uses: 888 TPIXEL rows through the gradient filter, then the run/Huffman coder.
        const int width = 300;
        const int height = 40;
        byte[] pixels = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int o = (y * width + x) * 3;
                pixels[o] = (byte)(x + y);
                pixels[o + 1] = (byte)(2 * x);
                pixels[o + 2] = (byte)(y * 5 + (x % 7));
            }
        }

        byte[] residuals = new byte[pixels.Length];
        TightGradient.Filter(pixels, width * 3, height, 3, residuals);
        var deflater = new RunHuffmanDeflater(3);
        byte[] output = deflater.Compress(residuals).ToArray();
        Assert.Equal(residuals, Inflate(output));
        Assert.True(output.Length < residuals.Length / 4, $"{output.Length} bytes");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    public void TightGradient_MatchesThePerChannelDefinition(int pixelSize)
    {
        var random = new Random(pixelSize);
        foreach ((int width, int height) in new[] { (1, 1), (1, 9), (9, 1), (5, 5), (33, 7), (100, 3) })
        {
            byte[] pixels = new byte[width * height * pixelSize];
            random.NextBytes(pixels);
            byte[] filtered = new byte[pixels.Length];
            TightGradient.Filter(pixels, width * pixelSize, height, pixelSize, filtered);
            for (int y = 0; y < height; y++)
            {
                for (int x = 0; x < width * pixelSize; x++)
                {
                    int At(int xx, int yy) => xx < 0 || yy < 0 ? 0 : pixels[yy * width * pixelSize + xx];
                    int predicted = Math.Clamp(At(x - pixelSize, y) + At(x, y - 1) - At(x - pixelSize, y - 1), 0, 255);
                    Assert.Equal((byte)(pixels[y * width * pixelSize + x] - predicted), filtered[y * width * pixelSize + x]);
                }
            }
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void RunDistance_OutsideOneToFour_IsRejected(int distance) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new RunHuffmanDeflater(distance));

    [Fact]
    public void VectorTier_IsReported()
    {
        // Lets the ISA runs confirm which tier the tokenizer and filter used in the child.
        IsaPaths.Report("Deflate.VectorBits", IsaPaths.AcceleratedVectorBits.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.InRange(IsaPaths.AcceleratedVectorBits, 0, 512);
    }

    private static byte[] Make(string content, int length, int distance, Random random)
    {
        byte[] data = new byte[length];
        switch (content)
        {
            case "noise":
                random.NextBytes(data);
                break;
            case "runs":
                // Pixels repeated for random stretches, with a literal now and then.
                for (int i = 0; i < length; i++)
                {
                    data[i] = i >= distance && random.Next(40) != 0 ? data[i - distance] : (byte)random.Next(256);
                }

                break;
            case "residuals":
                // Small signed values around 0, as the gradient filter leaves on photos.
                for (int i = 0; i < length; i++)
                {
                    data[i] = (byte)(int)Math.Round(random.NextDouble() * random.NextDouble() * (random.Next(2) == 0 ? 12 : -12));
                }

                break;
            case "skewed":
                // Fibonacci-like frequencies: a plain Huffman code would be deeper than 15 bits.
                int position = 0;
                long a = 1;
                long b = 1;
                for (int symbol = 0; position < length && symbol < 256; symbol++)
                {
                    for (long k = 0; k < a && position < length; k++)
                    {
                        data[position++] = (byte)(symbol * 37 + 11);
                    }

                    (a, b) = (b, Math.Min(a + b, 1 << 16));
                }

                random.Shuffle(data.AsSpan(0, position));
                break;
        }

        return data;
    }

    private static byte[] Concatenate(List<byte[]> parts) => parts.SelectMany(p => p).ToArray();

    private static byte[] Inflate(byte[] zlib)
    {
        using var inflater = new ZLibStream(new MemoryStream(zlib), CompressionMode.Decompress);
        var result = new MemoryStream();
        inflater.CopyTo(result);
        return result.ToArray();
    }
}
