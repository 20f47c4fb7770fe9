using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace Codecs.Spice.Lz;

/// <summary>The header of an LZ stream.</summary>
public readonly record struct LzHeader(LzImageType Type, int Width, int Height, int Stride, bool TopDown)
{
    /// <summary>
    /// Bytes <see cref="LzDecoder.Decode"/> writes: width × height × bpp (4 for RGB32, RGBA and XXXA), or
    /// stride × height palette bytes.
    /// </summary>
    public long DecodedLength => LzImageTypes.IsPalette(Type) ? (long)Stride * Height : (long)Width * Height * LzImageTypes.BytesPerPixel(Type);
}

/// <summary>
/// spice-common LZ decoder. Output is tight rows in stream (memory) order, in the type's own layout: RGB32 with pad
/// 0, RGBA, XXXA (only byte 3 set), RGB24, RGB16 little-endian, A8 bytes, or the packed palette bytes of PLT types
/// (palette expansion is the caller's, with the palette from the image descriptor). Throws only
/// <see cref="CodecDataException"/> on bad input, including trailing bytes.
/// </summary>
public static class LzDecoder
{
    /// <summary>Format name carried by <see cref="CodecDataException.Format"/>.</summary>
    public const string FormatName = "spice-lz";

    /// <summary>Parses and validates the 28-byte big-endian header (the reference's <c>lz_set_sizes</c> checks).</summary>
    public static LzHeader ReadHeader(ReadOnlySpan<byte> source)
    {
        if (source.Length < LzFormat.HeaderLength)
        {
            Fail(source.Length, "truncated header");
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(source) != LzFormat.Magic)
        {
            Fail(0, "bad magic");
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(source[4..]) != LzFormat.Version)
        {
            Fail(4, "unsupported version");
        }

        uint type = BinaryPrimitives.ReadUInt32BigEndian(source[8..]);
        if (type is 0 or > (uint)LzImageType.A8)
        {
            Fail(8, "bad image type");
        }

        uint width = BinaryPrimitives.ReadUInt32BigEndian(source[12..]);
        uint height = BinaryPrimitives.ReadUInt32BigEndian(source[16..]);
        uint stride = BinaryPrimitives.ReadUInt32BigEndian(source[20..]);
        uint topDown = BinaryPrimitives.ReadUInt32BigEndian(source[24..]);
        if (width == 0 || height == 0 || width > int.MaxValue || height > int.MaxValue || stride > int.MaxValue)
        {
            Fail(12, "bad image size");
        }

        var t = (LzImageType)type;
        if (LzImageTypes.IsPalette(t))
        {
            uint ppb = (uint)LzImageTypes.PixelsPerByte(t);
            uint full = width / ppb;
            if (stride < LzImageTypes.TightStride(t, (int)width) || (stride > full && (width % ppb == 0 || stride - full > 1)))
            {
                Fail(20, "bad palette stride");
            }
        }
        else if (stride != (ulong)width * (uint)LzImageTypes.BytesPerPixel(t))
        {
            Fail(20, "stride is not width × bytes per pixel");
        }

        if ((ulong)stride * height > LzFormat.MaxImageBytes)
        {
            Fail(20, "image too large");
        }

        if (topDown > 1)
        {
            Fail(24, "bad top_down flag");
        }

        return new LzHeader(t, (int)width, (int)height, (int)stride, topDown == 1);
    }

