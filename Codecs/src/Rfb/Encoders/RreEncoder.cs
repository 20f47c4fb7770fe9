using System.Buffers;
using System.Buffers.Binary;
using Codecs.Pixels;

namespace Codecs.Rfb.Encoders;

/// <summary>
/// RRE (encoding 2): <c>U32 nSubrects, PIXEL background</c>, then per subrect <c>PIXEL, U16 x, y, w, h</c>. The
/// background is the most common colour; when the subrects would make the rectangle larger than Raw it is sent as Raw.
/// </summary>
public sealed class RreEncoder : IRfbEncoder
{
    private const int PaletteLimit = 256;
    private readonly PixelConverter _converter;
    private readonly ClientPixelBuffer _pixels;
    private readonly RfbPalette _palette = new();
    private readonly SubrectFinder _finder = new();
    private readonly RfbPixelWire _wire;
    private readonly RawEncoder _raw;

    public RreEncoder(PixelConverter converter)
    {
        ArgumentNullException.ThrowIfNull(converter);
        _converter = converter;
        _pixels = new ClientPixelBuffer(converter);
        _wire = RfbPixelWire.Pixel(converter);
        _raw = new RawEncoder(converter);
    }

    public int Encoding => RfbEncoding.Rre;

    /// <summary>Rectangles sent as Raw because RRE would have been larger.</summary>
    public long RawFallbacks { get; private set; }

    public int Encode<TWriter>(ReadOnlyImageView frame, Rect area, TWriter writer)
        where TWriter : IBufferWriter<byte>
    {
        ArgumentNullException.ThrowIfNull(writer);
        ReadOnlyImageView view = frame.Slice(area);
        Span<uint> values = _pixels.Load(view);
        int bpp = _wire.Size;
        int rawSize = _converter.GetPackedLength(area.Width, area.Height);
        uint background = values.IsEmpty ? 0 : values[0];
        if (!values.IsEmpty && _palette.Build(values, PaletteLimit, out _))
        {
            _palette.SortByFrequency();
            background = _palette.Colours[0];
        }

        int perSubrect = bpp + 8;
        int maxSubrects = Math.Max(0, (rawSize - 4 - bpp) / perSubrect);
        if (!_finder.Find(values, area.Width, area.Width, area.Height, background, maxSubrects))
        {
            RawFallbacks++;
            return _raw.Encode(frame, area, writer);
        }

        RfbRectHeader.Write(writer, area, RfbEncoding.Rre);
        int size = 4 + bpp + _finder.Count * perSubrect;
        Span<byte> span = writer.GetSpan(size);
        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)_finder.Count);
        _wire.Write(background, span[4..]);
        int o = 4 + bpp;
        for (int i = 0; i < _finder.Count; i++)
        {
            (int x, int y, int w, int h, uint c) = _finder[i];
            _wire.Write(c, span[o..]);
            o += bpp;
            BinaryPrimitives.WriteUInt16BigEndian(span[o..], (ushort)x);
            BinaryPrimitives.WriteUInt16BigEndian(span[(o + 2)..], (ushort)y);
            BinaryPrimitives.WriteUInt16BigEndian(span[(o + 4)..], (ushort)w);
            BinaryPrimitives.WriteUInt16BigEndian(span[(o + 6)..], (ushort)h);
            o += 8;
        }

        writer.Advance(size);
        return 1;
    }
}
