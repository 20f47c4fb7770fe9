using System.Buffers;
using Codecs.Pixels;
using Codecs.Rfb.Decoders;
using Codecs.Rfb.Encoders;
using Fuzz.Seeds;

namespace Fuzz.Targets;

/// <summary>
/// The RFB client decoders (Raw, CopyRect, RRE, Hextile, ZRLE, Tight, TightPNG) on a FramebufferUpdate body.
/// Input: byte 0 picks the client pixel format, byte 1 the rectangle count (1–16), then rectangles (12-byte header +
/// payload) as they follow each other on the wire, decoded by one decoder so ZRLE's and Tight's zlib streams carry
/// state from rectangle to rectangle as in a real connection.
/// </summary>
public sealed class RfbRectanglesFuzzer : IFuzzer
{
    private const int FramebufferSize = 128;

    private static readonly PixelFormat[] s_formats =
    [
        PixelFormat.Bgrx32,
        PixelFormat.Rgb565,
        PixelFormat.Bgr233,
        new(32, 24, true, true, 255, 255, 255, 8, 16, 24),
        new(16, 15, true, true, 31, 31, 31, 10, 5, 0),
    ];

    public string Name => "RfbRectangles";

    public void FuzzTarget(ReadOnlySpan<byte> input)
    {
        if (input.Length < 2)
        {
            return;
        }

        PixelFormat format = s_formats[input[0] % s_formats.Length];
        int count = 1 + (input[1] & 15);
        using var decoder = new RfbDecoder(format);
        using Framebuffer framebuffer = Framebuffer.Allocate(FramebufferSize, FramebufferSize, format);
        decoder.DecodeRectangles(input[2..], count, framebuffer.View);
    }

    public IEnumerable<byte[]> CreateSeeds()
    {
        using Framebuffer text = SeedImages.Create("text", FramebufferSize, FramebufferSize);
        using Framebuffer photo = SeedImages.Create("gradient", FramebufferSize, FramebufferSize);
        for (int f = 0; f < s_formats.Length; f++)
        {
            PixelConverter converter = PixelConverter.Create(s_formats[f]);
            foreach (Func<PixelConverter, IRfbEncoder> create in Encoders())
            {
                IRfbEncoder encoder = create(converter);
                try
                {
                    var output = new ArrayBufferWriter<byte>();
                    output.Write<byte>([(byte)f, 0]);
                    int rectangles = encoder.Encode(text.ReadOnlyView, new Rect(3, 5, 70, 40), output);
                    rectangles += encoder.Encode(photo.ReadOnlyView, new Rect(64, 64, 64, 64), output);
                    if (rectangles < 16)
                    {
                        CopyRectEncoder.Write(output, new Rect(0, 100, 20, 20), 10, 10);
                        rectangles++;
                    }

                    byte[] seed = output.WrittenSpan.ToArray();
                    seed[1] = (byte)(rectangles - 1);
                    yield return seed;
                }
                finally
                {
                    (encoder as IDisposable)?.Dispose();
                }
            }
        }
    }

    private static IEnumerable<Func<PixelConverter, IRfbEncoder>> Encoders()
    {
        yield return c => new RawEncoder(c);
        yield return c => new RreEncoder(c);
        yield return c => new HextileEncoder(c);
        yield return c => new ZrleEncoder(c);
        yield return c => new TightEncoder(c);
        yield return c => TightEncoder.CreateTightPng(c);
        yield return c => new TightEncoder(c) { QualityLevel = 6 };
        yield return c => new TightEncoder(c) { EnableGradient = true };
    }
}
