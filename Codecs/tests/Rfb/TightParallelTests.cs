using System.Buffers;
using Codecs.Pixels;
using Codecs.Rfb.Decoders;
using Codecs.Rfb.Encoders;
using Xunit;

namespace Codecs.Tests.Rfb;

public class TightParallelTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void Lanes_RoundTripAndAreDeterministic(int lanes)
    {
        var converter = PixelConverter.Create(PixelFormat.Rgbx32);
        using Framebuffer frame = RfbTestData.MakeFrame("ui16", 700, 500);
        using Framebuffer photo = TightTests.MakePhoto(706, 506);
        Rect[] areas = [new(0, 0, 700, 300), new(10, 300, 200, 100), new(300, 320, 400, 180), new(3, 3, 1, 1), new(0, 490, 706, 16)];
        byte[][] outputs = new byte[2][];
        for (int run = 0; run < 2; run++)
        {
            using var encoder = new TightParallelEncoder(converter, 2, lanes);
            using var decoder = new RfbDecoder(converter.Format);
            byte[] client = RfbTestData.ClientBuffer(converter.Format, frame.Width, frame.Height);
            ImageView view = RfbTestData.ClientView(client, converter.Format, frame.Width, frame.Height);
            var all = new ArrayBufferWriter<byte>();
            foreach (Framebuffer source in new[] { frame, photo, frame })
            {
                var writer = new ArrayBufferWriter<byte>();
                int rects = encoder.Encode(source, areas, writer);
                decoder.DecodeRectangles(writer.WrittenSpan, rects, view);
                foreach (Rect area in areas)
                {
                    RfbTestData.AssertAreaEquals(converter, source.ReadOnlyView, area, client);
                }

                all.Write(writer.WrittenSpan);
            }

            outputs[run] = all.WrittenSpan.ToArray();
        }

        Assert.Equal(outputs[0], outputs[1]);
    }

    [Fact]
    public void Lanes_WithJpegAndCorpusFrames()
    {
        var converter = PixelConverter.Create(PixelFormat.Rgbx32);
        using var encoder = new TightParallelEncoder(converter, 2, 4) { QualityLevel = 9 };
        foreach ((Framebuffer frame, Rect[] rects) in RfbTestData.CorpusFrames("window-drag", frames: 2))
        {
            using (frame)
            {
                using var decoder = new RfbDecoder(converter.Format);
                var writer = new ArrayBufferWriter<byte>();
                int count = encoder.Encode(frame, rects, writer);
                byte[] client = RfbTestData.ClientBuffer(converter.Format, frame.Width, frame.Height);
                Assert.Equal(writer.WrittenCount, decoder.DecodeRectangles(writer.WrittenSpan, count, RfbTestData.ClientView(client, converter.Format, frame.Width, frame.Height)));
                encoder.ResetStreams();
            }
        }
    }
}
