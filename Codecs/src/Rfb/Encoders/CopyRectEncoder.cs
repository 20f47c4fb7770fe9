using System.Buffers;
using System.Buffers.Binary;
using Codecs.Pixels;

namespace Codecs.Rfb.Encoders;

/// <summary>CopyRect (encoding 1): the client copies a rectangle of its own framebuffer; the payload is <c>U16 srcX, srcY</c>.</summary>
public static class CopyRectEncoder
{
    public const int PayloadSize = 4;

    /// <summary>Writes one CopyRect rectangle: <paramref name="destination"/> receives the pixels at (<paramref name="sourceX"/>, <paramref name="sourceY"/>).</summary>
    public static void Write<TWriter>(TWriter writer, Rect destination, int sourceX, int sourceY)
        where TWriter : IBufferWriter<byte>
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)sourceX, (uint)ushort.MaxValue, nameof(sourceX));
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)sourceY, (uint)ushort.MaxValue, nameof(sourceY));
        RfbRectHeader.Write(writer, destination, RfbEncoding.CopyRect);
        Span<byte> span = writer.GetSpan(PayloadSize);
        BinaryPrimitives.WriteUInt16BigEndian(span, (ushort)sourceX);
        BinaryPrimitives.WriteUInt16BigEndian(span[2..], (ushort)sourceY);
        writer.Advance(PayloadSize);
    }
}
