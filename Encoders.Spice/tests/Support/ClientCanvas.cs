using System.Buffers.Binary;
using Codecs.Pixels;
using Codecs.Spice.Choice;
using Codecs.Spice.Glz;
using Codecs.Spice.Lz;
using Codecs.Spice.Lz4Image;
using Codecs.Spice.Quic;
using Xunit;

namespace Encoders.Spice.Tests.Support;

/// <summary>
/// What a SPICE client shows: the primary surface, painted from display messages with the Codecs SPICE decoders, plus
/// the image cache and GLZ dictionary a client keeps. Parses bodies from the protocol notes (pointer offsets from the
/// body start, rects as top/left/bottom/right), not from the server's writer.
/// </summary>
internal sealed class ClientCanvas : IDisposable
{
    private readonly Dictionary<ulong, (int Width, int Height, byte[] Pixels)> _cache = [];
    private readonly GlzDecoderWindow _glz = new();
    private readonly QuicDecoder _quic = new();
    private readonly Lz4ImageDecoder _lz4 = new();

    public int Width { get; private set; }

    public int Height { get; private set; }

    /// <summary>B,G,R,X pixels of the primary surface, tight rows.</summary>
    public byte[] Pixels { get; private set; } = [];

    public int Marks { get; private set; }

    public int SurfacesCreated { get; private set; }

    public int Draws { get; private set; }

    public Dictionary<SpiceImageType, int> ImageTypes { get; } = [];

    public int CacheEntries => _cache.Count;

