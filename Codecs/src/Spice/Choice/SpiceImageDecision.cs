using System.Buffers.Binary;

namespace Codecs.Spice.Choice;

/// <summary>
/// What <see cref="SpiceImageCompressor.Compress"/> sent for one image, and why: the type, the measured inputs of the
/// choice and the lengths the image descriptor's payload needs.
/// </summary>
/// <param name="Type">The image type to put in the descriptor; <see cref="SpiceImageType.Bitmap"/> means send the pixels raw.</param>
/// <param name="Reason">Why this type.</param>
/// <param name="Graduality">The graduality estimate, or <see cref="Graduality.NotMeasured"/> when the choice did not need it.</param>
/// <param name="RawLength">Width × height × bytes per pixel.</param>
/// <param name="DataLength">Bytes of <c>data</c> written to the destination (0 for raw).</param>
/// <param name="JpegLength">JPEG_ALPHA: <c>jpeg_size</c>, the JPEG part of the data; otherwise 0.</param>
/// <param name="GlzLength">ZLIB_GLZ_RGB: <c>glz_data_size</c>, the inflated GLZ stream; otherwise 0.</param>
/// <param name="GlzImageId">GLZ_RGB and ZLIB_GLZ_RGB: the image's id in the client's dictionary.</param>
/// <param name="TopDown">The row order flag carried by LZ, GLZ, LZ4 and JPEG_ALPHA payloads (and a raw bitmap's flags).</param>
/// <param name="Alternative">The type that lost the trial (<see cref="SpiceImageType.Bitmap"/> when there was none).</param>
/// <param name="AlternativeLength">Its length, or −1 when its encode was stopped at the winner's size.</param>
public readonly record struct SpiceImageDecision(
    SpiceImageType Type,
    SpiceChoiceReason Reason,
    Graduality Graduality,
    long RawLength,
    int DataLength,
    int JpegLength,
    int GlzLength,
    ulong GlzImageId,
    bool TopDown,
    SpiceImageType Alternative,
    int AlternativeLength)
{
    /// <summary>Bytes of the type-specific fields between the image descriptor and <c>data</c> (spice.proto).</summary>
    public int PayloadPrefixLength => Type switch
    {
        SpiceImageType.Quic or SpiceImageType.LzRgb or SpiceImageType.GlzRgb or SpiceImageType.Jpeg or SpiceImageType.Lz4 => 4,
        SpiceImageType.ZlibGlzRgb => 8,
        SpiceImageType.JpegAlpha => Jpeg.SpiceJpegAlphaHeader.Length,
        _ => 0,
    };

    /// <summary>
    /// Writes the little-endian fields in front of <c>data</c>: <c>u32 data_size</c>; for ZLIB_GLZ_RGB
    /// <c>u32 glz_data_size, u32 data_size</c>; for JPEG_ALPHA <c>u8 flags, u32 jpeg_size, u32 data_size</c>. Nothing
    /// for a raw bitmap, whose fields (format, flags, stride, palette) are the protocol writer's.
    /// </summary>
    public int WritePayloadPrefix(Span<byte> destination)
    {
        switch (Type)
        {
            case SpiceImageType.ZlibGlzRgb:
                BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)GlzLength);
                BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], (uint)DataLength);
                return 8;
            case SpiceImageType.JpegAlpha:
                new Jpeg.SpiceJpegAlphaHeader(TopDown, JpegLength, DataLength).Write(destination);
                return Jpeg.SpiceJpegAlphaHeader.Length;
            case SpiceImageType.Bitmap:
                return 0;
            default:
                BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)DataLength);
                return 4;
        }
    }
}
