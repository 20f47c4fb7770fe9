using Codecs.Spice.Quic;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Codecs.Tests.Spice;

public sealed class QuicTests
{
    public static TheoryData<QuicImageType> EncodableTypes =>
        new(QuicImageType.Rgb32, QuicImageType.Rgb24, QuicImageType.Rgba, QuicImageType.Rgb16);

    [Fact]
    public void Encode_OnePixel_MatchesHandDerivedBits()
    {
        // Pixel r=1, g=0, b=255. Row 0, pixel 0: residual = value, zig-zag → 2, 0, 1. Every bucket starts with
        // code l = 7, whose GR codeword for n < 128 is "1" followed by 7 bits of n: 0x82, 0x80, 0x81, MSB first in
        // one little-endian word, zero-padded, then the trailing all-zero word.
        byte[] pixel = [0xFF, 0x00, 0x01, 0x00];
        byte[] expected =
        [
            0x51, 0x55, 0x49, 0x43, 0, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0,
            0x00, 0x81, 0x80, 0x82, 0, 0, 0, 0,
        ];
        byte[] actual = Encode(new QuicEncoder(), QuicImageType.Rgb32, pixel, 1, 1, 4);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Encode_SolidRows_UsesRunModeBits()
    {
        // 4×2 solid black RGB32. Row 0: every residual is 0 → code l=7 "1 0000000" for the first pixel and channel,
        // the model learns at every pixel (wait mask 0) so the bucket for context 0 moves to l=0 ("1") quickly.
        // Row 1: pixel 0 codes normally; pixels 1 and 2 code normally (run needs i > 2); at pixel 3 the run starts
        // and has length 1 to the end of the row: MELCODE state 0 (order 1) → one hit bit "1", then a 1-bit
        // remainder "0". The whole stream must decode back, and the run bits must be in it.
        var pixels = new byte[4 * 2 * 4];
        byte[] encoded = Encode(new QuicEncoder(), QuicImageType.Rgb32, pixels, 4, 2, 16);
        Assert.Equal(pixels, Decode(encoded, out QuicHeader header));
        Assert.Equal((QuicImageType.Rgb32, 4, 2), (header.Type, header.Width, header.Height));
    }

    [Theory]
    [MemberData(nameof(EncodableTypes))]
    public void RoundTrip_Synthetic_AllSizes(QuicImageType type)
    {
        var encoder = new QuicEncoder();
        int[][] sizes = [[1, 1], [2, 2], [3, 3], [5, 1], [1, 7], [17, 9], [64, 64], [2047, 3], [2048, 3], [2049, 3], [6143, 3], [12287, 2], [12288, 2], [12289, 2], [4095, 4]];
        foreach (int[] s in sizes)
        {
            foreach (string kind in SpiceTestImages.Kinds)
            {
                byte[] rgba = SpiceTestImages.Make(kind, s[0], s[1], seed: s[0] * 31 + s[1], alpha: type == QuicImageType.Rgba);
                AssertRoundTrip(encoder, type, rgba, s[0], s[1]);
            }
        }
    }

    /// <summary>
    /// Golden output: the SHA-256 of the encoder's bytes on a fixed set of images (every type, sizes across the
    /// 2048/12288-position evolution boundaries, every synthetic kind, a tile of each corpus frame), recorded before
    /// the speed work. QUIC leaves the encoder no freedom, so any optimisation must keep this hash.
    /// </summary>
    [Fact]
    public void Encode_GoldenHash_IsUnchanged()
    {
        var encoder = new QuicEncoder();
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        int[][] sizes = [[3, 3], [64, 64], [2049, 3], [12289, 2], [150, 97]];
        foreach (QuicImageType type in new[] { QuicImageType.Rgb32, QuicImageType.Rgb24, QuicImageType.Rgba, QuicImageType.Rgb16 })
        {
            int bpp = type switch { QuicImageType.Rgb16 => 2, QuicImageType.Rgb24 => 3, _ => 4 };
            foreach (int[] s in sizes)
            {
                foreach (string kind in SpiceTestImages.Kinds)
                {
                    byte[] source = ToLayout(type, SpiceTestImages.Make(kind, s[0], s[1], seed: (s[0] * 7) + s[1], alpha: type == QuicImageType.Rgba));
                    sha.AppendData(Encode(encoder, type, source, s[0], s[1], s[0] * bpp));
                }
            }
        }

        foreach ((string _, byte[] frame, int width, int _) in SpiceTestImages.CorpusFrames)
        {
            sha.AppendData(Encode(encoder, QuicImageType.Rgb32, SpiceTestImages.Crop(frame, width, 512, 256, 320, 200), 320, 200, 1280));
        }

        string hash = Convert.ToHexString(sha.GetHashAndReset());
        Assert.Equal("D214B5CE2DF35B69AAE586EB918E6B4E27894EFD4971F28B570001A7A9167C0B", hash);
    }

    [Fact]
    public void RoundTrip_4096x2160()
    {
        byte[] img = SpiceTestImages.Make("mixed", 4096, 2160, seed: 7);
        AssertRoundTrip(new QuicEncoder(), QuicImageType.Rgb32, img, 4096, 2160);
    }

    [Fact]
    public void RoundTrip_CorpusFramesAndTiles()
    {
        var encoder = new QuicEncoder();
        foreach ((string name, byte[] pixels, int width, int height) in SpiceTestImages.CorpusFrames)
        {
            AssertRoundTrip(encoder, QuicImageType.Rgb32, pixels, width, height);
            for (int t = 0; t < 8; t++)
            {
                byte[] tile = SpiceTestImages.Crop(pixels, width, (t * 233) % (width - 64), (t * 127) % (height - 64), 64, 64);
                AssertRoundTrip(encoder, QuicImageType.Rgb32, tile, 64, 64);
                AssertRoundTrip(encoder, QuicImageType.Rgb16, tile, 64, 64);
            }

            _ = name;
        }
    }

    [Fact]
    public void Encode_IsDeterministicAcrossEncoderReuse()
    {
        byte[] a = SpiceTestImages.Make("noise", 300, 20, 1);
        byte[] b = SpiceTestImages.Make("text", 100, 50, 2);
        var reused = new QuicEncoder();
        _ = Encode(reused, QuicImageType.Rgba, a, 300, 20, 1200);
        byte[] second = Encode(reused, QuicImageType.Rgb32, b, 100, 50, 400);
        Assert.Equal(Encode(new QuicEncoder(), QuicImageType.Rgb32, b, 100, 50, 400), second);
    }

    /// <summary>
    /// RGB32 has its own coder (vector row pre-pass, bit-mask run mode); RGB24 goes through the planar coder. The
    /// format codes both as the same three 8-bit channels, so their bit streams after the header must be identical.
    /// </summary>
    [Fact]
    public void Encode_Rgb32Path_MatchesPlanarRgb24Bits()
    {
        var encoder = new QuicEncoder();
        int[][] sizes = [[3, 3], [17, 5], [64, 64], [150, 97], [2049, 3], [12289, 2]];
        foreach (int[] s in sizes)
        {
            foreach (string kind in SpiceTestImages.Kinds)
            {
                byte[] bgra = SpiceTestImages.Make(kind, s[0], s[1], seed: s[0] + s[1]);
                byte[] rgb32 = Encode(encoder, QuicImageType.Rgb32, ToLayout(QuicImageType.Rgb32, bgra), s[0], s[1], s[0] * 4);
                byte[] rgb24 = Encode(encoder, QuicImageType.Rgb24, ToLayout(QuicImageType.Rgb24, bgra), s[0], s[1], s[0] * 3);
                Assert.True(rgb32.AsSpan(20).SequenceEqual(rgb24.AsSpan(20)), $"{kind} {s[0]}x{s[1]}");
            }
        }

        foreach ((string name, byte[] frame, int width, int _) in SpiceTestImages.CorpusFrames)
        {
            byte[] tile = SpiceTestImages.Crop(frame, width, 256, 128, 200, 150);
            byte[] rgb32 = Encode(encoder, QuicImageType.Rgb32, ToLayout(QuicImageType.Rgb32, tile), 200, 150, 800);
            byte[] rgb24 = Encode(encoder, QuicImageType.Rgb24, ToLayout(QuicImageType.Rgb24, tile), 200, 150, 600);
            Assert.True(rgb32.AsSpan(20).SequenceEqual(rgb24.AsSpan(20)), name);
        }
    }

    /// <summary>The RGB32 pad byte is not coded: run detection and residuals must ignore it, as must a padded stride.</summary>
    [Fact]
    public void Encode_Rgb32_IgnoresPadBytesAndStridePadding()
    {
        const int width = 70;
        const int height = 40;
        byte[] clean = ToLayout(QuicImageType.Rgb32, SpiceTestImages.Make("text", width, height, seed: 5));
        var rng = new Random(9);
        const int stride = (width * 4) + 12;
        var noisy = new byte[stride * height];
        rng.NextBytes(noisy);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width * 4; x += 4)
            {
                clean.AsSpan((y * width * 4) + x, 3).CopyTo(noisy.AsSpan((y * stride) + x));
            }
        }

