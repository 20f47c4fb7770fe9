using System.Buffers;
using System.Buffers.Binary;
using Codecs.Pixels;

namespace Codecs.Rfb;

/// <summary>The 12-byte header before each rectangle of a FramebufferUpdate.</summary>
public readonly record struct RfbRectHeader(Rect Area, int Encoding)
{
    /// <summary>Writes <c>U16 x, y, w, h, S32 encoding</c> (big-endian).</summary>
    public static void Write(Span<byte> destination, Rect area, int encoding)
    {
        if (destination.Length < RfbEncoding.RectHeaderSize || (uint)area.X > ushort.MaxValue || (uint)area.Y > ushort.MaxValue ||
            (uint)area.Width > ushort.MaxValue || (uint)area.Height > ushort.MaxValue)
        {
            throw new ArgumentException($"Rectangle {area} does not fit an RFB header (or the destination is too short).");
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)area.X);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)area.Y);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], (ushort)area.Width);
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], (ushort)area.Height);
        BinaryPrimitives.WriteInt32BigEndian(destination[8..], encoding);
    }

    /// <summary>Writes the header to <paramref name="writer"/>.</summary>
    public static void Write<TWriter>(TWriter writer, Rect area, int encoding)
        where TWriter : IBufferWriter<byte>
    {
        Write(writer.GetSpan(RfbEncoding.RectHeaderSize), area, encoding);
        writer.Advance(RfbEncoding.RectHeaderSize);
    }

    /// <summary>Reads a header; throws <see cref="CodecDataException"/> when fewer than 12 bytes are given.</summary>
    public static RfbRectHeader Read(ReadOnlySpan<byte> source, long offset = 0)
    {
        if (source.Length < RfbEncoding.RectHeaderSize)
        {
            CodecDataException.Throw("rfb", offset + source.Length, "truncated rectangle header");
        }

        return new RfbRectHeader(
            new Rect(
                BinaryPrimitives.ReadUInt16BigEndian(source),
                BinaryPrimitives.ReadUInt16BigEndian(source[2..]),
                BinaryPrimitives.ReadUInt16BigEndian(source[4..]),
                BinaryPrimitives.ReadUInt16BigEndian(source[6..])),
            BinaryPrimitives.ReadInt32BigEndian(source[8..]));
    }
}
