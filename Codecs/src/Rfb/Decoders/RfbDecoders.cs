using Codecs.Pixels;

namespace Codecs.Rfb.Decoders;

/// <summary>
/// Client side of the RFB pixel encodings, written from rfbproto independently of the encoders: decodes rectangles
/// (header + payload) into a framebuffer in the client's pixel format. One instance per connection (ZRLE and Tight keep
/// zlib streams across rectangles).
/// </summary>
/// <remarks>Every malformed or truncated input raises <see cref="CodecDataException"/> with the byte offset in the input.</remarks>
public sealed class RfbDecoder : IDisposable
{
    private readonly ClientPixelStore _store;
    private readonly ZrleDecoder _zrle;
    private readonly TightDecoder _tight;

    public RfbDecoder(PixelFormat clientFormat)
    {
        _store = new ClientPixelStore(clientFormat);
        _zrle = new ZrleDecoder(_store);
        _tight = new TightDecoder(_store);
    }

    /// <summary>The client pixel format the framebuffer holds.</summary>
    public PixelFormat Format => _store.Format;

    /// <summary>
    /// Decodes one rectangle (12-byte header and payload) at the start of <paramref name="data"/> into
    /// <paramref name="framebuffer"/> and returns the bytes consumed.
    /// </summary>
    public int DecodeRectangle(ReadOnlySpan<byte> data, ImageView framebuffer, out RfbRectHeader header)
    {
        header = RfbRectHeader.Read(data);
        Rect area = header.Area;
        ReadOnlySpan<byte> payload = data[RfbEncoding.RectHeaderSize..];
        if (framebuffer.Format.BitsPerPixel != _store.Format.BitsPerPixel)
        {
            throw new ArgumentException("The framebuffer is not in the decoder's client format.", nameof(framebuffer));
        }

        if (area.Right > framebuffer.Width || area.Bottom > framebuffer.Height)
        {
            CodecDataException.Throw("rfb", 0, $"rectangle {area} lies outside the {framebuffer.Width}x{framebuffer.Height} framebuffer");
        }

        int consumed = header.Encoding switch
        {
            RfbEncoding.Raw => DecodeRaw(payload, area, framebuffer),
            RfbEncoding.CopyRect => DecodeCopyRect(payload, area, framebuffer),
            RfbEncoding.Rre => DecodeRre(payload, area, framebuffer),
            RfbEncoding.Hextile => DecodeHextile(payload, area, framebuffer),
            RfbEncoding.Zrle => _zrle.Decode(payload, area, framebuffer),
            RfbEncoding.Tight => _tight.Decode(payload, area, framebuffer, png: false),
            RfbEncoding.TightPng => _tight.Decode(payload, area, framebuffer, png: true),
            _ => Unknown(header.Encoding),
        };
        return RfbEncoding.RectHeaderSize + consumed;
    }

    /// <summary>Decodes <paramref name="count"/> consecutive rectangles; returns the bytes consumed.</summary>
    public int DecodeRectangles(ReadOnlySpan<byte> data, int count, ImageView framebuffer)
    {
        int position = 0;
        for (int i = 0; i < count; i++)
        {
            try
            {
                position += DecodeRectangle(data[position..], framebuffer, out _);
            }
            catch (CodecDataException ex) when (position != 0)
            {
                throw new CodecDataException(ex.Format, ex.Offset + position, "rectangle " + i + " is malformed", ex);
            }
        }

        return position;
    }

    private static int Unknown(int encoding)
    {
        CodecDataException.Throw("rfb", 8, $"unsupported encoding {encoding}");
        return 0;
    }

    private int DecodeRaw(ReadOnlySpan<byte> payload, Rect area, ImageView fb)
    {
        var reader = new RfbReader(payload, "raw", RfbEncoding.RectHeaderSize);
        int rowBytes = area.Width * _store.BytesPerPixel;
        for (int y = 0; y < area.Height; y++)
        {
            reader.Take(rowBytes).CopyTo(fb.Row(area.Y + y).Slice(area.X * _store.BytesPerPixel, rowBytes));
        }

        return reader.Position;
    }

