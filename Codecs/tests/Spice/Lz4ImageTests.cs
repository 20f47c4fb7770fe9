using Codecs.Spice.Lz4Image;
using Xunit;

namespace Codecs.Tests.Spice;

public sealed class Lz4ImageTests
{
    [Theory]
    [InlineData(SpiceBitmapFormat.Rgb32)]
    [InlineData(SpiceBitmapFormat.Rgba)]
    [InlineData(SpiceBitmapFormat.Rgb24)]
    [InlineData(SpiceBitmapFormat.Rgb16)]
    public void RoundTrip_TightAndPadded(SpiceBitmapFormat format)
    {
        int bpp = Lz4ImageEncoder.BytesPerPixel(format);
        using var encoder = new Lz4ImageEncoder();
        using var decoder = new Lz4ImageDecoder();
        foreach ((int w, int h) in new[] { (1, 1), (3, 3), (64, 64), (2049, 40), (300, 500) })
        {
            foreach (int extra in new[] { 0, 7 })
            {
                int stride = (w * bpp) + extra;
                byte[] bgra = SpiceTestImages.Make("mixed", w, h, w + h, alpha: true);
                var img = new byte[stride * h];
                for (int y = 0; y < h; y++)
                {
                    for (int x = 0; x < w; x++)
                    {
                        bgra.AsSpan(((y * w) + x) * 4, bpp).CopyTo(img.AsSpan((y * stride) + (x * bpp)));
                    }
                }

                var dst = new byte[Lz4ImageEncoder.GetMaxEncodedLength(format, w, h)];
                Assert.True(encoder.TryEncode(format, img, w, h, stride, topDown: extra == 0, dst, out int written));
                Assert.Equal(extra == 0 ? 1 : 0, dst[0]);
                Assert.Equal((byte)format, dst[1]);
                var output = new byte[w * h * bpp];
                (SpiceBitmapFormat f, bool topDown) = decoder.Decode(dst.AsSpan(0, written), w, h, output);
                Assert.Equal((format, extra == 0), (f, topDown));
                for (int y = 0; y < h; y++)
                {
                    Assert.True(img.AsSpan(y * stride, w * bpp).SequenceEqual(output.AsSpan(y * w * bpp, w * bpp)));
                }
            }
        }
    }

    [Fact]
    public void Decode_Malformed_Throws()
    {
        using var encoder = new Lz4ImageEncoder();
        using var decoder = new Lz4ImageDecoder();
        byte[] img = SpiceTestImages.Make("text", 50, 20, 1);
        var dst = new byte[Lz4ImageEncoder.GetMaxEncodedLength(SpiceBitmapFormat.Rgb32, 50, 20)];
        Assert.True(encoder.TryEncode(SpiceBitmapFormat.Rgb32, img, 50, 20, 200, true, dst, out int written));
        byte[] good = dst[..written];
        var output = new byte[50 * 20 * 4];
        for (int len = 0; len < good.Length; len++)
        {
            Assert.Throws<CodecDataException>(() => decoder.Decode(good.AsSpan(0, len), 50, 20, output));
        }

        Assert.Throws<CodecDataException>(() => decoder.Decode([2, .. good[1..]], 50, 20, output));
        Assert.Throws<CodecDataException>(() => decoder.Decode([1, 5, .. good[2..]], 50, 20, output));
        Assert.Throws<CodecDataException>(() => decoder.Decode([.. good, 0, 0, 0, 1, 0], 50, 20, output));
        Assert.Throws<CodecDataException>(() => decoder.Decode(good, 50, 19, output));

        var rng = new Random(3);
        for (int n = 0; n < 2000; n++)
        {
            byte[] bad = (byte[])good.Clone();
            bad[rng.Next(2, bad.Length)] = (byte)rng.Next(256);
            try
            {
                decoder.Decode(bad, 50, 20, output);
            }
            catch (CodecDataException)
            {
            }
        }
    }
}
