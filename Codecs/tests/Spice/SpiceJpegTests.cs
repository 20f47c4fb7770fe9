using System.Buffers.Binary;
using Codecs.Spice.Jpeg;
using Codecs.Spice.Lz;
using Codecs.Spice.Lz4Image;
using Xunit;

namespace Codecs.Tests.Spice;

public sealed class SpiceJpegTests
{
    [Theory]
    [InlineData(SpiceBitmapFormat.Rgb32, true)]
    [InlineData(SpiceBitmapFormat.Rgb32, false)]
    [InlineData(SpiceBitmapFormat.Rgba, true)]
    [InlineData(SpiceBitmapFormat.Rgb24, false)]
    [InlineData(SpiceBitmapFormat.Rgb16, true)]
    public void Jpeg_RoundTrip_TopDownOutputWithinPsnrBound(SpiceBitmapFormat format, bool topDown)
    {
        using var encoder = new SpiceJpegEncoder();
        using var decoder = new SpiceJpegDecoder();
        foreach ((int w, int h) in new[] { (1, 1), (3, 5), (64, 64), (333, 97) })
        {
            byte[] image = Smooth(w, h, alpha: false);
            if (format == SpiceBitmapFormat.Rgb16)
            {
                // x555 holds 5 bits per channel; compare against what x555 can represent.
                image = Expand555(image);
            }

            byte[] source = Pack(image, w, h, format, topDown, extraStride: 5);
            int stride = (w * Lz4ImageEncoder.BytesPerPixel(format)) + 5;
            var data = new byte[SpiceJpegEncoder.GetMaxEncodedLength(w, h)];
            Assert.True(encoder.TryEncode(format, source, w, h, stride, topDown, data, out int written));
            Assert.Equal([0xFF, 0xD8], data[..2]);

            var decoded = new byte[w * h * 4];
            decoder.Decode(data.AsSpan(0, written), w, h, decoded, w * 4);
            Assert.True(Psnr(image, decoded) >= 34, $"{w}x{h} PSNR {Psnr(image, decoded):F1} dB");
        }
    }

