using System.Buffers.Binary;
using System.IO.Compression;

namespace Codecs.Rfb;

/// <summary>
/// The small PNG subset TightPNG needs: 8-bit RGB images (colour type 2), filter type 0 per row, one IDAT, written
/// with a fresh zlib stream per image (PNG images are self-contained, unlike Tight's basic data).
/// </summary>
internal static class RfbPng
{
    public static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static readonly uint[] s_crcTable = BuildCrcTable();

    private static uint[] BuildCrcTable()
    {
        uint[] table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }

    /// <summary>CRC-32 (ISO-HDLC, as PNG uses) of <paramref name="data"/>.</summary>
    public static uint Crc32(ReadOnlySpan<byte> data, uint crc = 0)
    {
        crc = ~crc;
        foreach (byte b in data)
        {
            crc = s_crcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    /// <summary>Writes a PNG of <paramref name="width"/> × <paramref name="height"/> RGB pixels (<c>rgb</c>: rows of 3·width bytes).</summary>
    public static void Write(MemoryStream output, ReadOnlySpan<byte> rgb, int width, int height, int zlibLevel)
    {
        output.SetLength(0);
        output.Write(Signature);
        Span<byte> ihdr = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr[4..], height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // colour type RGB
        ihdr[10] = 0;
        ihdr[11] = 0;
        ihdr[12] = 0;
        WriteChunk(output, "IHDR"u8, ihdr);

        // IDAT: reserve the length and type, then deflate the filtered rows straight into the stream.
        long start = output.Position;
        output.Write([0, 0, 0, 0, (byte)'I', (byte)'D', (byte)'A', (byte)'T']);
        using (var z = new ZLibStream(output, new ZLibCompressionOptions { CompressionLevel = zlibLevel }, leaveOpen: true))
        {
            int rowBytes = width * 3;
            ReadOnlySpan<byte> none = [0];
            for (int y = 0; y < height; y++)
            {
                z.Write(none);
                z.Write(rgb.Slice(y * rowBytes, rowBytes));
            }
        }

        int length = (int)(output.Position - start - 8);
        byte[] buffer = output.GetBuffer();
        BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan((int)start), length);
        uint crc = Crc32(buffer.AsSpan((int)start + 4, length + 4));
        Span<byte> crcBytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crcBytes, crc);
        output.Write(crcBytes);
        WriteChunk(output, "IEND"u8, []);
    }

    private static void WriteChunk(MemoryStream output, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> head = stackalloc byte[8];
        BinaryPrimitives.WriteInt32BigEndian(head, data.Length);
        type.CopyTo(head[4..]);
        output.Write(head);
        output.Write(data);
        uint crc = Crc32(data, Crc32(type));
        Span<byte> crcBytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crcBytes, crc);
        output.Write(crcBytes);
    }
}
