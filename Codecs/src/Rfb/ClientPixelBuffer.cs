using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Codecs.Pixels;

namespace Codecs.Rfb;

/// <summary>
/// Per-encoder scratch holding one rectangle as client pixel values (one <see cref="uint"/> per pixel, row-major, no
/// padding), which is what the RFB analysers and encoders work on: two canonical colours that the client format merges
/// are one colour here, so palettes and runs are counted exactly as the client will see them.
/// </summary>
internal sealed class ClientPixelBuffer
{
    private readonly PixelConverter _converter;
    private uint[] _values = [];
    private byte[] _packed = [];

    public ClientPixelBuffer(PixelConverter converter)
    {
        _converter = converter;
    }

    /// <summary>The client pixel value of one canonical pixel, given as its four bytes read as a native <see cref="uint"/>.</summary>
    public uint ValueOf(uint canonical)
    {
        Span<byte> packed = stackalloc byte[4];
        _converter.FromCanonical(MemoryMarshal.AsBytes(new ReadOnlySpan<uint>(in canonical)), packed);
        PixelFormat f = _converter.TrueColourFormat;
        return f.BitsPerPixel switch
        {
            8 => packed[0],
            16 => f.BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(packed) : BinaryPrimitives.ReadUInt16LittleEndian(packed),
            _ => f.BigEndian ? BinaryPrimitives.ReadUInt32BigEndian(packed) : BinaryPrimitives.ReadUInt32LittleEndian(packed),
        };
    }

    /// <summary>Converts <paramref name="source"/> (canonical) and returns its client pixel values.</summary>
    public Span<uint> Load(ReadOnlyImageView source)
    {
        int count = source.Width * source.Height;
        if (_values.Length < count)
        {
            // Every value is written before it is read: no need for zeroed memory. Grow by half at least, so a
            // connection's first frames do not reallocate for every slightly larger rectangle.
            _values = GC.AllocateUninitializedArray<uint>(Math.Max(count, Math.Max(4096, _values.Length * 3 / 2)));
        }

        Span<uint> values = _values.AsSpan(0, count);
        if (count == 0)
        {
            return values;
        }

        PixelFormat f = _converter.TrueColourFormat;
        if (f.BitsPerPixel == 32)
        {
            _converter.FromCanonical(source, MemoryMarshal.AsBytes(values));
            if (f.BigEndian == BitConverter.IsLittleEndian)
            {
                BinaryPrimitives.ReverseEndianness(values, values);
            }

            return values;
        }

        int bytes = count * f.BytesPerPixel;
        if (_packed.Length < bytes)
        {
            _packed = new byte[Math.Max(bytes, 4096)];
        }

        Span<byte> packed = _packed.AsSpan(0, bytes);
        _converter.FromCanonical(source, packed);
        if (f.BitsPerPixel == 8)
        {
            for (int i = 0; i < count; i++)
            {
                values[i] = packed[i];
            }
        }
        else
        {
            ReadOnlySpan<ushort> words = MemoryMarshal.Cast<byte, ushort>(packed);
            bool swap = f.BigEndian == BitConverter.IsLittleEndian;
            for (int i = 0; i < count; i++)
            {
                values[i] = swap ? BinaryPrimitives.ReverseEndianness(words[i]) : words[i];
            }
        }

        return values;
    }
}
