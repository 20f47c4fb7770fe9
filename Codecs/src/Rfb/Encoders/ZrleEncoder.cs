using System.Buffers;
using System.Buffers.Binary;
using Codecs.Pixels;

namespace Codecs.Rfb.Encoders;

/// <summary>
/// ZRLE (encoding 16): <c>U32 length</c> + zlib data from the connection's one persistent stream (sync-flushed per
/// rectangle). The data is 64×64 tiles, each with a subencoding byte: 0 raw CPIXELs, 1 solid, 2..16 packed palette,
/// 128 plain RLE, 130..255 palette RLE.
/// </summary>
/// <remarks>
/// Each tile is scanned once, counting runs and building a palette of up to 127 colours (giving up early beyond
/// that); the subencoding is the one with the fewest bytes before zlib (libvncserver/QEMU's rule: raw <c>w·h·c</c>,
/// plain RLE <c>Σ(c + run bytes)</c>, palette RLE <c>n·c + Σ(1 or 1 + run bytes)</c>, packed <c>n·c + h·rowBytes</c>).
/// </remarks>
public sealed class ZrleEncoder : IRfbEncoder, IDisposable
{
    public const int TileSize = 64;
    private const int MaxPaletteRle = 127;

    private readonly ClientPixelBuffer _pixels;
    private readonly RfbPalette _palette = new();
    private readonly RfbPixelWire _wire;
    private readonly RfbZlibDeflater _deflater;
    private readonly uint[] _tile = new uint[TileSize * TileSize];

    // The current tile's runs (start, length and palette index), found once by pass 1 and replayed by the RLE writers,
    // and its palette indices per pixel for the packed-palette writer.
    private readonly int[] _runStarts = new int[TileSize * TileSize];
    private readonly int[] _runLengths = new int[TileSize * TileSize];
    private readonly byte[] _runIndices = new byte[TileSize * TileSize];
    private readonly byte[] _indices = new byte[TileSize * TileSize];
    private byte[] _data = new byte[1 << 16];
    private int _length;

    /// <param name="converter">The client's pixel format.</param>
    /// <param name="zlibLevel">zlib level 0..9 (TigerVNC and QEMU use the zlib default, 6).</param>
    public ZrleEncoder(PixelConverter converter, int zlibLevel = 6)
    {
        ArgumentNullException.ThrowIfNull(converter);
        _pixels = new ClientPixelBuffer(converter);
        _wire = RfbPixelWire.CPixel(converter);
        _deflater = new RfbZlibDeflater(zlibLevel);
    }

    public int Encoding => RfbEncoding.Zrle;

    /// <summary>Bytes per CPIXEL for this client (1..4).</summary>
    public int CPixelSize => _wire.Size;

    public int ZlibLevel => _deflater.Level;

    /// <summary>Tiles sent per subencoding: raw, solid, packed palette, plain RLE, palette RLE.</summary>
    public long[] TileCounts { get; } = new long[5];

    /// <summary>
    /// Starts a new zlib stream (for a new connection's first rectangle: ZRLE has no reset on the wire, so the client's
    /// inflater must be new as well). Optionally changes the level.
    /// </summary>
    public void Reset(int? zlibLevel = null) => _deflater.Reset(zlibLevel);

