using Codecs.Spice.Lz;
using Xunit;

namespace Codecs.Tests.Spice;

public sealed class LzTests
{
    public static TheoryData<LzImageType> AllTypes => new(
        LzImageType.Plt1Le, LzImageType.Plt1Be, LzImageType.Plt4Le, LzImageType.Plt4Be, LzImageType.Plt8,
        LzImageType.Rgb16, LzImageType.Rgb24, LzImageType.Rgb32, LzImageType.Rgba, LzImageType.Xxxa, LzImageType.A8);

    [Fact]
    public void Encode_OnePixel_MatchesFormat()
    {
        byte[] encoded = Encode(LzImageType.Rgb32, [0x11, 0x22, 0x33, 0x44], 1, 1, 4, topDown: true);
        byte[] expected =
        [
            0x20, 0x20, 0x5A, 0x4C, 0, 1, 0, 1, 0, 0, 0, 8, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 1,
            0x00, 0x11, 0x22, 0x33,
        ];
        Assert.Equal(expected, encoded);
    }

    [Fact]
    public void Encode_SolidRow_IsLiteralThenRun()
    {
        byte[] px = [1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0];
        byte[] encoded = Encode(LzImageType.Rgb32, px, 4, 1, 16, topDown: false);

        // One literal pixel, then a match of 3 pixels at distance 1: ctrl = (3 − 1 + 1) << 5, low distance byte 0.
        Assert.Equal(new byte[] { 0x00, 1, 2, 3, 0x60, 0x00 }, encoded.AsSpan(28).ToArray());
        Assert.Equal(px, Decode(encoded, out LzHeader h));
        Assert.False(h.TopDown);
    }

    [Theory]
    [MemberData(nameof(AllTypes))]
    public void RoundTrip_Synthetic_AllSizes(LzImageType type)
    {
        var encoder = new LzEncoder();
        int[][] sizes = [[1, 1], [2, 1], [1, 3], [3, 3], [7, 5], [9, 4], [33, 17], [64, 64], [2047, 2], [2048, 2], [2049, 2], [12289, 2], [10000, 3]];
        foreach (int[] s in sizes)
        {
            foreach (string kind in SpiceTestImages.Kinds)
            {
                byte[] bgra = SpiceTestImages.Make(kind, s[0], s[1], seed: (s[0] * 7) + s[1], alpha: true);
                byte[] source = ToLayout(type, bgra, s[0], s[1], extraStride: 0, out int stride);
                AssertRoundTrip(encoder, type, source, s[0], s[1], stride);
                byte[] padded = ToLayout(type, bgra, s[0], s[1], extraStride: 5, out int paddedStride);
                AssertRoundTrip(encoder, type, padded, s[0], s[1], paddedStride);
            }
        }
    }

    [Fact]
    public void RoundTrip_FarDistancesAndLongMatches()
    {
        // Rows of noise repeated: matches at distance 10000 (far form) and 10000 pixels long (length extension bytes).
        byte[] row = SpiceTestImages.Make("noise", 10000, 1, 3);
        var img = new byte[10000 * 4 * 4];
        for (int y = 0; y < 4; y++)
        {
            row.CopyTo(img, y * 40000);
        }

        AssertRoundTrip(new LzEncoder(), LzImageType.Rgb32, img, 10000, 4, 40000);
        byte[] encoded = Encode(LzImageType.Rgb32, img, 10000, 4, 40000, topDown: true);
        Assert.True(encoded.Length < 40000, $"repeated rows should compress, got {encoded.Length}");
    }

    [Fact]
    public void RoundTrip_4096x2160()
    {
        byte[] img = SpiceTestImages.Make("mixed", 4096, 2160, seed: 11);
        AssertRoundTrip(new LzEncoder(), LzImageType.Rgb32, img, 4096, 2160, 4096 * 4);
    }

    [Fact]
    public void RoundTrip_CorpusFramesAndTiles()
    {
        var encoder = new LzEncoder();
        foreach ((string _, byte[] pixels, int width, int height) in SpiceTestImages.CorpusFrames)
        {
            AssertRoundTrip(encoder, LzImageType.Rgb32, pixels, width, height, width * 4);
            for (int t = 0; t < 8; t++)
            {
                byte[] tile = SpiceTestImages.Crop(pixels, width, (t * 233) % (width - 64), (t * 127) % (height - 64), 64, 64);
                AssertRoundTrip(encoder, LzImageType.Rgb32, tile, 64, 64, 256);
                AssertRoundTrip(encoder, LzImageType.Rgba, tile, 64, 64, 256);
            }
        }
    }

