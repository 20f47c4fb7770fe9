using Codecs.Pixels;
using Codecs.Spice.Glz;
using Codecs.Spice.Lz;
using Codecs.Spice.Lz4Image;
using Codecs.Spice.Quic;
using Encoders.Spice.Protocol;

namespace Encoders.Spice.Display;

/// <summary>
/// Writes SPICE Image objects (18-byte descriptor + payload) for canonical B,G,R,X tiles, top-down. Owns one
/// connection's codec state: the QUIC/LZ/LZ4 encoders and, once DISPLAY_INIT names one, the client's GLZ dictionary.
/// Not thread-safe (the display channel's send loop is the only user).
/// </summary>
internal sealed class ImageWriter : IDisposable
{
    public const byte FlagCacheMe = 1;

    private readonly QuicEncoder _quic = new();
    private readonly LzEncoder _lz = new();
    private readonly Lz4ImageEncoder _lz4 = new();
    private GlzEncoder? _glz;

    public GlzEncoderWindow? GlzWindow { get; private set; }

    /// <summary>Creates the per-client GLZ dictionary with the client's window (pixels, from DISPLAY_INIT).</summary>
    public void EnableGlz(int windowPixels)
    {
        GlzWindow = new GlzEncoderWindow(windowPixels);
        _glz = new GlzEncoder(GlzWindow);
    }

    /// <summary>
    /// Appends the Image for <paramref name="tile"/> to the body; returns the type actually written (GLZ falls back to
    /// LZ for images not smaller than the window).
    /// </summary>
    public SpiceImageType Write(MessageBuffer message, ReadOnlyImageView tile, SpiceImageType type, ulong id, byte flags)
    {
        if (type == SpiceImageType.GlzRgb && (_glz is null || !GlzWindow!.CanEncode(tile.Width, tile.Height)))
        {
            type = SpiceImageType.LzRgb;
        }

        message.U64(id);
        message.U8((byte)type);
        message.U8(flags);
        message.U32((uint)tile.Width);
        message.U32((uint)tile.Height);
        switch (type)
        {
            case SpiceImageType.Bitmap:
                WriteBitmap(message, tile);
                break;
            case SpiceImageType.Quic:
                WriteSized(message, QuicEncoder.GetMaxEncodedLength(QuicImageType.Rgb32, tile.Width, tile.Height), tile, (t, d) =>
                    (_quic.TryEncode(QuicImageType.Rgb32, t.Data, t.Width, t.Height, t.Stride, d, out int n), n));
                break;
            case SpiceImageType.LzRgb:
                WriteSized(message, LzEncoder.GetMaxEncodedLength(LzImageType.Rgb32, tile.Width, tile.Height), tile, (t, d) =>
                    (_lz.TryEncode(LzImageType.Rgb32, t.Data, t.Width, t.Height, t.Stride, true, d, out int n), n));
                break;
            case SpiceImageType.GlzRgb:
                WriteSized(message, GlzEncoder.GetMaxEncodedLength(LzImageType.Rgb32, tile.Width, tile.Height), tile, (t, d) =>
                    (_glz!.TryEncode(LzImageType.Rgb32, t.Data, t.Width, t.Height, t.Stride, true, d, out int n, out _), n));
                break;
            case SpiceImageType.Lz4:
                WriteSized(message, Lz4ImageEncoder.GetMaxEncodedLength(SpiceBitmapFormat.Rgb32, tile.Width, tile.Height), tile, (t, d) =>
                    (_lz4.TryEncode(SpiceBitmapFormat.Rgb32, t.Data, t.Width, t.Height, t.Stride, true, d, out int n), n));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "Not an image type this writer produces.");
        }

        return type;
    }

    /// <summary>Appends a FROM_CACHE image: the descriptor alone, naming an image the client cached.</summary>
    public static void WriteFromCache(MessageBuffer message, ulong id, int width, int height)
    {
        message.U64(id);
        message.U8((byte)SpiceImageType.FromCache);
        message.U8(0);
        message.U32((uint)width);
        message.U32((uint)height);
    }

    public void Dispose() => _lz4.Dispose();

    // 32BIT, TOP_DOWN, tight stride (spice-html5 needs stride = width × 4), no palette; pixels last.
    private static void WriteBitmap(MessageBuffer message, ReadOnlyImageView tile)
    {
        const byte Format32Bit = 8;
        const byte FlagTopDown = 4;
        int rowBytes = tile.Width * 4;
        message.U8(Format32Bit);
        message.U8(FlagTopDown);
        message.U32((uint)tile.Width);
        message.U32((uint)tile.Height);
        message.U32((uint)rowBytes);
        message.U32(0);
        Span<byte> pixels = message.GetSpan(rowBytes * tile.Height);
        for (int y = 0; y < tile.Height; y++)
        {
            tile.Row(y).CopyTo(pixels.Slice(y * rowBytes, rowBytes));
        }

        message.Advance(rowBytes * tile.Height);
    }

    private delegate (bool Ok, int Written) TileEncoder(ReadOnlyImageView tile, Span<byte> destination);

    // u32 data_size; data — encoded straight into the message buffer at its upper bound.
    private static void WriteSized(MessageBuffer message, long maxLength, ReadOnlyImageView tile, TileEncoder encode)
    {
        int sizeAt = message.BodyLength;
        message.U32(0);
        Span<byte> destination = message.GetSpan(checked((int)maxLength));
        (bool ok, int written) = encode(tile, destination[..(int)maxLength]);
        if (!ok)
        {
            throw new InvalidOperationException("Encoder overflowed its own maximum encoded length.");
        }

        message.Advance(written);
        message.PatchU32(sizeAt, (uint)written);
    }
}
