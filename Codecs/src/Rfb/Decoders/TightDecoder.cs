using Codecs.Jpeg;
using Codecs.Pixels;

namespace Codecs.Rfb.Decoders;

/// <summary>
/// Tight and TightPNG decoding (rfbproto §Tight) with the connection's four persistent inflaters: control byte (reset
/// bits 0..3, type in bits 4..7), fill, JPEG, PNG (TightPNG only) and basic compression with the copy, palette and
/// gradient filters.
/// </summary>
internal sealed class TightDecoder : IDisposable
{
    private const int MaxWidth = 2048;
    private const int MinToCompress = 12;

    private readonly ClientPixelStore _store;
    private readonly ZlibInflater[] _inflaters = [new(), new(), new(), new()];
    private readonly uint[] _palette = new uint[256];
    private readonly PixelConverter _converter;
    private readonly PngDecoder _png = new();
    private TurboJpegDecompressor? _jpeg;
    private byte[] _data = new byte[1 << 16];
    private byte[] _canonical = [];

    public TightDecoder(ClientPixelStore store)
    {
        _store = store;
        _converter = PixelConverter.Create(store.Format);
    }

    public int Decode(ReadOnlySpan<byte> payload, Rect area, ImageView fb, bool png)
    {
        string format = png ? "tightpng" : "tight";
        var reader = new RfbReader(payload, format, RfbEncoding.RectHeaderSize);
        byte control = reader.ReadByte();
        for (int i = 0; i < 4; i++)
        {
            if ((control & (1 << i)) != 0)
            {
                _inflaters[i].Reset();
            }
        }

        int type = control >> 4;
        switch (type)
        {
            case 8:
                _store.Fill(fb, area.X, area.Y, area.Width, area.Height, _store.ReadTPixel(reader.Take(_store.TPixelSize)));
                return reader.Position;
            case 9:
                DecodeJpeg(ref reader, area, fb);
                return reader.Position;
            case 10 when png:
                DecodePng(ref reader, area, fb);
                return reader.Position;
            case > 7:
                CodecDataException.Throw(format, RfbEncoding.RectHeaderSize, $"invalid Tight compression control 0x{control:X2}");
                return 0;
        }

        if (png)
        {
            reader.Fail("basic compression is not allowed in TightPNG");
        }

        if (area.Width > MaxWidth)
        {
            reader.Fail($"basic rectangle {area.Width} pixels wide exceeds {MaxWidth}");
        }

        int stream = (control >> 4) & 3;
        int filter = 0;
        if ((control & 0x40) != 0)
        {
            filter = reader.ReadByte();
        }

        int w = area.Width;
        int h = area.Height;
        int paletteSize = 0;
        int dataSize;
        switch (filter)
        {
            case 0:
                dataSize = w * h * _store.TPixelSize;
                break;
            case 1:
                paletteSize = reader.ReadByte() + 1;
                for (int i = 0; i < paletteSize; i++)
                {
                    _palette[i] = _store.ReadTPixel(reader.Take(_store.TPixelSize));
                }

                dataSize = paletteSize <= 2 ? (w + 7) / 8 * h : w * h;
                break;
            case 2:
                if (_store.BytesPerPixel == 1)
                {
                    reader.Fail("the gradient filter needs 16 or 32 bits per pixel");
                }

                dataSize = w * h * _store.TPixelSize;
                break;
            default:
                reader.Fail($"invalid Tight filter {filter}");
                return 0;
        }

        ReadOnlySpan<byte> data;
        if (dataSize < MinToCompress)
        {
            data = reader.Take(dataSize);
        }
        else
        {
            int length = ReadCompactLength(ref reader);
            long offset = reader.Offset;
            ReadOnlySpan<byte> compressed = reader.Take(length);
            if (_data.Length < dataSize)
            {
                _data = new byte[Math.Max(dataSize, _data.Length * 2)];
            }

            int produced = _inflaters[stream].Inflate(compressed, _data.AsSpan(0, dataSize), format, offset, out bool overflow);
            if (produced != dataSize || overflow)
            {
                CodecDataException.Throw(format, offset, $"zlib data gives {(overflow ? "more than " : "")}{produced} bytes, {dataSize} expected");
            }

            data = _data.AsSpan(0, dataSize);
        }

        var d = new RfbReader(data, format + "(inflated)");
        int bpp = _store.BytesPerPixel;
        int tp = _store.TPixelSize;
        switch (filter)
        {
            case 0:
                for (int y = 0; y < h; y++)
                {
                    Span<byte> row = fb.Row(area.Y + y).Slice(area.X * bpp, w * bpp);
                    ReadOnlySpan<byte> src = d.Take(w * tp);
                    for (int x = 0; x < w; x++)
                    {
                        _store.Store(_store.ReadTPixel(src[(x * tp)..]), row[(x * bpp)..]);
                    }
                }

                break;
            case 1:
                for (int y = 0; y < h; y++)
                {
                    Span<byte> row = fb.Row(area.Y + y).Slice(area.X * bpp, w * bpp);
                    if (paletteSize <= 2)
                    {
                        ReadOnlySpan<byte> bits = d.Take((w + 7) / 8);
                        for (int x = 0; x < w; x++)
                        {
                            int index = (bits[x >> 3] >> (7 - (x & 7))) & 1;
                            if (index >= paletteSize)
                            {
                                d.Fail($"palette index {index} out of range for a {paletteSize}-colour palette");
                            }

                            _store.Store(_palette[index], row[(x * bpp)..]);
                        }
                    }
                    else
                    {
                        ReadOnlySpan<byte> indices = d.Take(w);
                        for (int x = 0; x < w; x++)
                        {
                            int index = indices[x];
                            if (index >= paletteSize)
                            {
                                d.Fail($"palette index {index} out of range for a {paletteSize}-colour palette");
                            }

                            _store.Store(_palette[index], row[(x * bpp)..]);
                        }
                    }
                }

                break;
            default:
                DecodeGradient(ref d, area, fb);
                break;
        }

        return reader.Position;
    }

