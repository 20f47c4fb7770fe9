using System.Buffers;
using Codecs.Pixels;
using Codecs.Rfb.Decoders;
using Codecs.Rfb.Encoders;
using Codecs.Trace;
using Xunit;

namespace Codecs.Tests.Rfb;

/// <summary>Synthetic content, client formats, shapes and the encode → decode → compare helper of the RFB tests.</summary>
internal static class RfbTestData
{
    public static readonly (string Name, PixelFormat Format)[] Formats =
    [
        ("Bgrx32", PixelFormat.Bgrx32),
        ("noVNC-Rgbx32", PixelFormat.Rgbx32),
        ("Xrgb32-BE", new(32, 24, true, true, 255, 255, 255, 16, 8, 0)),
        ("libvncclient-BE-hi3", new(32, 24, true, true, 255, 255, 255, 24, 16, 8)),
        ("Rgb565-LE", PixelFormat.Rgb565),
        ("Rgb565-BE", new(16, 16, true, true, 31, 63, 31, 11, 5, 0)),
        ("Rgb555-BE", new(16, 15, true, true, 31, 31, 31, 10, 5, 0)),
        ("Bgr233", PixelFormat.Bgr233),
        ("TigerVNC-verylow", new(8, 3, false, true, 1, 1, 1, 2, 1, 0)),
        ("colour-mapped-8", new(8, 8, false, false, 0, 0, 0, 0, 0, 0)),
    ];

    public static readonly string[] Contents = ["solid", "text", "ui16", "gradient", "noise"];

    public static readonly (int W, int H)[] Shapes = [(1, 1), (1, 37), (53, 1), (63, 63), (64, 64), (65, 65), (2049, 3)];

    public static PixelFormat FormatNamed(string name) => Formats.First(f => f.Name == name).Format;

    /// <summary>A canonical frame of the given content, with a 3-pixel margin around the area under test and padded stride.</summary>
    public static Framebuffer MakeFrame(string content, int width, int height, int seed = 1)
    {
        var frame = Framebuffer.Allocate(width + 6, height + 6, PixelFormat.Bgrx32, stride: (width + 6) * 4 + 8);
        var random = new Random(seed);
        uint[] ui = new uint[16];
        for (int i = 0; i < ui.Length; i++)
        {
            ui[i] = (uint)random.Next(0, 1 << 24);
        }

        for (int y = 0; y < frame.Height; y++)
        {
            Span<byte> row = frame.Row(y);
            for (int x = 0; x < frame.Width; x++)
            {
                uint v = content switch
                {
                    "solid" => 0x3366CCu,
                    "text" => ((x * 7 + y * 3) % 11 < 3 || (x / 3 + y / 5) % 7 == 0) ? 0x101010u : 0xF0F0E8u,
                    "ui16" => ui[((x / 9) + (y / 5) * 3) % 16],
                    "gradient" => (uint)((x * 255 / Math.Max(1, width) & 255) << 16 | (y * 255 / Math.Max(1, height) & 255) << 8 | ((x + y) & 255)),
                    _ => (uint)random.Next(0, 1 << 24),
                };
                BitConverterHelpers.WriteCanonical(row, x, v);
            }
        }

        return frame;
    }

    public static IRfbEncoder CreateEncoder(string encoding, PixelConverter converter) => encoding switch
    {
        "raw" => new RawEncoder(converter),
        "rre" => new RreEncoder(converter),
        "hextile" => new HextileEncoder(converter),
        "zrle" => new ZrleEncoder(converter),
        "zrle0" => new ZrleEncoder(converter, 0),
        "zrle9" => new ZrleEncoder(converter, 9),
        "tight" => new TightEncoder(converter),
        "tight0" => new TightEncoder(converter, 0),
        "tight9" => new TightEncoder(converter, 9),
        "tightpng" => TightEncoder.CreateTightPng(converter),
        "tight-gradient" => new TightEncoder(converter, 6) { EnableGradient = true },

        // Compression level 2: the gradient residuals go through RunHuffmanDeflater instead of zlib.
        "tight-gradient2" => new TightEncoder(converter, 2) { EnableGradient = true },
        _ => throw new ArgumentOutOfRangeException(nameof(encoding)),
    };

