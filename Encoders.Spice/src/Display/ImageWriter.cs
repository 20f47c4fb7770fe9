using Codecs.Pixels;
using Codecs.Spice.Choice;
using Codecs.Spice.Glz;
using Codecs.Spice.Lz4Image;
using Encoders.Spice.Protocol;

namespace Encoders.Spice.Display;

/// <summary>
/// Writes SPICE Image objects (18-byte descriptor + payload) for canonical B,G,R,X tiles, top-down. The type is
/// chosen and encoded by the codec layer's <see cref="SpiceImageCompressor"/> (graduality estimate, forced modes,
/// GLZ/LZ vs QUIC trials, raw when nothing is smaller); this class only puts the result on the wire. Owns one
/// connection's codec state, including the client's GLZ dictionary once DISPLAY_INIT names one. Not thread-safe
/// (the display channel's send loop is the only user).
/// </summary>
internal sealed class ImageWriter : IDisposable
{
    public const byte FlagCacheMe = 1;

    // The largest type-specific prefix in front of the compressed data (JPEG_ALPHA: u8 flags, u32, u32).
    private const int MaxPrefix = 9;

    private SpiceImageCompressor _compressor = new(null);

    public GlzEncoderWindow? GlzWindow { get; private set; }

    /// <summary>Creates the per-client GLZ dictionary with the client's window (pixels, from DISPLAY_INIT).</summary>
    public void EnableGlz(int windowPixels)
    {
        GlzWindow = new GlzEncoderWindow(windowPixels);
        _compressor.Dispose();
        _compressor = new SpiceImageCompressor(GlzWindow);
    }

    /// <summary>Appends the Image for <paramref name="tile"/> to the body; returns the type written.</summary>
    public SpiceImageType Write(MessageBuffer message, ReadOnlyImageView tile, in SpiceImageRequest request, ulong id, byte flags)
    {
        var bitmap = SpiceBitmap.FromView(tile);
        int descriptorAt = message.BodyLength;
        message.U64(id);
        message.U8(0); // type, patched below
        message.U8(flags);
        message.U32((uint)tile.Width);
        message.U32((uint)tile.Height);

        int payloadAt = message.BodyLength;
        Span<byte> payload = message.GetSpan(checked(MaxPrefix + (int)SpiceImageCompressor.GetMaxEncodedLength(bitmap)));
        SpiceImageDecision decision = _compressor.Compress(bitmap, request, payload[MaxPrefix..]);
        if (decision.Type == SpiceImageType.Bitmap)
        {
            message.Truncate(payloadAt);
            WriteBitmap(message, tile);
        }
        else
        {
            int prefix = decision.PayloadPrefixLength;
            payload.Slice(MaxPrefix, decision.DataLength).CopyTo(payload[prefix..]); // overlap-safe move left
            decision.WritePayloadPrefix(payload);
            message.Advance(prefix + decision.DataLength);
        }

        message.PatchU8(descriptorAt + 8, (byte)decision.Type);
        return decision.Type;
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

    public void Dispose() => _compressor.Dispose();

    // 32BIT, TOP_DOWN, tight stride (spice-html5 needs stride = width × 4), no palette; pixels last.
    private static void WriteBitmap(MessageBuffer message, ReadOnlyImageView tile)
    {
        const byte FlagTopDown = 4;
        int rowBytes = tile.Width * 4;
        message.U8((byte)SpiceBitmapFormat.Rgb32);
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
}