    private void DecodeGradient(ref RfbReader d, Rect area, ImageView fb)
    {
        PixelFormat f = _store.Format;
        int[] max = [f.RedMax, f.GreenMax, f.BlueMax];
        int[] shift = [f.RedShift, f.GreenShift, f.BlueShift];
        int w = area.Width;
        int bpp = _store.BytesPerPixel;
        int tp = _store.TPixelSize;
        int[] previous = new int[3 * (w + 1)];
        int[] current = new int[3 * (w + 1)];
        for (int y = 0; y < area.Height; y++)
        {
            Array.Clear(current, 0, 3);
            ReadOnlySpan<byte> src = d.Take(w * tp);
            Span<byte> row = fb.Row(area.Y + y).Slice(area.X * bpp, w * bpp);
            for (int x = 0; x < w; x++)
            {
                uint diff = _store.ReadTPixel(src[(x * tp)..]);
                uint v = 0;
                for (int k = 0; k < 3; k++)
                {
                    int left = current[3 * x + k];
                    int up = previous[3 * (x + 1) + k];
                    int upLeft = previous[3 * x + k];
                    int predicted = Math.Clamp(left + up - upLeft, 0, max[k]);
                    int value = (predicted + (int)(diff >> shift[k])) & max[k];
                    current[3 * (x + 1) + k] = value;
                    v |= (uint)value << shift[k];
                }

                _store.Store(v, row[(x * bpp)..]);
            }

            (previous, current) = (current, previous);
        }
    }

    private void DecodeJpeg(ref RfbReader reader, Rect area, ImageView fb)
    {
        if (_store.BytesPerPixel == 1)
        {
            reader.Fail("JPEG needs a 16 or 32 bpp client format");
        }

        int length = ReadCompactLength(ref reader);
        long offset = reader.Offset;
        ReadOnlySpan<byte> jpeg = reader.Take(length);
        if (area.IsEmpty)
        {
            return;
        }

        int bytes = area.Width * area.Height * 4;
        if (_canonical.Length < bytes)
        {
            _canonical = new byte[bytes];
        }

        var canonical = new ImageView(_canonical.AsSpan(0, bytes), area.Width, area.Height, area.Width * 4, PixelFormat.Bgrx32);
        _jpeg ??= new TurboJpegDecompressor();
        _jpeg.Decompress(jpeg, canonical, offset);
        int bpp = _store.BytesPerPixel;
        for (int y = 0; y < area.Height; y++)
        {
            _converter.FromCanonical(canonical.Row(y), fb.Row(area.Y + y).Slice(area.X * bpp, area.Width * bpp));
        }
    }

    private void DecodePng(ref RfbReader reader, Rect area, ImageView fb)
    {
        int length = ReadCompactLength(ref reader);
        long offset = reader.Offset;
        ReadOnlySpan<byte> png = reader.Take(length);
        int bytes = area.Width * area.Height * 3;
        if (_canonical.Length < bytes)
        {
            _canonical = new byte[bytes];
        }

        Span<byte> rgb = _canonical.AsSpan(0, bytes);
        _png.Decode(png, area.Width, area.Height, rgb, offset);
        int bpp = _store.BytesPerPixel;
        for (int y = 0; y < area.Height; y++)
        {
            Span<byte> row = fb.Row(area.Y + y).Slice(area.X * bpp, area.Width * bpp);
            ReadOnlySpan<byte> src = rgb.Slice(y * area.Width * 3, area.Width * 3);
            for (int x = 0; x < area.Width; x++)
            {
                _store.Store(_converter.ToPixelValue(src[3 * x], src[3 * x + 1], src[3 * x + 2]), row[(x * bpp)..]);
            }
        }
    }

    private static int ReadCompactLength(ref RfbReader reader)
    {
        int b = reader.ReadByte();
        int length = b & 0x7F;
        if ((b & 0x80) != 0)
        {
            b = reader.ReadByte();
            length |= (b & 0x7F) << 7;
            if ((b & 0x80) != 0)
            {
                length |= reader.ReadByte() << 14;
            }
        }

        if (length > reader.Remaining)
        {
            reader.Fail($"compact length {length} exceeds the {reader.Remaining} bytes left");
        }

        return length;
    }

    public void Dispose()
    {
        foreach (ZlibInflater inflater in _inflaters)
        {
            inflater.Dispose();
        }

        _jpeg?.Dispose();
    }
}