    [Fact]
    public void TryEncode_SmallDestination_ReturnsFalse()
    {
        byte[] img = SpiceTestImages.Make("noise", 40, 40, 3);
        byte[] full = Encode(LzImageType.Rgb32, img, 40, 40, 160, topDown: true);
        var encoder = new LzEncoder();
        Assert.False(encoder.TryEncode(LzImageType.Rgb32, img, 40, 40, 160, true, new byte[full.Length - 1], out _));
        var exact = new byte[full.Length];
        Assert.True(encoder.TryEncode(LzImageType.Rgb32, img, 40, 40, 160, true, exact, out int written));
        Assert.Equal(full.Length, written);
    }

    [Fact]
    public void Decode_BadHeaders_Throw()
    {
        byte[] good = Encode(LzImageType.Rgb32, SpiceTestImages.Make("text", 8, 8, 1), 8, 8, 32, topDown: true);
        foreach ((int offset, byte value) in new[] { (3, (byte)0x4D), (7, (byte)2), (11, (byte)0), (11, (byte)12), (15, (byte)0), (19, (byte)0), (23, (byte)33), (27, (byte)2), (20, (byte)0x40) })
        {
            byte[] bad = (byte[])good.Clone();
            bad[offset] = value;
            Assert.Throws<CodecDataException>(() => LzDecoder.Decode(bad, new byte[1 << 16]));
        }
    }

    [Fact]
    public void Decode_TruncatedAtEveryOffset_AndTrailingBytes_Throw()
    {
        foreach (LzImageType type in new[] { LzImageType.Rgb32, LzImageType.Rgba, LzImageType.Rgb16, LzImageType.Plt4Be })
        {
            byte[] bgra = SpiceTestImages.Make("mixed", 21, 7, 2, alpha: true);
            byte[] source = ToLayout(type, bgra, 21, 7, 0, out int stride);
            byte[] encoded = Encode(type, source, 21, 7, stride, topDown: true);
            var output = new byte[21 * 7 * 4];
            for (int len = 0; len < encoded.Length; len++)
            {
                Assert.Throws<CodecDataException>(() => LzDecoder.Decode(encoded.AsSpan(0, len), output));
            }

            Assert.Throws<CodecDataException>(() => LzDecoder.Decode([.. encoded, 0], output));
        }
    }

    [Fact]
    public void Decode_ReferencesBeforeStartAndRunsPastEnd_Throw()
    {
        byte[] header = Encode(LzImageType.Rgb32, [1, 2, 3, 0, 1, 2, 3, 0], 2, 1, 8, topDown: true)[..28];

        // A match as the first token (distance 1 before any pixel).
        Assert.Throws<CodecDataException>(() => LzDecoder.Decode([.. header, 0x20, 0x00], new byte[8]));

        // A literal run of 3 pixels into a 2-pixel image.
        Assert.Throws<CodecDataException>(() => LzDecoder.Decode([.. header, 0x02, 1, 2, 3, 1, 2, 3, 1, 2, 3], new byte[8]));

        // A match of 7 + 255 + ... pixels past the end.
        Assert.Throws<CodecDataException>(() => LzDecoder.Decode([.. header, 0x00, 1, 2, 3, 0xE0, 255, 255, 3, 0], new byte[8]));

        // A far match whose distance is beyond the start.
        Assert.Throws<CodecDataException>(() => LzDecoder.Decode([.. header, 0x00, 1, 2, 3, 0x3F, 0xFF, 0, 0], new byte[8]));
    }

