using System.Buffers;
using System.Buffers.Binary;
using Codecs.Jpeg;
using Codecs.Pixels;
using Codecs.Rfb;
using Codecs.Rfb.Decoders;
using Codecs.Rfb.Encoders;
using Xunit;

namespace Codecs.Tests.Rfb;

public class TightTests
{
    private static List<(RfbRectHeader Header, byte Control, int Offset)> Parse(ReadOnlySpan<byte> data, int count)
    {
        // Walk the rectangles with the decoder to find their boundaries.
        var list = new List<(RfbRectHeader, byte, int)>();
        using var decoder = new RfbDecoder(PixelFormat.Rgbx32);
        byte[] fb = new byte[4096 * 2048 * 4];
        var view = new ImageView(fb, 4096, 2048, 4096 * 4, PixelFormat.Rgbx32);
        int position = 0;
        for (int i = 0; i < count; i++)
        {
            int n = decoder.DecodeRectangle(data[position..], view, out RfbRectHeader header);
            list.Add((header, data[position + 12], position));
            position += n;
        }

        return list;
    }

    [Fact]
    public void WideRectangles_AreSplitTo2048AndAreaLimit()
    {
        var converter = PixelConverter.Create(PixelFormat.Rgbx32);
        using var encoder = new TightEncoder(converter);
        using Framebuffer frame = RfbTestData.MakeFrame("noise", 3000, 40);
        var writer = new ArrayBufferWriter<byte>();
        int rects = encoder.Encode(frame.ReadOnlyView, new Rect(0, 0, 3000, 40), writer);
        var parsed = Parse(writer.WrittenSpan, rects);
        Assert.All(parsed, p => Assert.True(p.Header.Area.Width <= 2048 && p.Header.Area.Area <= 65536, p.Header.Area.ToString()));
        Assert.Equal(3000 * 40, parsed.Sum(p => p.Header.Area.Area));
    }

    [Fact]
    public void SolidAreas_BecomeFillRectangles_NoWiderThan2048()
    {
        var converter = PixelConverter.Create(PixelFormat.Rgbx32);
        using var encoder = new TightEncoder(converter);
        using Framebuffer frame = RfbTestData.MakeFrame("solid", 2500, 100);
        var writer = new ArrayBufferWriter<byte>();
        int rects = encoder.Encode(frame.ReadOnlyView, new Rect(0, 0, 2500, 100), writer);
        var parsed = Parse(writer.WrittenSpan, rects);
        Assert.All(parsed, p => Assert.Equal(0x80, p.Control & 0xF0));
        Assert.All(parsed, p => Assert.True(p.Header.Area.Width <= 2048));
        Assert.Equal(2, rects);
        Assert.Equal(2 * (12 + 1 + 3), writer.WrittenCount);
    }