    [Fact]
    public void Jpeg_CorpusPhoto_PsnrAndQualityControlsSize()
    {
        (string _, byte[] frame, int width, int _) = SpiceTestImages.CorpusFrames.Single(f => f.Name == "photo-viewer");
        byte[] tile = SpiceTestImages.Crop(frame, width, 600, 300, 256, 256);
        using var encoder = new SpiceJpegEncoder();
        using var decoder = new SpiceJpegDecoder();
        var data = new byte[SpiceJpegEncoder.GetMaxEncodedLength(256, 256)];
        var decoded = new byte[256 * 256 * 4];
        var sizes = new List<int>();
        foreach (int quality in new[] { 20, 85, 95 })
        {
            encoder.Quality = quality;
            Assert.True(encoder.TryEncode(SpiceBitmapFormat.Rgb32, tile, 256, 256, 1024, topDown: true, data, out int written));
            decoder.Decode(data.AsSpan(0, written), 256, 256, decoded, 1024);
            Assert.True(Psnr(tile, decoded) >= (quality == 20 ? 24 : 30), $"q{quality} PSNR {Psnr(tile, decoded):F1} dB");
            sizes.Add(written);
        }

        Assert.True(sizes[0] < sizes[1] && sizes[1] < sizes[2], string.Join(", ", sizes));
        Assert.Throws<ArgumentOutOfRangeException>(() => encoder.Quality = 0);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void JpegAlpha_LayoutIsJpegThenXxxaLz_AlphaExactColourWithinBound(bool topDown)
    {
        const int w = 70, h = 45;
        byte[] image = Smooth(w, h, alpha: true);
        byte[] source = Pack(image, w, h, SpiceBitmapFormat.Rgba, topDown, extraStride: 0);
        using var encoder = new SpiceJpegEncoder();
        var data = new byte[SpiceJpegEncoder.GetMaxEncodedLengthWithAlpha(w, h)];
        Assert.True(encoder.TryEncodeWithAlpha(source, w, h, w * 4, topDown, data, out int written, out int jpegLength));

        // JPEG (SOI ... EOI), then a whole LZ stream of type XXXA whose top_down is the payload flag.
        Assert.Equal([0xFF, 0xD8], data[..2]);
        Assert.Equal([0xFF, 0xD9], data[(jpegLength - 2)..jpegLength]);
        LzHeader lz = LzDecoder.ReadHeader(data.AsSpan(jpegLength, written - jpegLength));
        Assert.Equal(new LzHeader(LzImageType.Xxxa, w, h, w * 4, topDown), lz);

        var wire = new byte[SpiceJpegAlphaHeader.Length];
        new SpiceJpegAlphaHeader(topDown, jpegLength, written).Write(wire);
        Assert.Equal(topDown ? 1 : 0, wire[0]);
        Assert.Equal((uint)jpegLength, BinaryPrimitives.ReadUInt32LittleEndian(wire.AsSpan(1)));
        Assert.Equal((uint)written, BinaryPrimitives.ReadUInt32LittleEndian(wire.AsSpan(5)));
        SpiceJpegAlphaHeader header = SpiceJpegAlphaHeader.Read(wire);

        using var decoder = new SpiceJpegDecoder();
        var decoded = new byte[w * h * 4];
        decoder.DecodeWithAlpha(header, data.AsSpan(0, written), w, h, decoded, w * 4);
        for (int i = 3; i < image.Length; i += 4)
        {
            Assert.Equal(image[i], decoded[i]);
        }

        Assert.True(Psnr(image, decoded) >= 34);
    }

    [Fact]
    public void Malformed_IsRejectedWithCodecDataException()
    {
        const int w = 16, h = 16;
        byte[] image = SpiceTestImages.Make("gradient", w, h, 1, alpha: true);
        using var encoder = new SpiceJpegEncoder();
        using var decoder = new SpiceJpegDecoder();
        var data = new byte[SpiceJpegEncoder.GetMaxEncodedLengthWithAlpha(w, h)];
        Assert.True(encoder.TryEncodeWithAlpha(image, w, h, w * 4, topDown: true, data, out int written, out int jpegLength));
        byte[] good = data[..written];
        var output = new byte[w * h * 4];

        // Not a JPEG; truncated JPEG; wrong size in the descriptor.
        Assert.Throws<CodecDataException>(() => decoder.Decode(new byte[40], w, h, output, w * 4));
        Assert.Throws<CodecDataException>(() => decoder.Decode(good.AsSpan(0, jpegLength / 2), w, h, output, w * 4));
        CodecDataException e = Assert.Throws<CodecDataException>(() => decoder.Decode(good.AsSpan(0, jpegLength), w, h - 1, output, w * 4));
        Assert.Equal(SpiceJpegDecoder.FormatName, e.Format);

        // Header: unknown flags, jpeg_size beyond data_size, truncation.
        Assert.Throws<CodecDataException>(() => SpiceJpegAlphaHeader.Read([2, 0, 0, 0, 0, 0, 0, 0, 0]));
        Assert.Throws<CodecDataException>(() => SpiceJpegAlphaHeader.Read([1, 9, 0, 0, 0, 8, 0, 0, 0]));
        Assert.Throws<CodecDataException>(() => SpiceJpegAlphaHeader.Read([1, 0, 0]));

        // data_size disagreeing with the data, top_down flag disagreeing with the LZ stream, alpha stream cut short.
        Assert.Throws<CodecDataException>(() => decoder.DecodeWithAlpha(new(true, jpegLength, written + 1), good, w, h, output, w * 4));
        Assert.Throws<CodecDataException>(() => decoder.DecodeWithAlpha(new(false, jpegLength, written), good, w, h, output, w * 4));
        Assert.Throws<CodecDataException>(() => decoder.DecodeWithAlpha(new(true, jpegLength, written - 3), good.AsSpan(0, written - 3), w, h, output, w * 4));

        // An alpha stream of another LZ type (A8) is refused as spice-common does.
        var lz = new byte[LzEncoder.GetMaxEncodedLength(LzImageType.A8, w, h)];
        Assert.True(new LzEncoder().TryEncode(LzImageType.A8, new byte[w * h], w, h, w, topDown: true, lz, out int lzLength));
        byte[] wrongType = [.. good.AsSpan(0, jpegLength), .. lz.AsSpan(0, lzLength)];
        e = Assert.Throws<CodecDataException>(() => decoder.DecodeWithAlpha(new(true, jpegLength, wrongType.Length), wrongType, w, h, output, w * 4));
        Assert.Equal(SpiceJpegDecoder.AlphaFormatName, e.Format);
    }

    private static byte[] Pack(byte[] bgra, int w, int h, SpiceBitmapFormat format, bool topDown, int extraStride)
    {
        int bpp = Lz4ImageEncoder.BytesPerPixel(format);
        int stride = (w * bpp) + extraStride;
        var packed = new byte[stride * h];
        for (int y = 0; y < h; y++)
        {
            int memoryRow = topDown ? y : h - 1 - y;
            for (int x = 0; x < w; x++)
            {
                int s = ((y * w) + x) * 4;
                int d = (memoryRow * stride) + (x * bpp);
                if (format == SpiceBitmapFormat.Rgb16)
                {
                    int v = (bgra[s] >> 3) | ((bgra[s + 1] >> 3) << 5) | ((bgra[s + 2] >> 3) << 10);
                    packed[d] = (byte)v;
                    packed[d + 1] = (byte)(v >> 8);
                }
                else
                {
                    bgra.AsSpan(s, bpp).CopyTo(packed.AsSpan(d));
                }
            }
        }

        return packed;
    }

    private static byte[] Expand555(byte[] bgra)
    {
        var result = (byte[])bgra.Clone();
        for (int i = 0; i < result.Length; i++)
        {
            if (i % 4 != 3)
            {
                int v = result[i] >> 3;
                result[i] = (byte)((v << 3) | (v >> 2));
            }
        }

        return result;
    }

    /// <summary>Smooth photographic-like colour (JPEG's home ground) and, optionally, a varied alpha plane.</summary>
    private static byte[] Smooth(int w, int h, bool alpha)
    {
        var image = new byte[w * h * 4];
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                int o = ((y * w) + x) * 4;
                image[o] = (byte)(128 + (90 * Math.Sin(x / 11.0)));
                image[o + 1] = (byte)(128 + (90 * Math.Cos(y / 9.0)));
                image[o + 2] = (byte)(128 + (60 * Math.Sin((x + y) / 17.0)));
                image[o + 3] = alpha ? (byte)((x * 7) ^ (y * 3)) : (byte)0;
            }
        }

        return image;
    }

    /// <summary>PSNR in dB over B, G and R.</summary>
    private static double Psnr(byte[] expected, byte[] actual)
    {
        double sum = 0;
        long n = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            if (i % 4 != 3)
            {
                double d = expected[i] - actual[i];
                sum += d * d;
                n++;
            }
        }

        return sum == 0 ? 99 : 10 * Math.Log10(255.0 * 255.0 / (sum / n));
    }
}
