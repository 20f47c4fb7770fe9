using System.Buffers.Binary;

namespace Codecs.Spice.Jpeg;

/// <summary>
/// The fields in front of a JPEG_ALPHA image's data (spice.proto <c>JPEGAlphaData</c>, little-endian):
/// <c>u8 flags</c> (bit 0 = TOP_DOWN, the row order of the alpha LZ stream), <c>u32 jpeg_size</c>,
/// <c>u32 data_size</c> (JPEG bytes + alpha LZ bytes).
/// </summary>
public readonly record struct SpiceJpegAlphaHeader(bool TopDown, int JpegLength, int DataLength)
{
    /// <summary>Bytes of the header on the wire.</summary>
    public const int Length = 9;

    /// <summary>The flag bit <c>SPICE_JPEG_ALPHA_FLAGS_TOP_DOWN</c>.</summary>
    public const byte TopDownFlag = 1;

    /// <summary>Writes the 9 header bytes.</summary>
    public void Write(Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, Length, nameof(destination));
        destination[0] = TopDown ? TopDownFlag : (byte)0;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[1..], (uint)JpegLength);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[5..], (uint)DataLength);
    }

    /// <summary>Reads and checks the header (<c>jpeg_size</c> ≤ <c>data_size</c>, no unknown flags).</summary>
    public static SpiceJpegAlphaHeader Read(ReadOnlySpan<byte> source)
    {
        if (source.Length < Length)
        {
            CodecDataException.Throw(SpiceJpegDecoder.AlphaFormatName, source.Length, "truncated JPEG_ALPHA header");
        }

        if ((source[0] & ~TopDownFlag) != 0)
        {
            CodecDataException.Throw(SpiceJpegDecoder.AlphaFormatName, 0, "unknown JPEG_ALPHA flags");
        }

        uint jpeg = BinaryPrimitives.ReadUInt32LittleEndian(source[1..]);
        uint data = BinaryPrimitives.ReadUInt32LittleEndian(source[5..]);
        if (data > int.MaxValue || jpeg > data)
        {
            CodecDataException.Throw(SpiceJpegDecoder.AlphaFormatName, 1, "jpeg_size larger than data_size");
        }

        return new SpiceJpegAlphaHeader((source[0] & TopDownFlag) != 0, (int)jpeg, (int)data);
    }
}