        var encoder = new QuicEncoder();
        Assert.Equal(Encode(encoder, QuicImageType.Rgb32, clean, width, height, width * 4), Encode(encoder, QuicImageType.Rgb32, noisy, width, height, stride));
    }

    [Fact]
    public void TryEncode_SmallDestination_ReturnsFalse()
    {
        byte[] img = SpiceTestImages.Make("noise", 50, 50, 3);
        var encoder = new QuicEncoder();
        byte[] full = Encode(encoder, QuicImageType.Rgb32, img, 50, 50, 200);
        Assert.False(encoder.TryEncode(QuicImageType.Rgb32, img, 50, 50, 200, new byte[full.Length - 4], out _));
        var exact = new byte[full.Length];
        Assert.True(encoder.TryEncode(QuicImageType.Rgb32, img, 50, 50, 200, exact, out int written));
        Assert.Equal(full, exact.AsSpan(0, written).ToArray());
    }

    [Fact]
    public void RoundTrip_Property_RandomImages()
    {
        Prop.ForAll(
            Gen.Choose(0, int.MaxValue).ToArbitrary(),
            seed =>
            {
                var rng = new Random(seed);
                int w = rng.Next(1, 70);
                int h = rng.Next(1, 12);
                var img = new byte[w * h * 4];
                int colours = rng.Next(1, 6);
                for (int i = 0; i < img.Length; i += 4)
                {
                    int c = rng.Next(colours);
                    img[i] = (byte)(c * 50);
                    img[i + 1] = (byte)(c * 17);
                    img[i + 2] = (byte)(rng.Next(3) == 0 ? rng.Next(256) : c);
                    img[i + 3] = (byte)c;
                }

                var type = (QuicImageType)rng.Next(2, 6);
                AssertRoundTrip(new QuicEncoder(), type, img, w, h);
                return true;
            }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Decode_Truncated_AtEveryOffset_Throws()
    {
        byte[] img = SpiceTestImages.Make("mixed", 20, 9, 5);
        byte[] encoded = Encode(new QuicEncoder(), QuicImageType.Rgb32, img, 20, 9, 80);
        for (int len = 0; len < encoded.Length - 4; len++)
        {
            Assert.Throws<CodecDataException>(() => new QuicDecoder().Decode(encoded.AsSpan(0, len), new byte[20 * 9 * 4], 80));
        }
    }

    [Fact]
    public void Decode_BadHeaders_Throw()
    {
        byte[] img = SpiceTestImages.Make("text", 8, 8, 5);
        byte[] good = Encode(new QuicEncoder(), QuicImageType.Rgb32, img, 8, 8, 32);
        foreach ((int offset, byte value) in new[] { (0, (byte)0x52), (4, (byte)1), (8, (byte)0), (8, (byte)6), (12, (byte)0), (16, (byte)0), (15, (byte)0x80) })
        {
            byte[] bad = (byte[])good.Clone();
            bad[offset] = value;
            if (offset == 12)
            {
                bad[12] = 0;
            }

            Assert.Throws<CodecDataException>(() => QuicDecoder.ReadHeader(bad));
        }
    }

    [Fact]
    public void Decode_RandomMutations_ThrowOnlyCodecDataException()
    {
        byte[] img = SpiceTestImages.Make("mixed", 40, 30, 9, alpha: true);
        byte[] good = Encode(new QuicEncoder(), QuicImageType.Rgba, img, 40, 30, 160);
        var rng = new Random(42);
        var output = new byte[40 * 30 * 4];
        var decoder = new QuicDecoder();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (int n = 0; n < 3000 && watch.ElapsedMilliseconds < 5000; n++)
        {
            byte[] bad = (byte[])good.Clone();
            int flips = rng.Next(1, 4);
            for (int f = 0; f < flips; f++)
            {
                bad[rng.Next(20, bad.Length)] = (byte)rng.Next(256);
            }

            try
            {
                decoder.Decode(bad, output, 160);
            }
            catch (CodecDataException)
            {
            }
        }
    }

    [Fact]
    public void Decode_AllOnesPayload_ThrowsWithoutHang()
    {
        byte[] img = SpiceTestImages.Make("solid", 4000, 4, 9);
        byte[] good = Encode(new QuicEncoder(), QuicImageType.Rgb32, img, 4000, 4, 16000);
        byte[] bad = (byte[])good.Clone();
        bad.AsSpan(20).Fill(0xFF);
        Assert.Throws<CodecDataException>(() => new QuicDecoder().Decode(bad, new byte[4000 * 4 * 4], 16000));
        bad.AsSpan(20).Clear();
        Assert.Throws<CodecDataException>(() => new QuicDecoder().Decode(bad.AsSpan(0, 24), new byte[4000 * 4 * 4], 16000));
    }

    internal static byte[] Encode(QuicEncoder encoder, QuicImageType type, byte[] pixels, int width, int height, int stride)
    {
        var dst = new byte[QuicEncoder.GetMaxEncodedLength(type, width, height)];
        Assert.True(encoder.TryEncode(type, pixels, width, height, stride, dst, out int written));
        return dst.AsSpan(0, written).ToArray();
    }

    private static byte[] Decode(byte[] encoded, out QuicHeader header)
    {
        header = QuicDecoder.ReadHeader(encoded);
        var output = new byte[header.Width * header.Height * header.BytesPerPixel];
        new QuicDecoder().Decode(encoded, output, header.Width * header.BytesPerPixel);
        return output;
    }

    // Converts 32-bit test pixels to the type's layout, encodes, decodes with the independent decoder and compares.
    private static void AssertRoundTrip(QuicEncoder encoder, QuicImageType type, byte[] bgra, int width, int height)
    {
        byte[] source = ToLayout(type, bgra);
        int bpp = type switch { QuicImageType.Rgb16 => 2, QuicImageType.Rgb24 => 3, _ => 4 };
        byte[] encoded = Encode(encoder, type, source, width, height, width * bpp);
        Assert.Equal(0, encoded.Length % 4);
        byte[] decoded = Decode(encoded, out QuicHeader header);
        Assert.Equal(type, header.Type);
        if (!source.AsSpan().SequenceEqual(decoded))
        {
            int i = source.AsSpan().CommonPrefixLength(decoded);
            Assert.Fail($"{type} {width}x{height}: first difference at byte {i} (pixel {i / bpp})");
        }
    }

    private static byte[] ToLayout(QuicImageType type, byte[] bgra)
    {
        int n = bgra.Length / 4;
        switch (type)
        {
            case QuicImageType.Rgb32:
                byte[] x = (byte[])bgra.Clone();
                for (int i = 3; i < x.Length; i += 4)
                {
                    x[i] = 0;
                }

                return x;
            case QuicImageType.Rgba:
                return bgra;
            case QuicImageType.Rgb24:
                var t = new byte[n * 3];
                for (int i = 0; i < n; i++)
                {
                    t[3 * i] = bgra[4 * i];
                    t[(3 * i) + 1] = bgra[(4 * i) + 1];
                    t[(3 * i) + 2] = bgra[(4 * i) + 2];
                }

                return t;
            default:
                var s = new byte[n * 2];
                for (int i = 0; i < n; i++)
                {
                    int v = ((bgra[(4 * i) + 2] >> 3) << 10) | ((bgra[(4 * i) + 1] >> 3) << 5) | (bgra[4 * i] >> 3);
                    s[2 * i] = (byte)v;
                    s[(2 * i) + 1] = (byte)(v >> 8);
                }

                return s;
        }
    }
}
