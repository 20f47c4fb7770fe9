using System.Buffers;
using System.Runtime.InteropServices;
using Codecs.Deflate;
using Codecs.Jpeg;
using Codecs.Pixels;

namespace Codecs.Rfb.Encoders;

/// <summary>
/// Tight (encoding 7) for one client connection: fill, mono (1-bit palette rows), palette (≤ 256 colours), basic
/// full colour (copy filter, or the gradient filter when <see cref="EnableGradient"/> is on) and JPEG, over four
/// persistent streams: 0 full colour, 1 mono, 2 indexed, 3 full colour that looks like UI. At compression levels 1–3
/// stream 1 is not zlib but <see cref="RunHuffmanDeflater"/> (literals and byte runs, Huffman-coded per block): it
/// carries palette pieces with long runs and gradient residuals, and mono pieces share stream 2.
/// </summary>
/// <remarks>
/// <para><b>Splitting.</b> A rectangle first loses its large solid areas (TigerVNC's search: a 16×16 solid block,
/// grown block by block and then pixel by pixel, kept when ≥ 2048 pixels), sent as fill; the rest is cut into pieces
/// no wider than 2048 pixels and no larger than 65536 pixels, so every rectangle (fill and JPEG included) passes
/// TigerVNC's width check and the data limits.</para>
/// <para><b>Per piece.</b> One colour → fill; otherwise the colours are counted up to
/// <c>maxColours</c> (TigerVNC: area / (8 · compression level), at least 4 divisor; 24 or 96 when JPEG is on; 2..256) with
/// early exit: 2 → mono, more → palette, too many → full colour. A full-colour piece goes JPEG when lossy is allowed
/// (<see cref="QualityLevel"/> or <see cref="FineQuality"/> set, client 16/32 bpp) and looks like a natural image
/// (more than <see cref="NaturalChangeRatio"/> of its pixels differ from their left neighbour).</para>
/// <para><b>Gradient.</b> With <see cref="EnableGradient"/> on (clients that decode it: TigerVNC, gtk-vnc, libvncclient,
/// noVNC from 1.4; not noVNC 1.3), full-colour pieces that look natural are sent through the gradient filter.
/// At compression levels 1–3 the residuals go to stream 1 (<see cref="RunHuffmanDeflater"/>). On photo and video that is
/// a third fewer bytes than the copy filter with zlib, at several times zlib's speed (docs/benchmarks.md).</para>
/// <para>Filtered data under 12 bytes is sent without zlib and does not touch the stream (TIGHT_MIN_TO_COMPRESS).</para>
/// </remarks>
public sealed class TightEncoder : IRfbEncoder, IDisposable
{
    public const int MaxWidth = 2048;
    public const int MaxArea = 65536;
    public const int MinToCompress = 12;
    public const int SolidBlock = 16;
    public const int SolidMinArea = 2048;

    /// <summary>
    /// Full-colour pieces with at most this fraction of pixels differing from their left neighbour count as UI for the
    /// zlib level (stream 3); stricter than <see cref="NaturalChangeRatio"/> so that mixed photo pieces keep the
    /// better level (on the corpus, 0.5 cost photo-viewer 0.7 % more bytes, 0.35 costs 0.2 %).
    /// </summary>
    public const double UiChangeRatio = 0.35;

    /// <summary>
    /// At compression levels 1–3, stream 1 is coded by <see cref="RunHuffmanDeflater"/> instead of zlib and carries
    /// the gradient residuals and the indices of palette pieces with long runs; mono pieces then share stream 2.
    /// </summary>
    public const int RunHuffmanStream = 1;

    /// <summary>
    /// Palette pieces (3+ colours) whose pixels run this long on average go to <see cref="RunHuffmanStream"/>: flat
    /// shading and large UI areas, where runs and Huffman codes do as well as zlib's matches, at a fraction of the time.
    /// Text (short runs, repeated glyphs) stays with zlib. On the corpus, 8 cut gl-anim's bytes by 9 % and its
    /// encode time by a fifth, and moved terminal, browser and window drag by under 0.5 % (docs/benchmarks.md).
    /// </summary>
    public const int RunHuffmanMinAverageRun = 8;

    /// <summary>TigerVNC's quality level → (JPEG quality, subsampling) table (TightJPEGEncoder.cxx, same in TurboVNC).</summary>
    public static ReadOnlySpan<byte> QualityTable => [15, 29, 41, 42, 62, 77, 79, 86, 92, 100];

