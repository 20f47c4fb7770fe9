using System.Buffers.Binary;
using System.Numerics;

namespace Codecs.Pixels;

/// <summary>
/// A pixel layout in the terms of RFB's PIXEL_FORMAT: bits per pixel, depth, byte order and, for true colour,
/// each channel's maximum value and bit shift inside the pixel value.
/// </summary>
/// <remarks>
/// The library's canonical layout is <see cref="Bgrx32"/>: 32 bits per pixel, little-endian, red in bits 16..23,
/// green in 8..15, blue in 0..7, so the bytes in memory are B, G, R, X — what QXL, X11 and QEMU use.
/// </remarks>
public readonly record struct PixelFormat(
    byte BitsPerPixel,
    byte Depth,
    bool BigEndian,
    bool TrueColour,
    ushort RedMax,
    ushort GreenMax,
    ushort BlueMax,
    byte RedShift,
    byte GreenShift,
    byte BlueShift)
{
    /// <summary>Size of PIXEL_FORMAT on the RFB wire (3 padding bytes included).</summary>
    public const int WireSize = 16;

    /// <summary>The canonical layout: bytes B, G, R, X in memory.</summary>
    public static PixelFormat Bgrx32 { get; } = new(32, 24, false, true, 255, 255, 255, 16, 8, 0);

    /// <summary>Bytes R, G, B, X in memory (what noVNC and libvncclient ask for on little-endian hosts).</summary>
    public static PixelFormat Rgbx32 { get; } = new(32, 24, false, true, 255, 255, 255, 0, 8, 16);

    /// <summary>16 bpp 5-6-5, little-endian.</summary>
    public static PixelFormat Rgb565 { get; } = new(16, 16, false, true, 31, 63, 31, 11, 5, 0);

    /// <summary>16 bpp 5-5-5, little-endian.</summary>
    public static PixelFormat Rgb555 { get; } = new(16, 15, false, true, 31, 31, 31, 10, 5, 0);

    /// <summary>8 bpp 3-3-2 (libvncclient's 8-bit format: red 0..7 at shift 0, green at 3, blue 0..3 at 6).</summary>
    public static PixelFormat Bgr233 { get; } = new(8, 8, false, true, 7, 7, 3, 0, 3, 6);

    public int BytesPerPixel => BitsPerPixel / 8;

    public bool IsCanonical => this == Bgrx32;

    /// <summary>Reads a 16-byte RFB PIXEL_FORMAT (padding ignored). Call <see cref="Validate"/> before use.</summary>
    public static PixelFormat ReadWire(ReadOnlySpan<byte> source)
    {
        if (source.Length < WireSize)
        {
            CodecDataException.Throw("pixel-format", source.Length, "PIXEL_FORMAT needs 16 bytes");
        }

        return new PixelFormat(
            source[0],
            source[1],
            source[2] != 0,
            source[3] != 0,
            BinaryPrimitives.ReadUInt16BigEndian(source[4..]),
            BinaryPrimitives.ReadUInt16BigEndian(source[6..]),
            BinaryPrimitives.ReadUInt16BigEndian(source[8..]),
            source[10],
            source[11],
            source[12]);
    }

    /// <summary>Writes the 16-byte RFB PIXEL_FORMAT, padding zeroed.</summary>
    public void WriteWire(Span<byte> destination)
    {
        destination = destination[..WireSize];
        destination[0] = BitsPerPixel;
        destination[1] = Depth;
        destination[2] = BigEndian ? (byte)1 : (byte)0;
        destination[3] = TrueColour ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], RedMax);
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], GreenMax);
        BinaryPrimitives.WriteUInt16BigEndian(destination[8..], BlueMax);
        destination[10] = RedShift;
        destination[11] = GreenShift;
        destination[12] = BlueShift;
        destination[13..16].Clear();
    }

    /// <summary>
    /// Checks that a format is one a server can produce: 8, 16 or 32 bpp, depth not above bpp, and for true colour
    /// every max of the form 2^n − 1 with n ≤ 8, fitting inside the pixel at its shift, channels not overlapping.
    /// </summary>
    public bool TryValidate(out string? reason)
    {
        reason = null;
        if (BitsPerPixel is not (8 or 16 or 32))
        {
            reason = $"bits per pixel {BitsPerPixel} is not 8, 16 or 32";
        }
        else if (Depth == 0 || Depth > BitsPerPixel)
        {
            reason = $"depth {Depth} does not fit {BitsPerPixel} bits per pixel";
        }
        else if (TrueColour)
        {
            ulong used = 0;
            reason = CheckChannel("red", RedMax, RedShift, BitsPerPixel, ref used)
                ?? CheckChannel("green", GreenMax, GreenShift, BitsPerPixel, ref used)
                ?? CheckChannel("blue", BlueMax, BlueShift, BitsPerPixel, ref used);
        }

        return reason is null;
    }

    private static string? CheckChannel(string name, ushort max, byte shift, int bitsPerPixel, ref ulong used)
    {
        if (max == 0 || max > 255 || (max & (max + 1)) != 0)
        {
            return $"{name} max {max} is not 2^n-1 with 1 <= n <= 8";
        }

        int bits = BitOperations.PopCount(max);
        if (shift + bits > bitsPerPixel)
        {
            return $"{name} channel (shift {shift}, {bits} bits) does not fit {bitsPerPixel} bits";
        }

        ulong mask = (ulong)max << shift;
        if ((used & mask) != 0)
        {
            return $"{name} channel overlaps another channel";
        }

        used |= mask;
        return null;
    }

    /// <summary>Throws <see cref="CodecDataException"/> unless <see cref="TryValidate"/> accepts the format.</summary>
    public void Validate()
    {
        if (!TryValidate(out string? reason))
        {
            CodecDataException.Throw("pixel-format", 0, reason!);
        }
    }

    public override string ToString() =>
        TrueColour
            ? $"{BitsPerPixel}bpp depth {Depth} {(BigEndian ? "BE" : "LE")} r{RedMax}<<{RedShift} g{GreenMax}<<{GreenShift} b{BlueMax}<<{BlueShift}"
            : $"{BitsPerPixel}bpp depth {Depth} {(BigEndian ? "BE" : "LE")} colour-mapped";
}
