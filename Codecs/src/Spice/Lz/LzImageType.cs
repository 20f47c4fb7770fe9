namespace Codecs.Spice.Lz;

/// <summary>LZ/GLZ image types as carried in the stream header (spice-common <c>LzImageType</c>).</summary>
public enum LzImageType
{
    /// <summary>Not a valid type.</summary>
    Invalid = 0,

    /// <summary>1-bit palette indexes, least significant bit = leftmost pixel.</summary>
    Plt1Le = 1,

    /// <summary>1-bit palette indexes, most significant bit = leftmost pixel.</summary>
    Plt1Be = 2,

    /// <summary>4-bit palette indexes, low nibble = leftmost pixel.</summary>
    Plt4Le = 3,

    /// <summary>4-bit palette indexes, high nibble = leftmost pixel.</summary>
    Plt4Be = 4,

    /// <summary>8-bit palette indexes.</summary>
    Plt8 = 5,

    /// <summary>16-bit x555 pixels (little-endian in memory, big-endian as literals).</summary>
    Rgb16 = 6,

    /// <summary>3-byte B,G,R pixels.</summary>
    Rgb24 = 7,

    /// <summary>4-byte B,G,R,X pixels; X is not coded and decodes as 0.</summary>
    Rgb32 = 8,

    /// <summary>4-byte B,G,R,A pixels: an RGB32 pass followed by an alpha pass.</summary>
    Rgba = 9,

    /// <summary>Alpha only (byte 3 of 4-byte pixels); used by JPEG_ALPHA.</summary>
    Xxxa = 10,

    /// <summary>1-byte alpha surfaces.</summary>
    A8 = 11,
}

/// <summary>Per-type facts of the LZ format.</summary>
public static class LzImageTypes
{
    /// <summary>True for the palette types (PLT1/4/8), whose units are bytes of packed indexes.</summary>
    public static bool IsPalette(LzImageType type) => type is >= LzImageType.Plt1Le and <= LzImageType.Plt8;

    /// <summary>Bytes per pixel in memory (1 for palette types, whose unit is a byte).</summary>
    public static int BytesPerPixel(LzImageType type) => type switch
    {
        >= LzImageType.Plt1Le and <= LzImageType.Plt8 => 1,
        LzImageType.Rgb16 => 2,
        LzImageType.Rgb24 => 3,
        LzImageType.Rgb32 or LzImageType.Rgba or LzImageType.Xxxa => 4,
        LzImageType.A8 => 1,
        _ => 0,
    };

    /// <summary>Pixels per byte of the palette types; 0 for the others.</summary>
    public static int PixelsPerByte(LzImageType type) => type switch
    {
        LzImageType.Plt1Le or LzImageType.Plt1Be => 8,
        LzImageType.Plt4Le or LzImageType.Plt4Be => 2,
        LzImageType.Plt8 => 1,
        _ => 0,
    };

    /// <summary>The tight stride (bytes per row) of a type: width × bpp, or ceil(width / pixels-per-byte) for palettes.</summary>
    public static int TightStride(LzImageType type, int width) =>
        IsPalette(type) ? (width + PixelsPerByte(type) - 1) / PixelsPerByte(type) : width * BytesPerPixel(type);

    /// <summary>
    /// Length bias of a match: the shortest match the format can express, in units (pixels, or bytes for palettes
    /// and alpha).
    /// </summary>
    internal static int LengthBias(LzImageType type) => type switch
    {
        LzImageType.Rgb24 or LzImageType.Rgb32 or LzImageType.Rgba => 1,
        LzImageType.Rgb16 => 2,
        _ => 3,
    };
}