    private static readonly JpegSubsampling[] s_subsamplingTable =
    [
        JpegSubsampling.Yuv420, JpegSubsampling.Yuv420, JpegSubsampling.Yuv420,
        JpegSubsampling.Yuv422, JpegSubsampling.Yuv422, JpegSubsampling.Yuv422,
        JpegSubsampling.Yuv444, JpegSubsampling.Yuv444, JpegSubsampling.Yuv444, JpegSubsampling.Yuv444,
    ];

    // zlib level per compression level for (indexed, mono, raw natural, raw UI): TigerVNC's TightEncoder.cxx table
    // (indexed, mono, raw) except at the default level 2, tuned for zlib-ng (the in-box zlib), whose levels 1..3 are
    // quicker and compress less than zlib's: indexed 2 (not 3) and full-colour pieces that do not look natural
    // (UI, anti-aliased text) at 1 on their own stream. Measured on the corpus (docs/benchmarks.md, "RFB codecs"): the
    // output stays below libvncserver's (which uses zlib 1 everywhere at this level) on text/UI content.
    private static readonly (int Indexed, int Mono, int Raw, int RawUi)[] s_zlibLevels =
    [
        (0, 0, 0, 0), (1, 1, 1, 1), (2, 3, 2, 1), (5, 5, 2, 2), (6, 7, 3, 3), (7, 8, 4, 4), (7, 8, 5, 5), (8, 9, 6, 6),
        (9, 9, 7, 7), (9, 9, 9, 9),
    ];

    private readonly PixelConverter _converter;
    private readonly ClientPixelBuffer _pixels;
    private readonly RfbPalette _palette = new();
    private readonly RfbPixelWire _tpixel;
    private readonly RfbZlibDeflater[] _streams = new RfbZlibDeflater[4];
    private uint[]? _piece;
    private readonly bool _png;
    private TurboJpegCompressor? _jpeg;
    private MemoryStream? _pngStream;
    private readonly byte[] _data = new byte[MaxArea * 4 + 1024];
    private byte[]? _filtered;
    private RunHuffmanDeflater? _runCoder;
    private bool _gradient;
    private int[] _channels = new int[3 * (MaxWidth + 1) * 2];
    private int _compressionLevel;
    private readonly int _laneStream;
    private readonly bool _scanCanonical;
    private int _pendingResets;
    private int _rects;

    /// <summary>
    /// TightPNG (encoding −260, noVNC): like Tight, but every rectangle that is neither fill nor JPEG is a PNG
    /// (control 0xA0, 8-bit RGB, a fresh zlib stream per image) instead of basic compression.
    /// </summary>
    public static TightEncoder CreateTightPng(PixelConverter converter, int compressionLevel = 2) =>
        new(converter, compressionLevel, png: true);

    /// <param name="converter">The client's pixel format.</param>
    /// <param name="compressionLevel">The client's compression level 0..9 (TigerVNC's default when none was sent: 2).</param>
    public TightEncoder(PixelConverter converter, int compressionLevel = 2)
        : this(converter, compressionLevel, png: false)
    {
    }

    /// <summary>A lane of <see cref="TightParallelEncoder"/>: every zlib-compressed rectangle uses stream <paramref name="laneStream"/>.</summary>
    internal TightEncoder(PixelConverter converter, int compressionLevel, int laneStream)
        : this(converter, compressionLevel, png: false, laneStream)
    {
    }

    private TightEncoder(PixelConverter converter, int compressionLevel, bool png, int laneStream = -1)
    {
        ArgumentNullException.ThrowIfNull(converter);
        ArgumentOutOfRangeException.ThrowIfNegative(compressionLevel);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(compressionLevel, 9);
        _converter = converter;
        _pixels = new ClientPixelBuffer(converter);
        _tpixel = RfbPixelWire.TPixel(converter);
        _compressionLevel = compressionLevel;
        _png = png;
        _laneStream = laneStream;
        PixelFormat f = converter.TrueColourFormat;
        _scanCanonical = f.BitsPerPixel == 32 && f.RedMax == 255 && f.GreenMax == 255 && f.BlueMax == 255;
        int[] levels = LevelsFor(compressionLevel, gradient: false);
        for (int i = 0; i < 4; i++)
        {
            _streams[i] = new RfbZlibDeflater(levels[i]);
        }
    }

