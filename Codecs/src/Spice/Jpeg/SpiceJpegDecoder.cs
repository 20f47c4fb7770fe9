using Codecs.Jpeg;
using Codecs.Pixels;
using Codecs.Spice.Lz;

namespace Codecs.Spice.Jpeg;

/// <summary>
/// Client-side decoding of SPICE JPEG (105) and JPEG_ALPHA (108), independent of the encoder: the JPEG through
/// libturbojpeg, the alpha through <see cref="LzDecoder"/>, with the checks of spice-common's
/// <c>canvas_get_jpeg_alpha</c> (LZ type XXXA, same width and height, LZ top_down equal to the payload flag). Output is
/// 32-bit B,G,R,X (JPEG) or B,G,R,A (JPEG_ALPHA) rows, top-down. Throws only <see cref="CodecDataException"/> on bad
/// input. Not thread-safe.
/// </summary>
public sealed class SpiceJpegDecoder : IDisposable
{
    /// <summary>Format name of JPEG payload errors.</summary>
    public const string FormatName = "spice-jpeg";

    /// <summary>Format name of JPEG_ALPHA framing errors.</summary>
    public const string AlphaFormatName = "spice-jpeg-alpha";

    private readonly TurboJpegDecompressor _decompressor = new();
    private byte[] _alpha = [];

    /// <summary>Decodes a JPEG payload of the descriptor's <paramref name="width"/> × <paramref name="height"/> into top-down B,G,R,X rows.</summary>
    public void Decode(ReadOnlySpan<byte> data, int width, int height, Span<byte> destination, int stride)
    {
        var view = new ImageView(destination, width, height, stride, PixelFormat.Bgrx32);
        try
        {
            _decompressor.Decompress(data, view);
        }
        catch (CodecDataException e)
        {
            throw new CodecDataException(FormatName, e.Offset, e.Message, e);
        }
    }

    /// <summary>
    /// Decodes a JPEG_ALPHA <paramref name="data"/> (JPEG, then the XXXA LZ stream) described by
    /// <paramref name="header"/> into top-down B,G,R,A rows.
    /// </summary>
    public void DecodeWithAlpha(SpiceJpegAlphaHeader header, ReadOnlySpan<byte> data, int width, int height, Span<byte> destination, int stride)
    {
        if (header.DataLength != data.Length)
        {
            CodecDataException.Throw(AlphaFormatName, 5, $"data_size {header.DataLength} but {data.Length} bytes of data");
        }

        Decode(data[..header.JpegLength], width, height, destination, stride);
        ReadOnlySpan<byte> lz = data[header.JpegLength..];
        LzHeader lzHeader = LzDecoder.ReadHeader(lz);
        if (lzHeader.Type != LzImageType.Xxxa)
        {
            CodecDataException.Throw(AlphaFormatName, header.JpegLength + 8, "alpha stream is not LZ type XXXA");
        }

        if (lzHeader.Width != width || lzHeader.Height != height)
        {
            CodecDataException.Throw(AlphaFormatName, header.JpegLength + 12, "alpha stream size differs from the image");
        }

        if (lzHeader.TopDown != header.TopDown)
        {
            CodecDataException.Throw(AlphaFormatName, header.JpegLength + 24, "alpha stream top_down differs from the JPEG_ALPHA flag");
        }

        int tight = width * 4;
        if (_alpha.Length < (long)tight * height)
        {
            _alpha = new byte[tight * height];
        }

        LzDecoder.Decode(lz, _alpha);

        // The LZ rows are in memory order: bottom row first unless top_down.
        for (int y = 0; y < height; y++)
        {
            ReadOnlySpan<byte> src = _alpha.AsSpan((header.TopDown ? y : height - 1 - y) * tight, tight);
            Span<byte> dst = destination.Slice(y * stride, tight);
            for (int x = 3; x < tight; x += 4)
            {
                dst[x] = src[x];
            }
        }
    }

    public void Dispose() => _decompressor.Dispose();
}