    /// <summary>Decodes a whole LZ stream into <paramref name="destination"/> (at least <see cref="LzHeader.DecodedLength"/> bytes).</summary>
    public static LzHeader Decode(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        LzHeader header = ReadHeader(source);
        if (destination.Length < header.DecodedLength)
        {
            throw new ArgumentException("Destination smaller than the decoded image.", nameof(destination));
        }

        int pos = LzFormat.HeaderLength;
        int pixels = header.Width * header.Height;
        switch (header.Type)
        {
            case LzImageType.Rgb32:
            case LzImageType.Rgba:
                Span<byte> out32 = destination[..(pixels * 4)];
                DecodePass(source, ref pos, out32, pixels, unitSize: 4, literalSize: 3, lengthBias: 1, alphaOnly: false);
                if (header.Type == LzImageType.Rgba)
                {
                    DecodePass(source, ref pos, out32, pixels, unitSize: 4, literalSize: 1, lengthBias: 3, alphaOnly: true);
                }

                break;
            case LzImageType.Xxxa:
                Span<byte> outA = destination[..(pixels * 4)];
                outA.Clear();
                DecodePass(source, ref pos, outA, pixels, unitSize: 4, literalSize: 1, lengthBias: 3, alphaOnly: true);
                break;
            case LzImageType.Rgb24:
                DecodePass(source, ref pos, destination[..(pixels * 3)], pixels, unitSize: 3, literalSize: 3, lengthBias: 1, alphaOnly: false);
                break;
            case LzImageType.Rgb16:
                DecodePass(source, ref pos, destination[..(pixels * 2)], pixels, unitSize: 2, literalSize: 2, lengthBias: 2, alphaOnly: false);
                break;
            default:
                int units = LzImageTypes.IsPalette(header.Type) ? header.Stride * header.Height : pixels;
                DecodePass(source, ref pos, destination[..units], units, unitSize: 1, literalSize: 1, lengthBias: 3, alphaOnly: false);
                break;
        }

        if (pos != source.Length)
        {
            Fail(pos, "trailing bytes after the image");
        }

        return header;
    }

    private static void DecodePass(ReadOnlySpan<byte> src, ref int pos, Span<byte> dst, int units, int unitSize, int literalSize, int lengthBias, bool alphaOnly)
    {
        int op = 0;
        while (op < units)
        {
            int tokenAt = pos;
            int ctrl = ReadByte(src, ref pos);
            if (ctrl < LzFormat.MaxCopy)
            {
                int count = ctrl + 1;
                if (count > units - op)
                {
                    Fail(tokenAt, "literal run past the end of the image");
                }

                if (src.Length - pos < count * literalSize)
                {
                    Fail(src.Length, "truncated literal run");
                }

                for (int k = 0; k < count; k++, op++)
                {
                    Span<byte> px = dst.Slice(op * unitSize, unitSize);
                    if (alphaOnly)
                    {
                        px[3] = src[pos++];
                    }
                    else if (unitSize == 2)
                    {
                        px[1] = src[pos];
                        px[0] = src[pos + 1];
                        pos += 2;
                    }
                    else if (unitSize == 1)
                    {
                        px[0] = src[pos++];
                    }
                    else
                    {
                        px[0] = src[pos];
                        px[1] = src[pos + 1];
                        px[2] = src[pos + 2];
                        if (unitSize == 4)
                        {
                            px[3] = 0;
                        }

                        pos += 3;
                    }
                }

                continue;
            }

            long length = (ctrl >> 5) - 1;
            int distance = (ctrl & 31) << 8;
            if (length == 6)
            {
                int b;
                do
                {
                    b = ReadByte(src, ref pos);
                    length += b;
                    if (length > units)
                    {
                        Fail(pos, "match length past the end of the image");
                    }
                }
                while (b == 255);
            }

            int low = ReadByte(src, ref pos);
            distance += low;
            if (low == 255 && distance - low == 31 << 8)
            {
                distance = (ReadByte(src, ref pos) << 8) | ReadByte(src, ref pos);
                distance += LzFormat.MaxNearDistance;
            }

            length += lengthBias;
            distance += 1;
            if (distance > op)
            {
                Fail(tokenAt, "match distance before the start of the image");
            }

            if (length > units - op)
            {
                Fail(tokenAt, "match past the end of the image");
            }

            int from = (op - distance) * unitSize;
            int to = op * unitSize;
            int count2 = (int)length;
            if (alphaOnly)
            {
                for (int k = 0; k < count2; k++)
                {
                    dst[to + (k * 4) + 3] = dst[from + (k * 4) + 3];
                }
            }
            else if (distance * unitSize >= count2 * unitSize)
            {
                dst.Slice(from, count2 * unitSize).CopyTo(dst.Slice(to));
            }
            else
            {
                // Overlapping copy (runs): byte by byte forward reproduces the repetition.
                for (int k = 0; k < count2 * unitSize; k++)
                {
                    dst[to + k] = dst[from + k];
                }
            }

            op += count2;
        }
    }

    private static int ReadByte(ReadOnlySpan<byte> src, ref int pos)
    {
        if (pos >= src.Length)
        {
            Fail(src.Length, "truncated data");
        }

        return src[pos++];
    }

    [DoesNotReturn]
    private static void Fail(long offset, string message) => CodecDataException.Throw(FormatName, offset, message);
}