    /// <summary>
    /// zlib level per stream: (raw natural, mono, indexed, raw UI), with stream 1 at the raw level when it carries the
    /// gradient (compression levels 0 and 4–9; at 1–3 it is not zlib); or the raw level everywhere in a lane.
    /// </summary>
    private int[] LevelsFor(int compressionLevel, bool gradient)
    {
        (int indexed, int mono, int raw, int rawUi) = s_zlibLevels[compressionLevel];
        return _laneStream >= 0 ? [raw, raw, raw, raw] : [raw, gradient ? raw : mono, indexed, rawUi];
    }

    /// <summary>Stream 1 is <see cref="RunHuffmanDeflater"/> at compression levels 1–3 (zlib level ≤ 2 for full colour), outside lanes.</summary>
    private bool UsesRunHuffman => _laneStream < 0 && s_zlibLevels[_compressionLevel].Raw is > 0 and <= 2;

    /// <summary>The gradient filter is on and the client's pixels have more than 8 bits (Tight filters only those).</summary>
    private bool GradientActive => _gradient && _converter.BytesPerPixel >= 2;

    /// <summary>Moves the streams to the levels of the current settings; streams that change are reset (announced to the client).</summary>
    private void ApplyLevels()
    {
        int[] levels = LevelsFor(_compressionLevel, GradientActive);
        for (int i = 0; i < 4; i++)
        {
            if (_streams[i].Level != levels[i])
            {
                _streams[i].Reset(levels[i]);
                _pendingResets |= 1 << i;
            }
        }
    }

    public int Encoding => _png ? RfbEncoding.TightPng : RfbEncoding.Tight;

    /// <summary>Bytes per TPIXEL for this client (3 for 888 formats).</summary>
    public int TPixelSize => _tpixel.Size;

    /// <summary>The client's compression level; changing it changes the zlib levels and resets the streams (announced to the client).</summary>
    public int CompressionLevel
    {
        get => _compressionLevel;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 9);
            if (value == _compressionLevel)
            {
                return;
            }

            bool runHuffman = UsesRunHuffman;
            _compressionLevel = value;
            if (runHuffman != UsesRunHuffman)
            {
                _runCoder?.Reset();
                _streams[RunHuffmanStream].Reset();
                _pendingResets |= 1 << RunHuffmanStream;
            }

