using System.Buffers;
using Codecs.Pixels;

namespace Codecs.Rfb.Encoders;

/// <summary>
/// Hextile (encoding 5): 16×16 tiles, left to right, top to bottom. Per tile one subencoding byte
/// (Raw 1, BackgroundSpecified 2, ForegroundSpecified 4, AnySubrects 8, SubrectsColoured 16) and its data.
/// </summary>
/// <remarks>
/// Per tile: one colour → background only (nothing at all when it equals the previous tile's background); two colours
/// → background = the more common one, foreground + monochrome subrects; more → coloured subrects. A tile whose
/// encoding would not be smaller than its raw pixels is sent raw, after which background and foreground are sent again.
/// </remarks>
public sealed class HextileEncoder : IRfbEncoder
{
    public const int TileSize = 16;
    public const byte RawFlag = 1;
    public const byte BackgroundSpecified = 2;
    public const byte ForegroundSpecified = 4;
    public const byte AnySubrects = 8;
    public const byte SubrectsColoured = 16;

    private readonly ClientPixelBuffer _pixels;
    private readonly RfbPalette _palette = new();
    private readonly SubrectFinder _finder = new();
    private readonly RfbPixelWire _wire;
    private readonly uint[] _tile = new uint[TileSize * TileSize];

    public HextileEncoder(PixelConverter converter)
    {
        ArgumentNullException.ThrowIfNull(converter);
        _pixels = new ClientPixelBuffer(converter);
        _wire = RfbPixelWire.Pixel(converter);
    }

    public int Encoding => RfbEncoding.Hextile;

    public int Encode<TWriter>(ReadOnlyImageView frame, Rect area, TWriter writer)
        where TWriter : IBufferWriter<byte>
    {
        ArgumentNullException.ThrowIfNull(writer);
        RfbRectHeader.Write(writer, area, RfbEncoding.Hextile);
        Span<uint> values = _pixels.Load(frame.Slice(area));
        int bpp = _wire.Size;
        bool haveBackground = false;
        bool haveForeground = false;
        uint background = 0;
        uint foreground = 0;
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

                int rawSize = 1 + tw * th * bpp;
                Span<byte> span = writer.GetSpan(rawSize + 2 * bpp);
                int written = -1;
                if (RfbPixelScan.IndexOfDifferent(tile, tile[0]) < 0)
                {
                    if (haveBackground && background == tile[0])
                    {
                        span[0] = 0;
                        written = 1;
                    }
                    else
                    {
                        span[0] = BackgroundSpecified;
                        _wire.Write(tile[0], span[1..]);
                        written = 1 + bpp;
                        background = tile[0];
                        haveBackground = true;
                    }
                }
                else
                {
                    // Each colour but the background needs a subrect of its own, so more colours than
                    // (raw size / smallest coloured subrect) + 1 cannot beat the raw tile: stop counting there.
                    int colourLimit = Math.Clamp((rawSize - 2) / (2 + bpp) + 1, 2, 256);
                    if (!_palette.Build(tile, colourLimit, out _))
                    {
                        goto Raw;
                    }

                    _palette.SortByFrequency();
                    uint bg = _palette.Colours[0];
                    bool mono = _palette.Count == 2;
                    int head = 2 + (haveBackground && bg == background ? 0 : bpp);
                    if (mono && !(haveForeground && foreground == _palette.Colours[1]))
                    {
                        head += bpp;
                    }

                    int perSubrect = mono ? 2 : 2 + bpp;
                    int maxSubrects = Math.Min(255, (rawSize - head) / perSubrect);
                    if (maxSubrects > 0 && _finder.Find(tile, tw, tw, th, bg, maxSubrects))
                    {
                        byte flags = AnySubrects;
                        int o = 1;
                        if (!(haveBackground && bg == background))
                        {
                            flags |= BackgroundSpecified;
                            _wire.Write(bg, span[o..]);
                            o += bpp;
                            background = bg;
                            haveBackground = true;
                        }

                        if (mono)
                        {
                            uint fg = _palette.Colours[1];
                            if (!(haveForeground && foreground == fg))
                            {
                                flags |= ForegroundSpecified;
                                _wire.Write(fg, span[o..]);
                                o += bpp;
                                foreground = fg;
                                haveForeground = true;
                            }
                        }
                        else
                        {
                            flags |= SubrectsColoured;
                            // Clients disagree on the foreground after a coloured tile (libvncclient and gtk-vnc keep
                            // the last subrect's colour), so the next mono tile always specifies its own.
                            haveForeground = false;
                        }

                        span[0] = flags;
                        span[o++] = (byte)_finder.Count;
                        for (int i = 0; i < _finder.Count; i++)
                        {
                            (int x, int y, int w, int h, uint c) = _finder[i];
                            if (!mono)
                            {
                                _wire.Write(c, span[o..]);
                                o += bpp;
                            }

                            span[o++] = (byte)((x << 4) | y);
                            span[o++] = (byte)(((w - 1) << 4) | (h - 1));
                        }

                        written = o;
                    }
                }

            Raw:
                if (written < 0)
                {
                    span[0] = RawFlag;
                    written = 1 + _wire.WriteMany(tile, span[1..]);
                    haveBackground = false;
                    haveForeground = false;
                }

                writer.Advance(written);
            }
        }

        return 1;
    }
}
