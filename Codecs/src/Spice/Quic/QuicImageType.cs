namespace Codecs.Spice.Quic;

/// <summary>QUIC image types as carried in the stream header (spice-common <c>QuicImageType</c>).</summary>
public enum QuicImageType
{
    /// <summary>Not a valid type.</summary>
    Invalid = 0,

    /// <summary>One 8-bit channel. Decoded here, but spice-gtk rejects it and no encoder emits it.</summary>
    Gray = 1,

    /// <summary>16-bit x555 pixels (little-endian u16: r bits 10–14, g 5–9, b 0–4), 5 bits per channel.</summary>
    Rgb16 = 2,

    /// <summary>3-byte B,G,R pixels.</summary>
    Rgb24 = 3,

    /// <summary>4-byte B,G,R,X pixels; X is not coded and decodes as 0.</summary>
    Rgb32 = 4,

    /// <summary>4-byte B,G,R,A pixels; A is coded as a fourth channel after each row's RGB.</summary>
    Rgba = 5,
}