            ApplyLevels();
        }
    }

    /// <summary>JPEG quality level 0..9 from the client's quality pseudo-encoding; null = lossless only.</summary>
    public int? QualityLevel { get; set; }

    /// <summary>TurboVNC fine quality 1..100 (overrides the level's quality); null = from <see cref="QualityLevel"/>.</summary>
    public int? FineQuality { get; set; }

    /// <summary>TurboVNC subsampling pseudo-encoding (overrides the level's subsampling); null = from the level.</summary>
    public JpegSubsampling? FineSubsampling { get; set; }

    /// <summary>
    /// Use the gradient filter for lossless full-colour pieces that look natural (more than
    /// <see cref="NaturalChangeRatio"/> of their pixels differ from their left neighbour; off by default: noVNC 1.3
    /// rejects it). At compression levels 0 and 4–9, changing it changes stream 1's zlib level, which resets that stream.
    /// </summary>
    public bool EnableGradient
    {
        get => _gradient;
        set
        {
            if (value == _gradient)
            {
                return;
            }

            _gradient = value;
            ApplyLevels();
        }
    }

    /// <summary>Fraction of pixels differing from their left neighbour above which a full-colour piece counts as a natural image.</summary>
    public double NaturalChangeRatio { get; set; } = 0.5;

    /// <summary>Index of gradient-filtered rectangles in <see cref="RectCounts"/>.</summary>
    public const int GradientRectIndex = 4;

    /// <summary>Rectangles sent per type: fill, mono, palette, full colour (copy), gradient, JPEG, PNG.</summary>
    public long[] RectCounts { get; } = new long[7];

    /// <summary>True when JPEG may be used for this client.</summary>
    public bool LossyEnabled => (QualityLevel is not null || FineQuality is not null) && _converter.BytesPerPixel >= 2;

    /// <summary>The JPEG quality and subsampling in effect.</summary>
    public (int Quality, JpegSubsampling Subsampling) JpegSettings
    {
        get
        {
            int level = Math.Clamp(QualityLevel ?? 9, 0, 9);
            int quality = FineQuality ?? QualityTable[level];
            JpegSubsampling subsampling = FineSubsampling ?? s_subsamplingTable[level];
            return (Math.Clamp(quality, 1, 100), subsampling);
        }
    }

    /// <summary>
    /// Applies one pseudo-encoding from the client's SetEncodings: compression level (−256..−247), JPEG quality level
    /// (−32..−23), TurboVNC fine quality (−512..−412) or subsampling (−768 1X, −767 4X, −766 2X, −765 gray; 8X −764 and
    /// 16X −763 are sent as 4:2:0, the strongest subsampling TurboJPEG 2.1 offers). Returns false for anything else.
    /// </summary>
    public bool TryApplyPseudoEncoding(int encoding)
    {
        switch (encoding)
        {
            case >= RfbEncoding.CompressLevel0 and <= RfbEncoding.CompressLevel0 + 9:
                CompressionLevel = encoding - RfbEncoding.CompressLevel0;
                return true;
            case >= RfbEncoding.QualityLevel0 and <= RfbEncoding.QualityLevel0 + 9:
                QualityLevel = encoding - RfbEncoding.QualityLevel0;
                return true;
            case >= RfbEncoding.FineQualityLevel0 and <= RfbEncoding.FineQualityLevel0 + 100:
                FineQuality = Math.Max(1, encoding - RfbEncoding.FineQualityLevel0);
                return true;
            case RfbEncoding.Subsampling1X:
                FineSubsampling = JpegSubsampling.Yuv444;
                return true;
            case RfbEncoding.Subsampling2X:
                FineSubsampling = JpegSubsampling.Yuv422;
                return true;
            case RfbEncoding.SubsamplingGray:
                FineSubsampling = JpegSubsampling.Gray;
                return true;
            case RfbEncoding.Subsampling4X or RfbEncoding.Subsampling8X or RfbEncoding.Subsampling16X:
                FineSubsampling = JpegSubsampling.Yuv420;
                return true;
            default:
                return false;
        }
    }

    /// <summary>Resets all four zlib streams; the next rectangle tells the client to reset its inflaters too.</summary>
    public void ResetStreams()
    {
        for (int i = 0; i < 4; i++)
        {
            _streams[i].Reset();
        }

        _runCoder?.Reset();
        _pendingResets = 0xF;
    }

    public int Encode<TWriter>(ReadOnlyImageView frame, Rect area, TWriter writer)
        where TWriter : IBufferWriter<byte>
    {
        ArgumentNullException.ThrowIfNull(writer);
        _rects = 0;
        if (area.IsEmpty)
        {
            return 0;
        }

        ReadOnlyImageView view = frame.Slice(area);
        ScanPixels scan = _scanCanonical && view.Stride % 4 == 0
            ? new ScanPixels(MemoryMarshal.Cast<byte, uint>(view.Data), view.Stride / 4, CanonicalColourBits, canonical: true)
            : new ScanPixels(_pixels.Load(view), area.Width, uint.MaxValue, canonical: false);
        EncodeRegion(view, scan, area, new Rect(0, 0, area.Width, area.Height), writer, depth: 0, searchSolid: true);
        return _rects;
    }

    /// <summary>The colour bits of a canonical pixel read as a native <see cref="uint"/> (bytes B, G, R, unused).</summary>
    private static uint CanonicalColourBits => BitConverter.IsLittleEndian ? 0x00FF_FFFFu : 0xFFFF_FF00u;

    /// <summary>
    /// The pixels the content analysis reads (row <c>y</c> starts at <c>y · Stride</c>; two pixels are the same colour
    /// when they are equal in the bits of <c>Mask</c>). When the client format keeps all 24 colour bits (32 bpp, 8-bit
    /// channels: the noVNC and TigerVNC defaults) canonical pixels compare exactly as client values once the unused byte
    /// is masked off, so the analysis reads the framebuffer itself and only the pieces sent as palette or full colour
    /// are converted, into a piece-sized buffer that stays in cache. Formats that merge colours (16 and 8 bpp) are
    /// converted whole first and analysed as client values.
    /// </summary>
    private readonly ref struct ScanPixels
    {
        public ScanPixels(ReadOnlySpan<uint> values, int stride, uint mask, bool canonical)
        {
            Values = values;
            Stride = stride;
            Mask = mask;
            Canonical = canonical;
        }

        public ReadOnlySpan<uint> Values { get; }

        public int Stride { get; }

        public uint Mask { get; }

        /// <summary>True when <see cref="Values"/> are canonical pixels rather than client values.</summary>
        public bool Canonical { get; }

        public uint At(int x, int y) => Values[y * Stride + x];

        public bool IsSolid(int x, int y, int width, int height, uint value) =>
            RfbPixelScan.IsSolid(Values, Stride, x, y, width, height, value, Mask);
    }

    /// <summary>The client value of a pixel read from <paramref name="scan"/>.</summary>
    private uint ClientValue(scoped in ScanPixels scan, uint pixel) => scan.Canonical ? _pixels.ValueOf(pixel) : pixel;

    // searchSolid is false for the band above a solid area just found: the search scans block rows top down over the
    // same width, so every block of that band has been tried already.
    private void EncodeRegion<TWriter>(ReadOnlyImageView view, scoped in ScanPixels scan, Rect area, Rect r, TWriter writer, int depth, bool searchSolid)
        where TWriter : IBufferWriter<byte>
    {
        if (r.IsEmpty)
        {
            return;
        }

        if (searchSolid && depth < 16 && r.Area >= 2 * SolidMinArea && FindSolid(scan, r, out Rect solid, out uint pixel))
        {
            uint colour = ClientValue(scan, pixel);
            for (int x = solid.X; x < solid.Right; x += MaxWidth)
            {
                WriteFill(new Rect(area.X + x, area.Y + solid.Y, Math.Min(MaxWidth, solid.Right - x), solid.Height), colour, writer);
            }

            EncodeRegion(view, scan, area, Rect.FromEdges(r.X, r.Y, r.Right, solid.Y), writer, depth + 1, searchSolid: false);
            EncodeRegion(view, scan, area, Rect.FromEdges(r.X, solid.Y, solid.X, solid.Bottom), writer, depth + 1, searchSolid: true);
            EncodeRegion(view, scan, area, Rect.FromEdges(solid.Right, solid.Y, r.Right, solid.Bottom), writer, depth + 1, searchSolid: true);
            EncodeRegion(view, scan, area, Rect.FromEdges(r.X, solid.Bottom, r.Right, r.Bottom), writer, depth + 1, searchSolid: true);
            return;
        }

        int pieceWidth = Math.Min(MaxWidth, r.Width);
        int pieceHeight = Math.Max(1, MaxArea / pieceWidth);
        for (int y = r.Y; y < r.Bottom; y += pieceHeight)
        {
            int h = Math.Min(pieceHeight, r.Bottom - y);
            for (int x = r.X; x < r.Right; x += pieceWidth)
            {
                int w = Math.Min(pieceWidth, r.Right - x);
                EncodePiece(view, scan, area, new Rect(x, y, w, h), writer);
            }
        }
    }

    /// <summary>TigerVNC's solid-area search (EncodeManager::findSolidRect), simplified: first solid 16×16 block, grown.</summary>
    private static bool FindSolid(scoped in ScanPixels scan, Rect r, out Rect solid, out uint colour)
    {
        for (int by = r.Y; by + SolidBlock <= r.Bottom; by += SolidBlock)
        {
            for (int bx = r.X; bx + SolidBlock <= r.Right; bx += SolidBlock)
            {
                colour = scan.At(bx, by);
                if (!scan.IsSolid(bx, by, SolidBlock, SolidBlock, colour))
                {
                    continue;
                }

                // Grow right by blocks, then down by block rows.
                int right = bx + SolidBlock;
                while (right + SolidBlock <= r.Right && scan.IsSolid(right, by, SolidBlock, SolidBlock, colour))
                {
                    right += SolidBlock;
                }

                int bottom = by + SolidBlock;
                while (bottom + SolidBlock <= r.Bottom && scan.IsSolid(bx, bottom, right - bx, SolidBlock, colour))
                {
                    bottom += SolidBlock;
                }

                // Then pixel by pixel in every direction.
                int left = bx;
                int top = by;
                while (top > r.Y && scan.IsSolid(left, top - 1, right - left, 1, colour))
                {
                    top--;
                }

                while (bottom < r.Bottom && scan.IsSolid(left, bottom, right - left, 1, colour))
                {
                    bottom++;
                }

                while (left > r.X && scan.IsSolid(left - 1, top, 1, bottom - top, colour))
                {
                    left--;
                }

                while (right < r.Right && scan.IsSolid(right, top, 1, bottom - top, colour))
                {
                    right++;
                }

                solid = Rect.FromEdges(left, top, right, bottom);
                if (solid.Area >= SolidMinArea || solid == r)
                {
                    return true;
                }

                // Too small: skip past it in this block row.
                bx = Math.Max(bx, right - SolidBlock);
            }
        }

        solid = default;
        colour = 0;
        return false;
    }

    private void EncodePiece<TWriter>(ReadOnlyImageView view, scoped in ScanPixels scan, Rect area, Rect r, TWriter writer)
        where TWriter : IBufferWriter<byte>
    {
        Rect absolute = r.Offset(area.X, area.Y);
        uint first = scan.At(r.X, r.Y);
        if (scan.IsSolid(r.X, r.Y, r.Width, r.Height, first))
        {
            WriteFill(absolute, ClientValue(scan, first), writer);
            return;
        }

        int n = r.Width * r.Height;
        ReadOnlySpan<uint> piece;
        if (scan.Canonical)
        {
            piece = _pixels.Load(view.Slice(r));
        }
        else if (r.Width == area.Width)
        {
            // Full-width rows are already contiguous.
            piece = scan.Values.Slice(r.Y * area.Width, n);
        }
        else
        {
            _piece ??= new uint[MaxArea];
            Span<uint> copy = _piece.AsSpan(0, n);
            for (int y = 0; y < r.Height; y++)
            {
                scan.Values.Slice((r.Y + y) * area.Width + r.X, r.Width).CopyTo(copy.Slice(y * r.Width, r.Width));
            }

            piece = copy;
        }

        bool lossy = LossyEnabled;
        if (_png)
        {
            if (lossy && n >= 64 && RfbPixelScan.CountChanges(piece) > NaturalChangeRatio * n)
            {
                WriteJpeg(view.Slice(r), absolute, writer);
            }
            else
            {
                WritePng(absolute, piece, writer);
            }

            return;
        }

        int maxColours;
        if (lossy)
        {
            maxColours = _compressionLevel < 2 ? 24 : 96;
        }
        else
        {
            maxColours = n / Math.Max(4, _compressionLevel * 8);
        }

        maxColours = Math.Clamp(maxColours, 2, 256);
        if (_palette.BuildIndexed(piece, maxColours, _data.AsSpan(0, n + RfbPalette.IndexSlack)))
        {
            WritePalette(absolute, piece, writer);
            return;
        }

        if (lossy && n >= 64 && RfbPixelScan.CountChanges(piece) > NaturalChangeRatio * n)
        {
            WriteJpeg(view.Slice(r), absolute, writer);
            return;
        }

        WriteFullColour(absolute, piece, writer);
    }

    private void WritePng<TWriter>(Rect absolute, ReadOnlySpan<uint> piece, TWriter writer)
        where TWriter : IBufferWriter<byte>
    {
        Span<byte> rgb = _data.AsSpan(0, piece.Length * 3);
        for (int i = 0; i < piece.Length; i++)
        {
            _converter.FromPixelValue(piece[i], out rgb[3 * i], out rgb[3 * i + 1], out rgb[3 * i + 2]);
        }

        _pngStream ??= new MemoryStream();
        RfbPng.Write(_pngStream, rgb, absolute.Width, absolute.Height, s_zlibLevels[_compressionLevel].Raw);
        ReadOnlySpan<byte> png = _pngStream.GetBuffer().AsSpan(0, (int)_pngStream.Length);
        RfbRectHeader.Write(writer, absolute, Encoding);
        Span<byte> span = writer.GetSpan(4 + png.Length);
        span[0] = (byte)(0xA0 | TakeResets());
        int o = 1 + WriteCompactLength(span[1..], png.Length);
        png.CopyTo(span[o..]);
        writer.Advance(o + png.Length);
        RectCounts[6]++;
        _rects++;
    }

    private int TakeResets()
    {
        int resets = _pendingResets & (_laneStream >= 0 ? 1 << _laneStream : 0xF);
        _pendingResets = 0;
        return resets;
    }

    private void WriteFill<TWriter>(Rect absolute, uint colour, TWriter writer)
        where TWriter : IBufferWriter<byte>
    {
        RfbRectHeader.Write(writer, absolute, Encoding);
        Span<byte> span = writer.GetSpan(1 + _tpixel.Size);
        span[0] = (byte)(0x80 | TakeResets());
        _tpixel.Write(colour, span[1..]);
        writer.Advance(1 + _tpixel.Size);
        RectCounts[0]++;
        _rects++;
    }

    private void WriteJpeg<TWriter>(ReadOnlyImageView source, Rect absolute, TWriter writer)
        where TWriter : IBufferWriter<byte>
    {
        _jpeg ??= new TurboJpegCompressor();
        (int quality, JpegSubsampling subsampling) = JpegSettings;
        ReadOnlySpan<byte> jpeg = _jpeg.Compress(source, quality, subsampling);
        RfbRectHeader.Write(writer, absolute, Encoding);
        Span<byte> span = writer.GetSpan(4 + jpeg.Length);
        span[0] = (byte)(0x90 | TakeResets());
        int o = 1 + WriteCompactLength(span[1..], jpeg.Length);
        jpeg.CopyTo(span[o..]);
        writer.Advance(o + jpeg.Length);
        RectCounts[5]++;
        _rects++;
    }

    private void WritePalette<TWriter>(Rect absolute, ReadOnlySpan<uint> piece, TWriter writer)
        where TWriter : IBufferWriter<byte>
    {
        int w = absolute.Width;
        int h = absolute.Height;
        int count = _palette.Count;
        int length;
        // Entries in order of first appearance; for mono the more common colour is entry 0 (bit 0), as TigerVNC.
        Span<uint> colours = stackalloc uint[count];
        _palette.Colours.CopyTo(colours);
        if (count == 2)
        {
            // 1 bit per pixel, MSB first, rows padded to a byte.
            if (_palette.Counts[1] > _palette.Counts[0])
            {
                (colours[0], colours[1]) = (colours[1], colours[0]);
            }

            uint background = colours[0];
            int rowBytes = (w + 7) / 8;
            length = rowBytes * h;
            Span<byte> data = _data.AsSpan(0, length);
            data.Clear();
            for (int y = 0; y < h; y++)
            {
                RfbPixelScan.PackMonoRow(piece.Slice(y * w, w), background, data.Slice(y * rowBytes, rowBytes));
            }

            RectCounts[1]++;
        }
        else
        {
            // The indices were written by BuildIndexed.
            length = w * h;
            RectCounts[2]++;
        }

        int stream = _laneStream >= 0 ? _laneStream
            : !UsesRunHuffman ? (count == 2 ? 1 : 2)
            : count > 2 && piece.Length >= RunHuffmanMinAverageRun * (RfbPixelScan.CountChanges(piece) + 1) ? RunHuffmanStream : 2;
        int headerSize = 1 + 1 + 1 + count * _tpixel.Size;
        Span<byte> head = stackalloc byte[3 + 256 * 4];
        head[0] = (byte)((stream << 4) | 0x40 | TakeResets());
        head[1] = 1; // palette filter
        head[2] = (byte)(count - 1);
        for (int i = 0; i < count; i++)
        {
            _tpixel.Write(colours[i], head[(3 + i * _tpixel.Size)..]);
        }

        WriteBasic(absolute, head[..headerSize], stream, length, writer);
    }

    private void WriteFullColour<TWriter>(Rect absolute, ReadOnlySpan<uint> piece, TWriter writer)
        where TWriter : IBufferWriter<byte>
    {
        int c = _tpixel.Size;
        int length = piece.Length * c;

        // UI content with many colours (fewer than UiChangeRatio of the pixels differ from their left neighbour)
        // compresses well at a quicker level on stream 3; anything that may be natural (photo, video) keeps stream 0
        // and its level, and what looks natural goes through the gradient filter when it is on.
        int changes = RfbPixelScan.CountChanges(piece);
        bool ui = _laneStream < 0 && changes <= UiChangeRatio * piece.Length;
        bool gradient = GradientActive && changes > NaturalChangeRatio * piece.Length;
        Span<byte> data = _data.AsSpan(0, length);
        if (gradient)
        {
            GradientFilter(piece, absolute.Width, absolute.Height, data);
        }
        else
        {
            _tpixel.WriteMany(piece, data);
        }

        Span<byte> head = stackalloc byte[2];
        int stream = _laneStream >= 0 ? _laneStream : gradient ? RunHuffmanStream : ui ? 3 : 0;
        head[0] = (byte)((stream << 4) | (gradient ? 0x40 : 0) | TakeResets());
        head[1] = 2; // gradient filter id
        RectCounts[gradient ? GradientRectIndex : 3]++;
        WriteBasic(absolute, head[..(gradient ? 2 : 1)], stream, length, writer);
    }

    /// <summary>
    /// Tight's gradient filter: per channel <c>D = V − clamp(V[left] + V[up] − V[up-left], 0, max)</c> modulo max + 1,
    /// pixels outside the rectangle counting as 0; the differences are packed back into a pixel value and sent as TPIXEL.
    /// </summary>
    private void GradientFilter(ReadOnlySpan<uint> piece, int w, int h, Span<byte> output)
    {
        PixelFormat f = _converter.TrueColourFormat;
        if (_tpixel.Size == 3)
        {
            // 888 TPIXEL: every byte is one 8-bit channel, so the filter runs on the bytes.
            _filtered ??= new byte[MaxArea * 3];
            Span<byte> bytes = _filtered.AsSpan(0, piece.Length * 3);
            _tpixel.WriteMany(piece, bytes);
            TightGradient.Filter(bytes, w * 3, h, 3, output);
            return;
        }

        Span<int> max = [f.RedMax, f.GreenMax, f.BlueMax];
        Span<int> shift = [f.RedShift, f.GreenShift, f.BlueShift];
        int rowInts = 3 * (w + 1);
        if (_channels.Length < 2 * rowInts)
        {
            _channels = new int[2 * rowInts];
        }

        Span<int> previous = _channels.AsSpan(0, rowInts);
        Span<int> current = _channels.AsSpan(rowInts, rowInts);
        previous.Clear();
        int c = _tpixel.Size;
        int o = 0;
        for (int y = 0; y < h; y++)
        {
            current[..3].Clear();
            for (int x = 0; x < w; x++)
            {
                uint v = piece[y * w + x];
                uint diff = 0;
                for (int k = 0; k < 3; k++)
                {
                    int value = (int)(v >> shift[k]) & max[k];
                    int predicted = Math.Clamp(current[3 * x + k] + previous[3 * (x + 1) + k] - previous[3 * x + k], 0, max[k]);
                    current[3 * (x + 1) + k] = value;
                    diff |= (uint)((value - predicted) & max[k]) << shift[k];
                }

                _tpixel.Write(diff, output[o..]);
                o += c;
            }

            Span<int> swap = previous;
            previous = current;
            current = swap;
        }
    }

    private void WriteBasic<TWriter>(Rect absolute, ReadOnlySpan<byte> head, int stream, int length, TWriter writer)
        where TWriter : IBufferWriter<byte>
    {
        RfbRectHeader.Write(writer, absolute, Encoding);
        ReadOnlySpan<byte> data = _data.AsSpan(0, length);
        if (length < MinToCompress)
        {
            Span<byte> span = writer.GetSpan(head.Length + length);
            head.CopyTo(span);
            data.CopyTo(span[head.Length..]);
            writer.Advance(head.Length + length);
        }
        else
        {
            ReadOnlySpan<byte> compressed = stream == RunHuffmanStream && UsesRunHuffman
                ? (_runCoder ??= new RunHuffmanDeflater(runDistance: 1)).Compress(data)
                : _streams[stream].Compress(data);
            Span<byte> span = writer.GetSpan(head.Length + 3 + compressed.Length);
            head.CopyTo(span);
            int o = head.Length + WriteCompactLength(span[head.Length..], compressed.Length);
            compressed.CopyTo(span[o..]);
            writer.Advance(o + compressed.Length);
        }

        _rects++;
    }

    /// <summary>Tight's compact length: 7 bits per byte, least significant first, bit 7 = more; the third byte has 8 bits.</summary>
    public static int WriteCompactLength(Span<byte> destination, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, 0x3FFFFF);
        if (length < 0x80)
        {
            destination[0] = (byte)length;
            return 1;
        }

        destination[0] = (byte)(length | 0x80);
        if (length < 0x4000)
        {
            destination[1] = (byte)(length >> 7);
            return 2;
        }

        destination[1] = (byte)((length >> 7) | 0x80);
        destination[2] = (byte)(length >> 14);
        return 3;
    }

    public void Dispose()
    {
        foreach (RfbZlibDeflater stream in _streams)
        {
            stream.Dispose();
        }

        _jpeg?.Dispose();
        _pngStream?.Dispose();
    }
}
