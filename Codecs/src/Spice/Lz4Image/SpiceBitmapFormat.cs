namespace Codecs.Spice.Lz4Image;

/// <summary>The RGB <c>SpiceBitmapFmt</c> values the LZ4 image type carries in its format byte.</summary>
public enum SpiceBitmapFormat : byte
{
    /// <summary>16-bit x555.</summary>
    Rgb16 = 6,

    /// <summary>3-byte B,G,R.</summary>
    Rgb24 = 7,

    /// <summary>4-byte B,G,R,X.</summary>
    Rgb32 = 8,

    /// <summary>4-byte B,G,R,A.</summary>
    Rgba = 9,
}