    public void Apply(ReceivedMessage message)
    {
        byte[] b = message.Body;
        switch (message.Type)
        {
            case 314: // SURFACE_CREATE
                Assert.Equal(0u, U32(b, 0));
                Assert.Equal(32u, U32(b, 12));
                Assert.Equal(1u, U32(b, 16));
                Width = (int)U32(b, 4);
                Height = (int)U32(b, 8);
                Pixels = new byte[Width * Height * 4];
                SurfacesCreated++;
                break;
            case 315: // SURFACE_DESTROY
                Pixels = [];
                break;
            case 102: // MARK
                Marks++;
                break;
            case 304: // DRAW_COPY
                DrawCopy(b);
                break;
            case 302: // DRAW_FILL
                Rect fillBox = ReadBase(b);
                Assert.Equal(1, b[21]); // SOLID
                uint color = U32(b, 22);
                for (int y = fillBox.Y; y < fillBox.Bottom; y++)
                {
                    for (int x = fillBox.X; x < fillBox.Right; x++)
                    {
                        BinaryPrimitives.WriteUInt32LittleEndian(Pixels.AsSpan((y * Width + x) * 4), color);
                    }
                }

                Draws++;
                break;
            case 104: // COPY_BITS
                Rect box = ReadBase(b);
                int sx = (int)U32(b, 21);
                int sy = (int)U32(b, 25);
                var copy = new byte[box.Width * box.Height * 4];
                for (int y = 0; y < box.Height; y++)
                {
                    Pixels.AsSpan(((sy + y) * Width + sx) * 4, box.Width * 4).CopyTo(copy.AsSpan(y * box.Width * 4));
                }

                for (int y = 0; y < box.Height; y++)
                {
                    copy.AsSpan(y * box.Width * 4, box.Width * 4).CopyTo(Pixels.AsSpan(((box.Y + y) * Width + box.X) * 4));
                }

                Draws++;
                break;
            case 105: // INVAL_LIST
                int count = BinaryPrimitives.ReadUInt16LittleEndian(b);
                for (int i = 0; i < count; i++)
                {
                    Assert.Equal(1, b[2 + (9 * i)]);
                    Assert.True(_cache.Remove(BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(3 + (9 * i)))), "INVAL_LIST of an id not cached");
                }

                break;
            default:
                break;
        }
    }

    /// <summary>Pixels that differ in R, G or B from <paramref name="expected"/> (B,G,R,X rows of <paramref name="stride"/> bytes).</summary>
    public int CountDifferences(ReadOnlySpan<byte> expected, int stride)
    {
        int differences = 0;
        for (int y = 0; y < Height; y++)
        {
            for (int x = 0; x < Width; x++)
            {
                int a = y * stride + x * 4;
                int c = (y * Width + x) * 4;
                if (expected[a] != Pixels[c] || expected[a + 1] != Pixels[c + 1] || expected[a + 2] != Pixels[c + 2])
                {
                    differences++;
                }
            }
        }

        return differences;
    }

    public void Dispose() => _lz4.Dispose();

    private static uint U32(byte[] b, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(offset));

    private static Rect ReadBase(byte[] b)
    {
        Assert.Equal(0u, U32(b, 0));
        int top = (int)U32(b, 4);
        int left = (int)U32(b, 8);
        int bottom = (int)U32(b, 12);
        int right = (int)U32(b, 16);
        Assert.Equal(0, b[20]); // clip NONE
        return Rect.FromEdges(left, top, right, bottom);
    }

    private void DrawCopy(byte[] b)
    {
        Rect box = ReadBase(b);
        int imageAt = (int)U32(b, 21);
        Rect src = Rect.FromEdges((int)U32(b, 29), (int)U32(b, 25), (int)U32(b, 37), (int)U32(b, 33));
        Assert.Equal(8, BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(41))); // OP_PUT
        Assert.Equal(0u, U32(b, 53)); // no mask
        Assert.Equal(box.Width, src.Width);
        Assert.Equal(box.Height, src.Height);

        ReadOnlySpan<byte> image = b.AsSpan(imageAt);
        ulong id = BinaryPrimitives.ReadUInt64LittleEndian(image);
        var type = (SpiceImageType)image[8];
        byte flags = image[9];
        int w = (int)BinaryPrimitives.ReadUInt32LittleEndian(image[10..]);
        int h = (int)BinaryPrimitives.ReadUInt32LittleEndian(image[14..]);
        ReadOnlySpan<byte> payload = image[18..];
        ImageTypes[type] = ImageTypes.GetValueOrDefault(type) + 1;

        byte[] pixels;
        if (type == SpiceImageType.FromCache)
        {
            Assert.Equal(18, image.Length);
            pixels = _cache[id].Pixels;
        }
        else
        {
            pixels = Decode(type, payload, w, h);
            if ((flags & 1) != 0)
            {
                Assert.True(_cache.TryAdd(id, (w, h, pixels)), "CACHE_ME of an id already cached");
            }
        }

        for (int y = 0; y < src.Height; y++)
        {
            pixels.AsSpan(((src.Y + y) * w + src.X) * 4, src.Width * 4).CopyTo(Pixels.AsSpan(((box.Y + y) * Width + box.X) * 4));
        }

        Draws++;
    }

    private byte[] Decode(SpiceImageType type, ReadOnlySpan<byte> payload, int w, int h)
    {
        var pixels = new byte[w * h * 4];
        switch (type)
        {
            case SpiceImageType.Bitmap:
                Assert.Equal(8, payload[0]); // 32BIT
                Assert.Equal(4, payload[1]); // TOP_DOWN
                int stride = (int)BinaryPrimitives.ReadUInt32LittleEndian(payload[10..]);
                Assert.Equal(w * 4, stride);
                Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(payload[14..]));
                ReadOnlySpan<byte> data = payload[18..];
                Assert.Equal(stride * h, data.Length); // pixels run to the end of the message
                data.CopyTo(pixels);
                break;
            case SpiceImageType.Quic:
                _quic.Decode(Sized(payload), pixels, w * 4);
                break;
            case SpiceImageType.LzRgb:
                LzHeader lz = LzDecoder.Decode(Sized(payload), pixels);
                Assert.True(lz.TopDown);
                Assert.Equal(LzImageType.Rgb32, lz.Type);
                break;
            case SpiceImageType.GlzRgb:
                GlzImage glz = GlzDecoder.Decode(Sized(payload), _glz);
                Assert.True(glz.Header.TopDown);
                glz.Pixels.CopyTo(pixels);
                break;
            case SpiceImageType.Lz4:
                (SpiceBitmapFormat format, bool topDown) = _lz4.Decode(Sized(payload), w, h, pixels);
                Assert.Equal(SpiceBitmapFormat.Rgb32, format);
                Assert.True(topDown);
                break;
            default:
                Assert.Fail($"unexpected image type {type}");
                break;
        }

        return pixels;
    }

    // u32 data_size; data — the data must run exactly to the end of the message.
    private static ReadOnlySpan<byte> Sized(ReadOnlySpan<byte> payload)
    {
        int size = (int)BinaryPrimitives.ReadUInt32LittleEndian(payload);
        Assert.Equal(payload.Length - 4, size);
        return payload.Slice(4, size);
    }
}
