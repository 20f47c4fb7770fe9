using System.Buffers.Binary;
using System.IO.Compression;

namespace Codecs.Rfb.Decoders;

/// <summary>
/// PNG decoding for TightPNG, written from the PNG specification: 8-bit RGB (2), palette (3) and RGBA (6, alpha
/// ignored), non-interlaced, all five row filters, CRCs checked. Output: 8-bit RGB rows.
/// </summary>
internal sealed class PngDecoder
{
    private byte[] _idat = new byte[4096];
    private byte[] _raw = [];
    private readonly byte[] _palette = new byte[256 * 3];

    /// <summary>Decodes <paramref name="png"/>, which must be <paramref name="width"/> × <paramref name="height"/>, into <paramref name="rgb"/>.</summary>
    public void Decode(ReadOnlySpan<byte> png, int width, int height, Span<byte> rgb, long offset)
    {
        var reader = new RfbReader(png, "png", offset);
        if (!reader.Take(8).SequenceEqual(Rfb.RfbPng.Signature))
        {
            reader.Fail("not a PNG signature");
        }

        int colourType = -1;
        int paletteEntries = 0;
        int idatLength = 0;
        bool end = false;
        while (!end)
        {
            int length = (int)Math.Min(reader.ReadUInt32(), int.MaxValue);
            int typeStart = reader.Position;
            ReadOnlySpan<byte> type = reader.Take(4);
            if (length > reader.Remaining)
            {
                reader.Fail($"chunk length {length} exceeds the {reader.Remaining} bytes left");
            }

            ReadOnlySpan<byte> data = reader.Take(length);
            uint crc = reader.ReadUInt32();
            if (crc != Rfb.RfbPng.Crc32(png.Slice(typeStart, 4 + length)))
            {
                reader.Fail("chunk CRC mismatch");
            }

            if (type.SequenceEqual("IHDR"u8))
            {
                if (length != 13 || colourType >= 0)
                {
                    reader.Fail("bad IHDR");
                }

                int w = BinaryPrimitives.ReadInt32BigEndian(data);
                int h = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                colourType = data[9];
                if (w != width || h != height)
                {
                    reader.Fail($"PNG is {w}x{h}, the rectangle {width}x{height}");
                }

                if (data[8] != 8 || colourType is not (2 or 3 or 6) || data[10] != 0 || data[11] != 0 || data[12] != 0)
                {
                    reader.Fail("unsupported PNG (needs 8-bit RGB, palette or RGBA, not interlaced)");
                }
            }
            else if (type.SequenceEqual("PLTE"u8))
            {
                if (length % 3 != 0 || length > 768)
                {
                    reader.Fail("bad PLTE");
                }

                data.CopyTo(_palette);
                paletteEntries = length / 3;
            }
            else if (type.SequenceEqual("IDAT"u8))
            {
                if (_idat.Length < idatLength + length)
                {
                    Array.Resize(ref _idat, Math.Max(_idat.Length * 2, idatLength + length));
                }

                data.CopyTo(_idat.AsSpan(idatLength));
                idatLength += length;
            }
            else if (type.SequenceEqual("IEND"u8))
            {
                end = true;
            }
            else if ((type[0] & 0x20) == 0)
            {
                reader.Fail("unknown critical chunk");
            }
        }

        if (colourType < 0)
        {
            reader.Fail("no IHDR");
        }

        int channels = colourType switch { 2 => 3, 3 => 1, _ => 4 };
        int stride = width * channels;
        int size = (stride + 1) * height;
        if (_raw.Length < size)
        {
            _raw = new byte[size];
        }

        Span<byte> raw = _raw.AsSpan(0, size);
        int produced = 0;
        try
        {
            using var z = new ZLibStream(new MemoryStream(_idat, 0, idatLength, writable: false), CompressionMode.Decompress);
            while (produced < size)
            {
                int n = z.Read(raw[produced..]);
                if (n == 0)
                {
                    break;
                }

                produced += n;
            }
        }
        catch (Exception ex) when (ex is InvalidDataException || (ex is IOException && ex is not CodecDataException))
        {
            throw new CodecDataException("png", offset, "corrupt IDAT: " + ex.Message, ex);
        }

        if (produced != size)
        {
            CodecDataException.Throw("png", offset, $"IDAT gives {produced} bytes, {size} expected");
        }

        for (int y = 0; y < height; y++)
        {
            Span<byte> row = raw.Slice(y * (stride + 1) + 1, stride);
            ReadOnlySpan<byte> previous = y == 0 ? default : raw.Slice((y - 1) * (stride + 1) + 1, stride);
            byte filter = raw[y * (stride + 1)];
            int bpp = channels;
            for (int i = 0; i < stride; i++)
            {
                int a = i >= bpp ? row[i - bpp] : 0;
                int b = y > 0 ? previous[i] : 0;
                int c = i >= bpp && y > 0 ? previous[i - bpp] : 0;
                int add = filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) >> 1,
                    4 => Paeth(a, b, c),
                    _ => -1,
                };
                if (add < 0)
                {
                    CodecDataException.Throw("png", offset, $"bad row filter {filter}");
                }

                row[i] = (byte)(row[i] + add);
            }

            Span<byte> output = rgb.Slice(y * width * 3, width * 3);
            for (int x = 0; x < width; x++)
            {
                switch (colourType)
                {
                    case 2:
                        row.Slice(x * 3, 3).CopyTo(output[(x * 3)..]);
                        break;
                    case 6:
                        row.Slice(x * 4, 3).CopyTo(output[(x * 3)..]);
                        break;
                    default:
                        int index = row[x];
                        if (index >= paletteEntries)
                        {
                            CodecDataException.Throw("png", offset, $"palette index {index} out of range for {paletteEntries} entries");
                        }

                        _palette.AsSpan(index * 3, 3).CopyTo(output[(x * 3)..]);
                        break;
                }
            }
        }
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a);
        int pb = Math.Abs(p - b);
        int pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