    private int DecodeCopyRect(ReadOnlySpan<byte> payload, Rect area, ImageView fb)
    {
        var reader = new RfbReader(payload, "copyrect", RfbEncoding.RectHeaderSize);
        int sx = reader.ReadUInt16();
        int sy = reader.ReadUInt16();
        if (sx + area.Width > fb.Width || sy + area.Height > fb.Height)
        {
            reader.Fail($"source {sx},{sy} of a {area.Width}x{area.Height} copy lies outside the framebuffer");
        }

        int bpp = _store.BytesPerPixel;
        int rowBytes = area.Width * bpp;
        // Overlapping copies: walk rows in the direction that reads each source row before it is overwritten.
        bool upward = sy < area.Y;
        for (int i = 0; i < area.Height; i++)
        {
            int row = upward ? area.Height - 1 - i : i;
            fb.Row(sy + row).Slice(sx * bpp, rowBytes).CopyTo(fb.Row(area.Y + row).Slice(area.X * bpp, rowBytes));
        }

        return reader.Position;
    }

    private int DecodeRre(ReadOnlySpan<byte> payload, Rect area, ImageView fb)
    {
        var reader = new RfbReader(payload, "rre", RfbEncoding.RectHeaderSize);
        int bpp = _store.BytesPerPixel;
        uint count = reader.ReadUInt32();
        if (count > (uint)(reader.Remaining / (bpp + 8)) + 1)
        {
            reader.Fail($"{count} subrectangles cannot fit the {reader.Remaining} bytes left");
        }

        uint background = _store.ReadPixel(reader.Take(bpp));
        _store.Fill(fb, area.X, area.Y, area.Width, area.Height, background);
        for (uint i = 0; i < count; i++)
        {
            uint colour = _store.ReadPixel(reader.Take(bpp));
            int x = reader.ReadUInt16();
            int y = reader.ReadUInt16();
            int w = reader.ReadUInt16();
            int h = reader.ReadUInt16();
            if (x + w > area.Width || y + h > area.Height)
            {
                reader.Fail($"subrectangle {w}x{h}+{x}+{y} lies outside the {area.Width}x{area.Height} rectangle");
            }

            _store.Fill(fb, area.X + x, area.Y + y, w, h, colour);
        }

        return reader.Position;
    }

    private int DecodeHextile(ReadOnlySpan<byte> payload, Rect area, ImageView fb)
    {
        var reader = new RfbReader(payload, "hextile", RfbEncoding.RectHeaderSize);
        int bpp = _store.BytesPerPixel;
        uint background = 0;
        uint foreground = 0;
        for (int ty = 0; ty < area.Height; ty += 16)
        {
            int th = Math.Min(16, area.Height - ty);
            for (int tx = 0; tx < area.Width; tx += 16)
            {
                int tw = Math.Min(16, area.Width - tx);
                int x0 = area.X + tx;
                int y0 = area.Y + ty;
                byte flags = reader.ReadByte();
                if ((flags & 0xE0) != 0)
                {
                    reader.Fail($"hextile subencoding 0x{flags:X2} has reserved bits set");
                }

                if ((flags & 1) != 0)
                {
                    for (int y = 0; y < th; y++)
                    {
                        reader.Take(tw * bpp).CopyTo(fb.Row(y0 + y).Slice(x0 * bpp, tw * bpp));
                    }

                    continue;
                }

                if ((flags & 2) != 0)
                {
                    background = _store.ReadPixel(reader.Take(bpp));
                }

                _store.Fill(fb, x0, y0, tw, th, background);
                if ((flags & 4) != 0)
                {
                    foreground = _store.ReadPixel(reader.Take(bpp));
                }

                if ((flags & 8) == 0)
                {
                    continue;
                }

                int n = reader.ReadByte();
                bool coloured = (flags & 16) != 0;
                for (int i = 0; i < n; i++)
                {
                    uint colour = coloured ? _store.ReadPixel(reader.Take(bpp)) : foreground;
                    byte xy = reader.ReadByte();
                    byte wh = reader.ReadByte();
                    int sx = xy >> 4;
                    int sy = xy & 15;
                    int sw = (wh >> 4) + 1;
                    int sh = (wh & 15) + 1;
                    if (sx + sw > tw || sy + sh > th)
                    {
                        reader.Fail($"subrectangle {sw}x{sh}+{sx}+{sy} lies outside the {tw}x{th} tile");
                    }

                    _store.Fill(fb, x0 + sx, y0 + sy, sw, sh, colour);
                }
            }
        }

        return reader.Position;
    }

    public void Dispose()
    {
        _zrle.Dispose();
        _tight.Dispose();
    }
}
