using System.Buffers;
using Codecs.Pixels;
using Codecs.Rfb;
using Codecs.Rfb.Decoders;
using Codecs.Rfb.Encoders;
using Xunit;

namespace Codecs.Tests.Rfb;

/// <summary>Every lossless encoding × client format × shape × content, decoded by the independent decoders.</summary>
public class RfbRoundTripTests
{
    public static readonly string[] LosslessEncodings = ["raw", "rre", "hextile", "zrle", "tight", "tight-gradient", "tight-gradient2", "tightpng"];

    public static TheoryData<string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (string encoding in LosslessEncodings)
        {
            foreach ((string format, _) in RfbTestData.Formats)
            {
                foreach (string content in RfbTestData.Contents)
                {
                    data.Add(encoding, format, content);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void RoundTrip_AllShapes(string encoding, string format, string content)
    {
        var converter = PixelConverter.Create(RfbTestData.FormatNamed(format));
        IRfbEncoder encoder = RfbTestData.CreateEncoder(encoding, converter);
        using var decoder = new RfbDecoder(converter.Format);
        // One encoder and decoder across all shapes: the zlib streams carry over between rectangles.
        foreach ((int w, int h) in RfbTestData.Shapes)
        {
            using Framebuffer frame = RfbTestData.MakeFrame(content, w, h, seed: w * 31 + h);
            byte[] client = RfbTestData.ClientBuffer(converter.Format, frame.Width, frame.Height);
            RfbTestData.EncodeDecodeCheck(encoder, decoder, converter, frame.ReadOnlyView, new Rect(3, 3, w, h), client);
            // The whole frame as well (including the 3-pixel margin), after the inner rectangle.
            RfbTestData.EncodeDecodeCheck(encoder, decoder, converter, frame.ReadOnlyView, frame.Bounds, client);
        }

        (encoder as IDisposable)?.Dispose();
    }

    [Theory]
    [InlineData("raw")]
    [InlineData("rre")]
    [InlineData("hextile")]
    [InlineData("zrle")]
    [InlineData("zrle0")]
    [InlineData("zrle9")]
    [InlineData("tight")]
    [InlineData("tight0")]
    [InlineData("tight9")]
    [InlineData("tight-gradient")]
    [InlineData("tight-gradient2")]
    [InlineData("tightpng")]
    public void RoundTrip_FullHd(string encoding)
    {
        var converter = PixelConverter.Create(PixelFormat.Rgbx32);
        IRfbEncoder encoder = RfbTestData.CreateEncoder(encoding, converter);
        using var decoder = new RfbDecoder(converter.Format);
        using Framebuffer frame = RfbTestData.MakeFrame("ui16", 1914, 1074);
        byte[] client = RfbTestData.ClientBuffer(converter.Format, frame.Width, frame.Height);
        RfbTestData.EncodeDecodeCheck(encoder, decoder, converter, frame.ReadOnlyView, frame.Bounds, client);
        (encoder as IDisposable)?.Dispose();
    }

    [Theory]
    [InlineData("terminal-scroll")]
    [InlineData("browser-scroll")]
    [InlineData("photo-viewer")]
    [InlineData("video-window")]
    [InlineData("window-drag")]
    [InlineData("gl-anim")]
    public void RoundTrip_CorpusRectangles(string trace)
    {
        foreach ((Framebuffer frame, Rect[] rects) in RfbTestData.CorpusFrames(trace, frames: 2))
        {
            using (frame)
            {
                foreach (string format in new[] { "noVNC-Rgbx32", "Rgb565-BE", "libvncclient-BE-hi3" })
                {
                    var converter = PixelConverter.Create(RfbTestData.FormatNamed(format));
                    byte[] client = RfbTestData.ClientBuffer(converter.Format, frame.Width, frame.Height);
                    foreach (string encoding in LosslessEncodings)
                    {
                        IRfbEncoder encoder = RfbTestData.CreateEncoder(encoding, converter);
                        using var decoder = new RfbDecoder(converter.Format);
                        foreach (Rect rect in rects.Take(6))
                        {
                            RfbTestData.EncodeDecodeCheck(encoder, decoder, converter, frame.ReadOnlyView, rect, client);
                        }

                        (encoder as IDisposable)?.Dispose();
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData("raw")]
    [InlineData("rre")]
    [InlineData("hextile")]
    [InlineData("zrle")]
    [InlineData("tight")]
    [InlineData("tightpng")]
    public void EmptyRectangles_RoundTrip(string encoding)
    {
        var converter = PixelConverter.Create(PixelFormat.Rgb565);
        IRfbEncoder encoder = RfbTestData.CreateEncoder(encoding, converter);
        using var decoder = new RfbDecoder(converter.Format);
        using Framebuffer frame = RfbTestData.MakeFrame("noise", 10, 10);
        byte[] client = RfbTestData.ClientBuffer(converter.Format, frame.Width, frame.Height);
        foreach (Rect area in new[] { new Rect(2, 2, 0, 0), new Rect(2, 2, 5, 0), new Rect(2, 2, 0, 5), new Rect(1, 1, 4, 4) })
        {
            RfbTestData.EncodeDecodeCheck(encoder, decoder, converter, frame.ReadOnlyView, area, client);
        }

        (encoder as IDisposable)?.Dispose();
    }

    [Fact]
    public void CopyRect_PayloadAndOverlappingCopy()
    {
        var format = PixelFormat.Rgbx32;
        byte[] client = new byte[20 * 20 * 4];
        var random = new Random(5);
        random.NextBytes(client);
        byte[] original = (byte[])client.Clone();
        var writer = new ArrayBufferWriter<byte>();
        CopyRectEncoder.Write(writer, new Rect(2, 3, 10, 10), 4, 6);
        Assert.Equal(16, writer.WrittenCount);
        Assert.Equal(new byte[] { 0, 4, 0, 6 }, writer.WrittenSpan[12..].ToArray());
        using var decoder = new RfbDecoder(format);
        decoder.DecodeRectangles(writer.WrittenSpan, 1, RfbTestData.ClientView(client, format, 20, 20));
        for (int y = 0; y < 10; y++)
        {
            Assert.Equal(original.AsSpan(((6 + y) * 20 + 4) * 4, 40).ToArray(), client.AsSpan(((3 + y) * 20 + 2) * 4, 40).ToArray());
        }
    }

    [Fact]
    public void Zrle_CPixelIsThreeBytesOnlyWhereTheSpecSaysSo()
    {
        Assert.Equal(3, new ZrleEncoder(PixelConverter.Create(PixelFormat.Bgrx32)).CPixelSize);
        Assert.Equal(3, new ZrleEncoder(PixelConverter.Create(new(32, 24, true, true, 255, 255, 255, 24, 16, 8))).CPixelSize);
        Assert.Equal(4, new ZrleEncoder(PixelConverter.Create(new(32, 32, false, true, 255, 255, 255, 16, 8, 0))).CPixelSize);
        Assert.Equal(4, new ZrleEncoder(PixelConverter.Create(new(32, 24, false, true, 255, 255, 255, 20, 8, 0))).CPixelSize);
        Assert.Equal(2, new ZrleEncoder(PixelConverter.Create(PixelFormat.Rgb565)).CPixelSize);
        Assert.Equal(1, new ZrleEncoder(PixelConverter.Create(PixelFormat.Bgr233)).CPixelSize);
    }

    [Fact]
    public void TPixel_IsRgbOnlyFor888()
    {
        Assert.Equal(3, RfbPixelWire.TPixel(PixelConverter.Create(PixelFormat.Rgbx32)).Size);
        Assert.Equal(3, RfbPixelWire.TPixel(PixelConverter.Create(new(32, 24, true, true, 255, 255, 255, 24, 16, 8))).Size);
        Assert.Equal(4, RfbPixelWire.TPixel(PixelConverter.Create(new(32, 32, false, true, 255, 255, 255, 16, 8, 0))).Size);
        Assert.Equal(2, RfbPixelWire.TPixel(PixelConverter.Create(PixelFormat.Rgb565)).Size);
        Span<byte> b = stackalloc byte[3];
        RfbPixelWire.TPixel(PixelConverter.Create(PixelFormat.Rgbx32)).Write(0x00CC8844u, b);
        Assert.Equal(new byte[] { 0x44, 0x88, 0xCC }, b.ToArray());
    }

    [Fact]
    public void Zrle_RunLengthEncodingMatchesSpecExamples()
    {
        // A 64x64 tile of two colours in long runs goes out as RLE; decode and check sizes stay far under raw.
        var converter = PixelConverter.Create(PixelFormat.Bgrx32);
        using var encoder = new ZrleEncoder(converter, 0);
        using var decoder = new RfbDecoder(converter.Format);
        using Framebuffer frame = RfbTestData.MakeFrame("text", 64, 64);
        byte[] client = RfbTestData.ClientBuffer(converter.Format, frame.Width, frame.Height);
        int bytes = RfbTestData.EncodeDecodeCheck(encoder, decoder, converter, frame.ReadOnlyView, new Rect(3, 3, 64, 64), client);
        Assert.True(bytes < 64 * 64 * 3, $"{bytes} bytes");
    }
}