    [Fact]
    public void Decode_RandomMutations_ThrowOnlyCodecDataException()
    {
        byte[] bgra = SpiceTestImages.Make("mixed", 40, 30, 9, alpha: true);
        byte[] good = Encode(LzImageType.Rgba, bgra, 40, 30, 160, topDown: true);
        var rng = new Random(5);
        var output = new byte[40 * 30 * 4];
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (int n = 0; n < 5000 && watch.ElapsedMilliseconds < 5000; n++)
        {
            byte[] bad = (byte[])good.Clone();
            for (int f = rng.Next(1, 4); f > 0; f--)
            {
                bad[rng.Next(28, bad.Length)] = (byte)rng.Next(256);
            }

            try
            {
                LzDecoder.Decode(bad, output);
            }
            catch (CodecDataException)
            {
            }
        }
    }

    internal static byte[] Encode(LzImageType type, byte[] pixels, int width, int height, int stride, bool topDown)
    {
        var dst = new byte[LzEncoder.GetMaxEncodedLength(type, width, height)];
        Assert.True(new LzEncoder().TryEncode(type, pixels, width, height, stride, topDown, dst, out int written));
        return dst.AsSpan(0, written).ToArray();
    }

    private static byte[] Decode(byte[] encoded, out LzHeader header)
    {
        header = LzDecoder.ReadHeader(encoded);
        var output = new byte[header.DecodedLength];
        LzDecoder.Decode(encoded, output);
        return output;
    }

    private static void AssertRoundTrip(LzEncoder encoder, LzImageType type, byte[] source, int width, int height, int stride)
    {
        var dst = new byte[LzEncoder.GetMaxEncodedLength(type, width, height)];
        Assert.True(encoder.TryEncode(type, source, width, height, stride, topDown: true, dst, out int written));
        byte[] decoded = Decode(dst[..written], out LzHeader header);
        Assert.Equal((type, width, height), (header.Type, header.Width, header.Height));
        int tight = LzImageTypes.TightStride(type, width);
        int outRow = LzImageTypes.IsPalette(type) ? tight : width * LzImageTypes.BytesPerPixel(type);
        for (int y = 0; y < height; y++)
        {
            ReadOnlySpan<byte> want = source.AsSpan(y * stride, tight);
            ReadOnlySpan<byte> got = decoded.AsSpan(y * outRow, outRow);
            for (int x = 0; x < outRow; x++)
            {
                byte expected = type switch
                {
                    LzImageType.Rgb32 when x % 4 == 3 => 0,
                    LzImageType.Xxxa when x % 4 != 3 => 0,
                    _ => want[x],
                };
                if (got[x] != expected)
                {
                    Assert.Fail($"{type} {width}x{height} stride {stride}: row {y} byte {x}: {got[x]} != {expected}");
                }
            }
        }
    }

    // Packs 32-bit test pixels into the type's memory layout with rows of tight + extraStride bytes.
    private static byte[] ToLayout(LzImageType type, byte[] bgra, int width, int height, int extraStride, out int stride)
    {
        stride = LzImageTypes.TightStride(type, width) + extraStride;
        var img = new byte[stride * height];
        int ppb = LzImageTypes.PixelsPerByte(type);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int s = ((y * width) + x) * 4;
                int o = y * stride;
                switch (type)
                {
                    case LzImageType.Rgb32 or LzImageType.Rgba or LzImageType.Xxxa:
                        bgra.AsSpan(s, 4).CopyTo(img.AsSpan(o + (x * 4)));
                        break;
                    case LzImageType.Rgb24:
                        bgra.AsSpan(s, 3).CopyTo(img.AsSpan(o + (x * 3)));
                        break;
                    case LzImageType.Rgb16:
                        int v = ((bgra[s + 2] >> 3) << 10) | ((bgra[s + 1] >> 3) << 5) | (bgra[s] >> 3) | ((x & 1) << 15);
                        img[o + (x * 2)] = (byte)v;
                        img[o + (x * 2) + 1] = (byte)(v >> 8);
                        break;
                    case LzImageType.A8:
                        img[o + x] = bgra[s + 3];
                        break;
                    default:
                        int bits = 8 / ppb;
                        int index = bgra[s] & ((1 << bits) - 1);
                        int shift = type is LzImageType.Plt1Le or LzImageType.Plt4Le ? (x % ppb) * bits : (ppb - 1 - (x % ppb)) * bits;
                        img[o + (x / ppb)] |= (byte)(index << shift);
                        break;
                }
            }

            // Padding bytes inside the tight stride of palettes are coded too; make them deterministic.
        }

        return img;
    }
}