    /// <summary>
    /// A 32 bpp client with 8-bit channels is analysed on the canonical framebuffer (unused byte masked off), anything
    /// else on converted client values: the same pixels must give the same bytes whatever the unused byte holds and
    /// whichever path runs (a stride that is not a multiple of 4 forces the converted path).
    /// </summary>
    [Fact]
    public void CanonicalAnalysis_IgnoresTheUnusedByte_AndMatchesTheConvertedPath()
    {
        const int width = 301;
        const int height = 157;
        var random = new Random(77);
        uint[] ui = [0x202020u, 0x3366CCu, 0xF0F0E8u, 0x101010u, 0xCC3333u, 0x00FF00u, 0x808080u];
        uint[] colours = new uint[width * height];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                // Left: a solid block over text; middle: noise over UI stripes; right: a solid block over dither.
                colours[y * width + x] =
                    x < 120 ? (y < 90 || (x * 7 + y * 3) % 11 >= 3 ? 0xF0F0E8u : 0x101010u)
                    : x < 200 ? (y < 60 ? (uint)random.Next(1 << 24) : ui[(x / 9 + y / 5) % ui.Length])
                    : y < 100 ? 0x3366CCu : ui[(x + y) % 3];
            }
        }

        byte[] Encode(PixelFormat client, int stride, Func<int, byte> unused)
        {
            byte[] data = new byte[(height - 1) * stride + width * 4 + 5];
            for (int y = 0; y < height; y++)
            {
                for (int x = 0; x < width; x++)
                {
                    int o = 1 + y * stride + x * 4;
                    BitConverterHelpers.WriteCanonical(data.AsSpan(1 + y * stride), x, colours[y * width + x]);
                    data[o + 3] = unused(y * width + x);
                }
            }

            var frame = new ReadOnlyImageView(data.AsSpan(1, data.Length - 5), width, height, stride, PixelFormat.Bgrx32);
            using var encoder = new TightEncoder(PixelConverter.Create(client));
            var writer = new ArrayBufferWriter<byte>();
            encoder.Encode(frame, new Rect(0, 0, width, height), writer);
            encoder.Encode(frame, new Rect(7, 5, width - 20, height - 9), writer);
            return writer.WrittenSpan.ToArray();
        }

        foreach (PixelFormat client in (PixelFormat[])[PixelFormat.Rgbx32, new(32, 24, true, true, 255, 255, 255, 24, 16, 8)])
        {
            byte[] converted = Encode(client, width * 4 + 2, _ => 0);
            Assert.Equal(converted, Encode(client, width * 4 + 8, _ => 0));
            Assert.Equal(converted, Encode(client, width * 4 + 8, i => (byte)(i * 37 + 11)));
        }
    }

    [Fact]
    public void SmallData_IsSentWithoutZlib()
    {
        var converter = PixelConverter.Create(PixelFormat.Rgbx32);
        using var encoder = new TightEncoder(converter);
        using Framebuffer frame = RfbTestData.MakeFrame("noise", 2, 2);
        var writer = new ArrayBufferWriter<byte>();
        encoder.Encode(frame.ReadOnlyView, new Rect(0, 0, 3, 1), writer);
        // 3 pixels × 3-byte TPIXEL = 9 bytes < 12: control byte then 9 raw bytes, no compact length.
        Assert.Equal(12 + 1 + 9, writer.WrittenCount);
        Assert.Equal(0, writer.WrittenSpan[12] & 0xF0);
    }

    [Fact]
    public void ResetStreams_SetsTheResetBitsOnTheNextRectangleOnly()
    {
        var converter = PixelConverter.Create(PixelFormat.Rgbx32);
        using var encoder = new TightEncoder(converter);
        using var decoder = new RfbDecoder(converter.Format);
        using Framebuffer frame = RfbTestData.MakeFrame("noise", 64, 64);
        byte[] client = RfbTestData.ClientBuffer(converter.Format, frame.Width, frame.Height);
        var area = new Rect(0, 0, 64, 64);
        var first = new ArrayBufferWriter<byte>();
        encoder.Encode(frame.ReadOnlyView, area, first);
        Assert.Equal(0, first.WrittenSpan[12] & 0x0F);
        encoder.ResetStreams();
        var second = new ArrayBufferWriter<byte>();
        encoder.Encode(frame.ReadOnlyView, area, second);
        Assert.Equal(0x0F, second.WrittenSpan[12] & 0x0F);
        var third = new ArrayBufferWriter<byte>();
        encoder.Encode(frame.ReadOnlyView, area, third);
        Assert.Equal(0, third.WrittenSpan[12] & 0x0F);

        // The decoder follows: all three decode in sequence on one connection.
        ImageView view = RfbTestData.ClientView(client, converter.Format, frame.Width, frame.Height);
        foreach (var w in new[] { first, second, third })
        {
            Array.Clear(client);
            decoder.DecodeRectangles(w.WrittenSpan, 1, view);
            RfbTestData.AssertAreaEquals(converter, frame.ReadOnlyView, area, client);
        }

        // Changing the compression level resets the streams whose zlib level changes, and says so.
        encoder.CompressionLevel = 9;
        var fourth = new ArrayBufferWriter<byte>();
        encoder.Encode(frame.ReadOnlyView, area, fourth);
        Assert.NotEqual(0, fourth.WrittenSpan[12] & 0x0F);
        decoder.DecodeRectangles(fourth.WrittenSpan, 1, view);
        RfbTestData.AssertAreaEquals(converter, frame.ReadOnlyView, area, client);
    }

    [Theory]
    [InlineData(0, 1, new byte[] { 0 })]
    [InlineData(127, 1, new byte[] { 0x7F })]
    [InlineData(128, 2, new byte[] { 0x80, 0x01 })]
    [InlineData(10000, 2, new byte[] { 0x90, 0x4E })]
    [InlineData(16383, 2, new byte[] { 0xFF, 0x7F })]
    [InlineData(16384, 3, new byte[] { 0x80, 0x80, 0x01 })]
    [InlineData(4194303, 3, new byte[] { 0xFF, 0xFF, 0xFF })]
    public void CompactLength_MatchesSpec(int length, int size, byte[] expected)
    {
        byte[] buffer = new byte[3];
        Assert.Equal(size, TightEncoder.WriteCompactLength(buffer, length));
        Assert.Equal(expected, buffer[..size]);
    }

    [Fact]
    public void MonoAndPalette_AreChosenForFewColours()
    {
        var converter = PixelConverter.Create(PixelFormat.Rgbx32);
        using var encoder = new TightEncoder(converter);
        using Framebuffer text = RfbTestData.MakeFrame("text", 100, 50);
        encoder.Encode(text.ReadOnlyView, new Rect(0, 0, 100, 50), new ArrayBufferWriter<byte>());
        Assert.Equal(1, encoder.RectCounts[1]);
        using Framebuffer ui = RfbTestData.MakeFrame("ui16", 100, 50);
        encoder.Encode(ui.ReadOnlyView, new Rect(0, 0, 100, 50), new ArrayBufferWriter<byte>());
        Assert.Equal(1, encoder.RectCounts[2]);
    }

    public static TheoryData<int, double> QualityBounds() => new()
    {
        { 0, 22 }, { 1, 24 }, { 2, 25 }, { 3, 25 }, { 4, 27 }, { 5, 29 }, { 6, 30 }, { 7, 31 }, { 8, 33 }, { 9, 38 },
    };

    [Theory]
    [MemberData(nameof(QualityBounds))]
    public void Jpeg_RoundTripsWithinPsnrBound(int level, double minimumPsnr)
    {
        foreach (string format in new[] { "noVNC-Rgbx32", "Xrgb32-BE", "Rgb565-LE" })
        {
            var converter = PixelConverter.Create(RfbTestData.FormatNamed(format));
            using var encoder = new TightEncoder(converter) { QualityLevel = level };
            using var decoder = new RfbDecoder(converter.Format);
            using Framebuffer frame = MakePhoto(300, 200);
            var writer = new ArrayBufferWriter<byte>();
            int rects = encoder.Encode(frame.ReadOnlyView, frame.Bounds, writer);
            Assert.True(encoder.RectCounts[5] > 0, "no JPEG rectangle");
            byte[] client = RfbTestData.ClientBuffer(converter.Format, frame.Width, frame.Height);
            decoder.DecodeRectangles(writer.WrittenSpan, rects, RfbTestData.ClientView(client, converter.Format, frame.Width, frame.Height));
            byte[] decoded = new byte[frame.Width * frame.Height * 4];
            converter.ToCanonical(client, new ImageView(decoded, frame.Width, frame.Height, frame.Width * 4, PixelFormat.Bgrx32));
            double psnr = Psnr(frame.ReadOnlyView, decoded);
            double bound = converter.BytesPerPixel == 2 ? Math.Min(minimumPsnr, 30) : minimumPsnr;
            Assert.True(psnr >= bound, $"{format} level {level}: PSNR {psnr:F1} dB < {bound} dB");
        }
    }

    [Fact]
    public void Jpeg_IsNotUsedForTextEvenWhenLossyIsAllowed()
    {
        var converter = PixelConverter.Create(PixelFormat.Rgbx32);
        using var encoder = new TightEncoder(converter) { QualityLevel = 5 };
        using Framebuffer frame = RfbTestData.MakeFrame("text", 200, 100);
        encoder.Encode(frame.ReadOnlyView, frame.Bounds, new ArrayBufferWriter<byte>());
        Assert.Equal(0, encoder.RectCounts[5]);
    }

    [Fact]
    public void Jpeg_QualityTableAndFineOverrides()
    {
        var converter = PixelConverter.Create(PixelFormat.Rgbx32);
        using var encoder = new TightEncoder(converter) { QualityLevel = 8 };
        Assert.Equal((92, JpegSubsampling.Yuv444), encoder.JpegSettings);
        encoder.QualityLevel = 0;
        Assert.Equal((15, JpegSubsampling.Yuv420), encoder.JpegSettings);
        encoder.QualityLevel = 4;
        Assert.Equal((62, JpegSubsampling.Yuv422), encoder.JpegSettings);
        encoder.FineQuality = 95;
        encoder.FineSubsampling = JpegSubsampling.Yuv444;
        Assert.Equal((95, JpegSubsampling.Yuv444), encoder.JpegSettings);
        Assert.False(new TightEncoder(PixelConverter.Create(PixelFormat.Bgr233)) { QualityLevel = 5 }.LossyEnabled);
    }

    [Fact]
    public void PseudoEncodings_SetLevelsQualityAndSubsampling()
    {
        using var encoder = new TightEncoder(PixelConverter.Create(PixelFormat.Rgbx32));
        Assert.False(encoder.LossyEnabled);
        Assert.True(encoder.TryApplyPseudoEncoding(RfbEncoding.CompressLevel0 + 7));
        Assert.Equal(7, encoder.CompressionLevel);
        Assert.True(encoder.TryApplyPseudoEncoding(RfbEncoding.QualityLevel0 + 3));
        Assert.True(encoder.LossyEnabled);
        Assert.Equal((42, JpegSubsampling.Yuv422), encoder.JpegSettings);
        Assert.True(encoder.TryApplyPseudoEncoding(RfbEncoding.FineQualityLevel0 + 80));
        Assert.True(encoder.TryApplyPseudoEncoding(RfbEncoding.Subsampling1X));
        Assert.Equal((80, JpegSubsampling.Yuv444), encoder.JpegSettings);
        Assert.True(encoder.TryApplyPseudoEncoding(RfbEncoding.Subsampling16X));
        Assert.Equal(JpegSubsampling.Yuv420, encoder.JpegSettings.Subsampling);
        Assert.False(encoder.TryApplyPseudoEncoding(RfbEncoding.LastRect));
        Assert.False(encoder.TryApplyPseudoEncoding(RfbEncoding.Zrle));
    }

    [Fact]
    public void Jpeg_GrayAndFineSubsamplingDecode()
    {
        var converter = PixelConverter.Create(PixelFormat.Rgbx32);
        using var encoder = new TightEncoder(converter) { FineQuality = 90, FineSubsampling = JpegSubsampling.Gray };
        using var decoder = new RfbDecoder(converter.Format);
        using Framebuffer frame = MakePhoto(130, 70);
        var writer = new ArrayBufferWriter<byte>();
        int rects = encoder.Encode(frame.ReadOnlyView, frame.Bounds, writer);
        byte[] client = RfbTestData.ClientBuffer(converter.Format, frame.Width, frame.Height);
        decoder.DecodeRectangles(writer.WrittenSpan, rects, RfbTestData.ClientView(client, converter.Format, frame.Width, frame.Height));
        Assert.True(encoder.RectCounts[5] > 0);
    }

    internal static Framebuffer MakePhoto(int width, int height)
    {
        var frame = Framebuffer.Allocate(width, height, PixelFormat.Bgrx32);
        var random = new Random(3);
        for (int y = 0; y < height; y++)
        {
            Span<byte> row = frame.Row(y);
            for (int x = 0; x < width; x++)
            {
                double r = 128 + 100 * Math.Sin(x / 17.0) * Math.Cos(y / 23.0) + random.Next(-6, 7);
                double g = 128 + 90 * Math.Sin((x + y) / 31.0) + random.Next(-6, 7);
                double b = 128 + 80 * Math.Cos(x / 11.0 - y / 29.0) + random.Next(-6, 7);
                BitConverterHelpers.WriteCanonical(row, x, (uint)((Clamp(r) << 16) | (Clamp(g) << 8) | Clamp(b)));
            }
        }

        return frame;
    }

    private static int Clamp(double v) => (int)Math.Clamp(v, 0, 255);

    internal static double Psnr(ReadOnlyImageView source, byte[] decoded)
    {
        double sum = 0;
        long n = 0;
        for (int y = 0; y < source.Height; y++)
        {
            ReadOnlySpan<byte> a = source.Row(y);
            ReadOnlySpan<byte> b = decoded.AsSpan(y * source.Width * 4, source.Width * 4);
            for (int i = 0; i < a.Length; i++)
            {
                if ((i & 3) == 3)
                {
                    continue;
                }

                double d = a[i] - b[i];
                sum += d * d;
                n++;
            }
        }

        double mse = sum / n;
        return mse == 0 ? 99 : 10 * Math.Log10(255.0 * 255.0 / mse);
    }

    [Fact]
    public void Rgb888TPixel_IsThreeBytesInBasicRectangles()
    {
        var converter = PixelConverter.Create(PixelFormat.Rgbx32);
        using var encoder = new TightEncoder(converter, 0);
        using Framebuffer frame = RfbTestData.MakeFrame("solid", 1, 1);
        var writer = new ArrayBufferWriter<byte>();
        encoder.Encode(frame.ReadOnlyView, new Rect(0, 0, 1, 1), writer);
        // Fill: control 0x80 then R, G, B of 0x3366CC.
        Assert.Equal(new byte[] { 0x80, 0x33, 0x66, 0xCC }, writer.WrittenSpan[12..].ToArray());
        Assert.Equal(RfbEncoding.Tight, BinaryPrimitives.ReadInt32BigEndian(writer.WrittenSpan[8..]));
    }
}
