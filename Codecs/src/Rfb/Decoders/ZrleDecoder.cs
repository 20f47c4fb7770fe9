using Codecs.Pixels;

namespace Codecs.Rfb.Decoders;

/// <summary>ZRLE decoding (rfbproto §ZRLE) with the connection's persistent inflater.</summary>
internal sealed class ZrleDecoder : IDisposable
{
    private readonly ClientPixelStore _store;
    private readonly ZlibInflater _inflater = new();
    private readonly uint[] _palette = new uint[128];
    private byte[] _buffer = new byte[1 << 16];

    public ZrleDecoder(ClientPixelStore store)
    {
        _store = store;
    }

    public void Reset() => _inflater.Reset();

    public int Decode(ReadOnlySpan<byte> payload, Rect area, ImageView fb)
    {
        var reader = new RfbReader(payload, "zrle", RfbEncoding.RectHeaderSize);
        uint length = reader.ReadUInt32();
        if (length > (uint)reader.Remaining)
        {
            reader.Fail($"zlib length {length} exceeds the {reader.Remaining} bytes left");
        }

        long dataOffset = reader.Offset;
        ReadOnlySpan<byte> compressed = reader.Take((int)length);
        int cp = _store.CPixelSize;
        long tiles = (long)((area.Width + 63) / 64) * ((area.Height + 63) / 64);
        // Largest valid tile stream: every tile with a 127-colour palette header, then 1 + CPIXEL per pixel (plain RLE of 1-runs).
        long bound = tiles * (1 + 127 * cp) + (long)area.Width * area.Height * (cp + 1);
        if (bound > int.MaxValue / 2)
        {
            reader.Fail("rectangle too large");
        }

        if (_buffer.Length < bound)
        {
            _buffer = new byte[Math.Max(bound, _buffer.Length * 2)];
        }

        int produced = _inflater.Inflate(compressed, _buffer.AsSpan(0, (int)bound), "zrle", dataOffset, out bool overflow);
        if (overflow)
        {
            CodecDataException.Throw("zrle", dataOffset, "zlib data inflates to more than any valid rectangle of this size");
        }

        var data = new RfbReader(_buffer.AsSpan(0, produced), "zrle(inflated)");
        for (int ty = 0; ty < area.Height; ty += 64)
        {
            int th = Math.Min(64, area.Height - ty);
            for (int tx = 0; tx < area.Width; tx += 64)
            {
                int tw = Math.Min(64, area.Width - tx);
                DecodeTile(ref data, fb, area.X + tx, area.Y + ty, tw, th);
            }
        }

        if (data.Remaining != 0)
        {
            data.Fail($"{data.Remaining} bytes of tile data left over after the last tile");
        }

        return reader.Position;
    }

    private void DecodeTile(ref RfbReader data, ImageView fb, int x0, int y0, int w, int h)
    {
        int cp = _store.CPixelSize;
        int bpp = _store.BytesPerPixel;
        byte sub = data.ReadByte();
        if (sub == 0)
        {
            for (int y = 0; y < h; y++)
            {
                Span<byte> row = fb.Row(y0 + y).Slice(x0 * bpp, w * bpp);
                ReadOnlySpan<byte> src = data.Take(w * cp);
                for (int x = 0; x < w; x++)
                {
                    _store.Store(_store.ReadCPixel(src[(x * cp)..]), row[(x * bpp)..]);
                }
            }

            return;
        }

        if (sub == 1)
        {
            _store.Fill(fb, x0, y0, w, h, _store.ReadCPixel(data.Take(cp)));
            return;
        }

        if (sub is (>= 17 and <= 127) or 129)
        {
            data.Fail($"invalid ZRLE subencoding {sub}");
        }

        int size = sub & 127;
        for (int i = 0; i < size; i++)
        {
            _palette[i] = _store.ReadCPixel(data.Take(cp));
        }

        if (sub <= 16)
        {
            int bits = size == 2 ? 1 : size <= 4 ? 2 : 4;
            int rowBytes = (w * bits + 7) / 8;
            int mask = (1 << bits) - 1;
            for (int y = 0; y < h; y++)
            {
                ReadOnlySpan<byte> src = data.Take(rowBytes);
                Span<byte> row = fb.Row(y0 + y).Slice(x0 * bpp, w * bpp);
                for (int x = 0; x < w; x++)
                {
                    int bit = x * bits;
                    int index = (src[bit >> 3] >> (8 - bits - (bit & 7))) & mask;
                    if (index >= size)
                    {
                        data.Fail($"palette index {index} out of range for a {size}-colour palette");
                    }

                    _store.Store(_palette[index], row[(x * bpp)..]);
                }
            }

            return;
        }

        // RLE: runs may cross row ends inside the tile.
        int total = w * h;
        int pos = 0;
        while (pos < total)
        {
            uint value;
            int run = 1;
            if (size == 0)
            {
                value = _store.ReadCPixel(data.Take(cp));
                run = ReadRunLength(ref data);
            }
            else
            {
                int index = data.ReadByte();
                bool isRun = (index & 128) != 0;
                index &= 127;
                if (index >= size)
                {
                    data.Fail($"palette index {index} out of range for a {size}-colour palette");
                }

                value = _palette[index];
                if (isRun)
                {
                    run = ReadRunLength(ref data);
                }
            }

            if (run > total - pos)
            {
                data.Fail($"run of {run} pixels overflows the {w}x{h} tile");
            }

            while (run > 0)
            {
                int y = pos / w;
                int x = pos % w;
                int n = Math.Min(run, w - x);
                _store.Fill(fb, x0 + x, y0 + y, n, 1, value);
                pos += n;
                run -= n;
            }
        }
    }

    private static int ReadRunLength(ref RfbReader data)
    {
        int length = 1;
        byte b;
        do
        {
            b = data.ReadByte();
            length += b;
            if (length > 64 * 64)
            {
                data.Fail("run length exceeds a tile");
            }
        }
        while (b == 255);
        return length;
    }

    public void Dispose() => _inflater.Dispose();
}
