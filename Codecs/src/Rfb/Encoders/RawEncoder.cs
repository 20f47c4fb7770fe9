using System.Buffers;
using Codecs.Pixels;

namespace Codecs.Rfb.Encoders;

/// <summary>Raw (encoding 0): the rectangle's pixels in the client format, row by row.</summary>
public sealed class RawEncoder : IRfbEncoder
{
    private readonly PixelConverter _converter;

    public RawEncoder(PixelConverter converter)
    {
        ArgumentNullException.ThrowIfNull(converter);
        _converter = converter;
    }

    public int Encoding => RfbEncoding.Raw;

    /// <summary>Bytes of a Raw rectangle of this size, header included.</summary>
    public int GetEncodedLength(int width, int height) => RfbEncoding.RectHeaderSize + _converter.GetPackedLength(width, height);

    public int Encode<TWriter>(ReadOnlyImageView frame, Rect area, TWriter writer)
        where TWriter : IBufferWriter<byte>
    {
        ArgumentNullException.ThrowIfNull(writer);
        RfbRectHeader.Write(writer, area, RfbEncoding.Raw);
        WritePixels(_converter, frame.Slice(area), writer);
        return 1;
    }

    /// <summary>Converts <paramref name="source"/> straight into the writer, in row bands that fit one span.</summary>
    internal static void WritePixels<TWriter>(PixelConverter converter, ReadOnlyImageView source, TWriter writer)
        where TWriter : IBufferWriter<byte>
    {
        int rowBytes = converter.GetPackedLength(source.Width, 1);
        if (rowBytes == 0)
        {
            return;
        }

        int band = Math.Max(1, Math.Min(source.Height, (1 << 20) / rowBytes));
        for (int y = 0; y < source.Height; y += band)
        {
            int rows = Math.Min(band, source.Height - y);
            int bytes = rowBytes * rows;
            Span<byte> span = writer.GetSpan(bytes);
            converter.FromCanonical(source.Slice(new Rect(0, y, source.Width, rows)), span);
            writer.Advance(bytes);
        }
    }
}
