namespace Codecs.Spice.Choice;

/// <summary>SPICE <c>SpiceImageType</c>: the <c>type</c> byte of an image descriptor.</summary>
public enum SpiceImageType : byte
{
    /// <summary>Uncompressed bitmap.</summary>
    Bitmap = 0,
    Quic = 1,
    LzPalette = 100,
    LzRgb = 101,
    GlzRgb = 102,
    FromCache = 103,
    Surface = 104,
    Jpeg = 105,
    FromCacheLossless = 106,
    ZlibGlzRgb = 107,
    JpegAlpha = 108,
    Lz4 = 109,
}

/// <summary>
/// SPICE <c>SpiceImageCompression</c>: the server's image compression setting and the value of a client's
/// <c>PREFERRED_COMPRESSION</c> message.
/// </summary>
public enum SpiceImageCompression : byte
{
    /// <summary>Not set; treated as the server default, <see cref="AutoGlz"/>.</summary>
    Invalid = 0,

    /// <summary>Never compress: raw bitmaps.</summary>
    Off = 1,

    /// <summary>QUIC for photographic content, GLZ for the rest (spice-server's default).</summary>
    AutoGlz = 2,

    /// <summary>QUIC for photographic content, LZ for the rest.</summary>
    AutoLz = 3,
    Quic = 4,
    Glz = 5,
    Lz = 6,
    Lz4 = 7,
}

/// <summary>When a lossy or link-dependent option applies (spice-server's <c>jpeg-wan-compression</c> and <c>zlib-glz-wan-compression</c>).</summary>
public enum SpiceWanOption : byte
{
    /// <summary>Only on slow links (spice-server's default).</summary>
    Auto = 0,
    Never = 1,
    Always = 2,
}