    /// <summary>Client-side framebuffer in the client format.</summary>
    public static byte[] ClientBuffer(PixelFormat format, int width, int height) => new byte[width * height * format.BitsPerPixel / 8];

    public static ImageView ClientView(byte[] buffer, PixelFormat format, int width, int height) =>
        new(buffer, width, height, width * format.BitsPerPixel / 8, format);

    /// <summary>Encodes <paramref name="area"/>, decodes it with an independent decoder and checks every pixel against the converter.</summary>
    public static int EncodeDecodeCheck(IRfbEncoder encoder, RfbDecoder decoder, PixelConverter converter, ReadOnlyImageView frame, Rect area, byte[] client)
    {
        var writer = new ArrayBufferWriter<byte>();
        int rects = encoder.Encode(frame, area, writer);
        ImageView view = ClientView(client, converter.Format, frame.Width, frame.Height);
        int consumed = decoder.DecodeRectangles(writer.WrittenSpan, rects, view);
        Assert.Equal(writer.WrittenCount, consumed);
        AssertAreaEquals(converter, frame, area, client);
        return writer.WrittenCount;
    }

    public static void AssertAreaEquals(PixelConverter converter, ReadOnlyImageView frame, Rect area, byte[] client)
    {
        byte[] expected = new byte[converter.GetPackedLength(area.Width, area.Height)];
        converter.FromCanonical(frame.Slice(area), expected);
        int bpp = converter.BytesPerPixel;
        int rowBytes = area.Width * bpp;
        for (int y = 0; y < area.Height; y++)
        {
            ReadOnlySpan<byte> want = expected.AsSpan(y * rowBytes, rowBytes);
            ReadOnlySpan<byte> got = client.AsSpan(((area.Y + y) * frame.Width + area.X) * bpp, rowBytes);
            if (!want.SequenceEqual(got))
            {
                int i = want.CommonPrefixLength(got);
                Assert.Fail($"row {y} of {area} differs at pixel {i / bpp}: want {Convert.ToHexString(want.Slice(i / bpp * bpp, bpp))}, got {Convert.ToHexString(got.Slice(i / bpp * bpp, bpp))}");
            }
        }
    }

    public static string CorpusDirectory()
    {
        for (string? dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(Path.Combine(dir, "Codecs.sln")))
            {
                return Path.Combine(dir, "corpus");
            }
        }

        throw new DirectoryNotFoundException("Codecs.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Frames and changed rectangles from a corpus trace: <paramref name="frames"/> frames with changes, after skipping the first.</summary>
    public static IEnumerable<(Framebuffer Frame, Rect[] Rects)> CorpusFrames(string trace, int frames, int step = 7)
    {
        using var reader = new TraceReader(File.OpenRead(Path.Combine(CorpusDirectory(), trace + ".fbt")));
        int seen = 0;
        int index = 0;
        while (seen < frames && reader.ReadFrame())
        {
            index++;
            if (reader.Frame.Rects.Count == 0 || index % step != 2)
            {
                continue;
            }

            Framebuffer copy = Framebuffer.Allocate(reader.Width, reader.Height, PixelFormat.Bgrx32);
            reader.Framebuffer.CopyTo(copy);
            seen++;
            yield return (copy, reader.Frame.Rects.Select(r => r.Area).ToArray());
        }
    }
}

internal static class BitConverterHelpers
{
    public static void WriteCanonical(Span<byte> row, int x, uint rgb)
    {
        row[x * 4] = (byte)rgb;
        row[x * 4 + 1] = (byte)(rgb >> 8);
        row[x * 4 + 2] = (byte)(rgb >> 16);
        row[x * 4 + 3] = 0;
    }
}