    public int Encode<TWriter>(ReadOnlyImageView frame, Rect area, TWriter writer)
        where TWriter : IBufferWriter<byte>
    {
        ArgumentNullException.ThrowIfNull(writer);
        Span<uint> values = _pixels.Load(frame.Slice(area));
        _length = 0;
        for (int ty = 0; ty < area.Height; ty += TileSize)
        {
            int th = Math.Min(TileSize, area.Height - ty);
            for (int tx = 0; tx < area.Width; tx += TileSize)
            {
                int tw = Math.Min(TileSize, area.Width - tx);
                Span<uint> tile = _tile.AsSpan(0, tw * th);
                for (int y = 0; y < th; y++)
                {
                    values.Slice((ty + y) * area.Width + tx, tw).CopyTo(tile.Slice(y * tw, tw));
                }

                EncodeTile(tile, tw, th);
            }
        }

        ReadOnlySpan<byte> compressed = _deflater.Compress(_data.AsSpan(0, _length));
        RfbRectHeader.Write(writer, area, RfbEncoding.Zrle);
        Span<byte> span = writer.GetSpan(4 + compressed.Length);
        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)compressed.Length);
        compressed.CopyTo(span[4..]);
        writer.Advance(4 + compressed.Length);
        return 1;
    }

    private Span<byte> Reserve(int bytes)
    {
        if (_data.Length - _length < bytes)
        {
            Array.Resize(ref _data, Math.Max(_data.Length * 2, _length + bytes));
        }

        return _data.AsSpan(_length, bytes);
    }

    private void EncodeTile(ReadOnlySpan<uint> tile, int w, int h)
    {
        int c = _wire.Size;
        // Pass 1: runs, plain-RLE cost, palette (up to 127 colours) and palette-RLE cost.
        _palette.Clear();
        bool paletteOk = true;
        int plainRle = 0;
        int paletteRle = 0;
        int i = 0;
        int n = tile.Length;
        int runs = 0;
        while (i < n)
        {
            uint v = tile[i];
            int j = RfbPixelScan.RunEnd(tile, i);
            int run = j - i;
            _runStarts[runs] = i;
            _runLengths[runs] = run;
            runs++;
            int runBytes = (run - 1) / 255 + 1;
            plainRle += c + runBytes;
            paletteRle += run == 1 ? 1 : 1 + runBytes;
            if (paletteOk)
            {
                int index = _palette.AddIndex(v, run, MaxPaletteRle);
                paletteOk = index >= 0;
                _runIndices[runs - 1] = (byte)index;
            }

            i = j;
        }

        int size = paletteOk ? _palette.Count : 0;
        if (size == 1)
        {
            Span<byte> s = Reserve(1 + c);
            s[0] = 1;
            _wire.Write(tile[0], s[1..]);
            _length += 1 + c;
            TileCounts[1]++;
            return;
        }

        int raw = n * c;
        int best = raw;
        int kind = 0;
        if (plainRle < best)
        {
            best = plainRle;
            kind = 3;
        }

        if (paletteOk)
        {
            if (size * c + paletteRle < best)
            {
                best = size * c + paletteRle;
                kind = 4;
            }

            if (size <= 16)
            {
                int bits = size <= 2 ? 1 : size <= 4 ? 2 : 4;
                int packed = size * c + h * ((w * bits + 7) / 8);
                if (packed <= best)
                {
                    best = packed;
                    kind = 2;
                }
            }
        }

        TileCounts[kind]++;
        Span<byte> o = Reserve(1 + best);
        int p = 1;
        switch (kind)
        {
            case 0:
                o[0] = 0;
                p += _wire.WriteMany(tile, o[p..]);

                break;
            case 2:
                {
                    o[0] = (byte)size;
                    p = WritePalette(o, p, c);
                    int bits = size <= 2 ? 1 : size <= 4 ? 2 : 4;

                    // One palette look-up per run, then the rows are packed from the indices.
                    Span<byte> indices = _indices.AsSpan(0, n);
                    for (int r = 0; r < runs; r++)
                    {
                        indices.Slice(_runStarts[r], _runLengths[r]).Fill(_runIndices[r]);
                    }

                    for (int y = 0; y < h; y++)
                    {
                        int acc = 0;
                        int filled = 0;
                        foreach (byte index in indices.Slice(y * w, w))
                        {
                            acc = (acc << bits) | index;
                            filled += bits;
                            if (filled == 8)
                            {
                                o[p++] = (byte)acc;
                                acc = 0;
                                filled = 0;
                            }
                        }

                        if (filled != 0)
                        {
                            o[p++] = (byte)(acc << (8 - filled));
                        }
                    }

                    break;
                }

            case 3:
            case 4:
                {
                    bool indexed = kind == 4;
                    o[0] = indexed ? (byte)(128 | size) : (byte)128;
                    if (indexed)
                    {
                        p = WritePalette(o, p, c);
                    }

                    for (int r = 0; r < runs; r++)
                    {
                        uint v = tile[_runStarts[r]];
                        int run = _runLengths[r];
                        if (indexed)
                        {
                            int index = _runIndices[r];
                            if (run == 1)
                            {
                                o[p++] = (byte)index;
                                continue;
                            }

                            o[p++] = (byte)(index | 128);
                        }
                        else
                        {
                            _wire.Write(v, o[p..]);
                            p += c;
                        }

                        int rest = run - 1;
                        while (rest >= 255)
                        {
                            o[p++] = 255;
                            rest -= 255;
                        }

                        o[p++] = (byte)rest;
                    }

                    break;
                }
        }

        _length += p;
    }

    private int WritePalette(Span<byte> o, int p, int c)
    {
        foreach (uint colour in _palette.Colours)
        {
            _wire.Write(colour, o[p..]);
            p += c;
        }

        return p;
    }

    public void Dispose() => _deflater.Dispose();
}
