using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using Codecs.Lz4;

namespace Codecs.Spice.Lz4Image;

/// <summary>
/// The SPICE LZ4 image payload (<c>SPICE_IMAGE_TYPE_LZ4</c>): <c>u8 top_down, u8 format</c>, then blocks of
/// <c>u32 big-endian length + LZ4 block</c> chained as by <c>LZ4_compress_fast_continue</c>, over tight rows in memory
/// order. Width and height are not in the payload; they come from the image descriptor. Encoder and decoder are
/// instances holding liblz4 stream state; not thread-safe.
/// </summary>
public sealed class Lz4ImageEncoder : IDisposable
{
    private const int ChunkBytes = 64 * 1024;

    private readonly Lz4StreamEncoder _stream = new();

    /// <summary>Bytes per pixel of a format.</summary>
    public static int BytesPerPixel(SpiceBitmapFormat format) => format switch
    {
        SpiceBitmapFormat.Rgb16 => 2,
        SpiceBitmapFormat.Rgb24 => 3,
        SpiceBitmapFormat.Rgb32 or SpiceBitmapFormat.Rgba => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    /// <summary>Upper bound of the payload size in bytes.</summary>
    public static long GetMaxEncodedLength(SpiceBitmapFormat format, int width, int height)
    {
        long raw = (long)width * height * BytesPerPixel(format);
        long blocks = Math.Max(1, (raw + ChunkBytes - 1) / ChunkBytes);
        return 2 + raw + (blocks * (4 + 16)) + (raw / 255) + 16;
    }

    /// <summary>
    /// Encodes <paramref name="height"/> rows of <paramref name="stride"/> bytes in the order given (memory order),
    /// recording <paramref name="topDown"/>. A tight image is one block; a padded one is gathered into chained
    /// 64 KiB blocks. Returns false when <paramref name="destination"/> is too small.
    /// </summary>
    public bool TryEncode(SpiceBitmapFormat format, ReadOnlySpan<byte> pixels, int width, int height, int stride, bool topDown, Span<byte> destination, out int bytesWritten)
    {
        int rowBytes = checked(width * BytesPerPixel(format));
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, rowBytes);
        long raw = (long)rowBytes * height;
        if (raw > Lz4Codec.MaxInputLength)
        {
            throw new ArgumentOutOfRangeException(nameof(height), "Image too large for one LZ4 payload.");
        }

        if (pixels.Length < ((long)(height - 1) * stride) + rowBytes)
        {
            throw new ArgumentException("Pixel buffer smaller than height × stride.", nameof(pixels));
        }

        bytesWritten = 0;
        if (destination.Length < 2)
        {
            return false;
        }

        destination[0] = topDown ? (byte)1 : (byte)0;
        destination[1] = (byte)format;
        int pos = 2;
        _stream.Reset();
        if (stride == rowBytes)
        {
            if (!EncodeBlock(pixels[..(int)raw], destination, ref pos))
            {
                return false;
            }
        }
        else
        {
            int rowsPerChunk = Math.Max(1, ChunkBytes / rowBytes);
            byte[] chunk = ArrayPool<byte>.Shared.Rent(rowsPerChunk * rowBytes);
            try
            {
                for (int y = 0; y < height; y += rowsPerChunk)
                {
                    int rows = Math.Min(rowsPerChunk, height - y);
                    for (int r = 0; r < rows; r++)
                    {
                        pixels.Slice((y + r) * stride, rowBytes).CopyTo(chunk.AsSpan(r * rowBytes));
                    }

                    if (!EncodeBlock(chunk.AsSpan(0, rows * rowBytes), destination, ref pos))
                    {
                        return false;
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }
        }

        bytesWritten = pos;
        return true;
    }

    public void Dispose() => _stream.Dispose();

    private bool EncodeBlock(ReadOnlySpan<byte> block, Span<byte> destination, ref int pos)
    {
        if (destination.Length - pos < 5 || !_stream.TryEncode(block, destination[(pos + 4)..], out int written))
        {
            return false;
        }

        BinaryPrimitives.WriteUInt32BigEndian(destination[pos..], (uint)written);
        pos += 4 + written;
        return true;
    }
}

/// <summary>Decoder of the SPICE LZ4 image payload; see <see cref="Lz4ImageEncoder"/>. Throws only <see cref="CodecDataException"/> on bad input.</summary>
public sealed class Lz4ImageDecoder : IDisposable
{
    /// <summary>Format name carried by <see cref="CodecDataException.Format"/>.</summary>
    public const string FormatName = "spice-lz4";

    private readonly Lz4StreamDecoder _stream = new();

    /// <summary>
    /// Decodes a payload for a <paramref name="width"/>×<paramref name="height"/> image (from the descriptor) into tight
    /// rows in stream order. The blocks must produce exactly the whole image. Returns the format and top_down flag.
    /// </summary>
    public (SpiceBitmapFormat Format, bool TopDown) Decode(ReadOnlySpan<byte> source, int width, int height, Span<byte> destination)
    {
        if (source.Length < 2)
        {
            Fail(source.Length, "truncated header");
        }

        if (source[0] > 1)
        {
            Fail(0, "bad top_down flag");
        }

        var format = (SpiceBitmapFormat)source[1];
        if (format is < SpiceBitmapFormat.Rgb16 or > SpiceBitmapFormat.Rgba)
        {
            Fail(1, "bad bitmap format");
        }

        long total = (long)width * height * Lz4ImageEncoder.BytesPerPixel(format);
        if (width < 1 || height < 1 || total > destination.Length)
        {
            throw new ArgumentException("Destination smaller than the image.", nameof(destination));
        }

        _stream.Reset();
        int pos = 2;
        int produced = 0;
        while (pos < source.Length)
        {
            if (source.Length - pos < 4)
            {
                Fail(pos, "truncated block length");
            }

            uint length = BinaryPrimitives.ReadUInt32BigEndian(source[pos..]);
            if (length == 0 || length > source.Length - pos - 4)
            {
                Fail(pos, "bad block length");
            }

            if (produced == total)
            {
                Fail(pos, "data after the complete image");
            }

            try
            {
                produced += _stream.Decode(source.Slice(pos + 4, (int)length), destination[produced..(int)total]);
            }
            catch (CodecDataException e)
            {
                throw new CodecDataException(FormatName, pos + 4 + Math.Max(0, e.Offset), "malformed LZ4 block", e);
            }

            pos += 4 + (int)length;
        }

        if (produced != total)
        {
            Fail(source.Length, "image incomplete");
        }

        return (format, source[0] == 1);
    }

    public void Dispose() => _stream.Dispose();

    [DoesNotReturn]
    private static void Fail(long offset, string message) => CodecDataException.Throw(FormatName, offset, message);
}
