using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Codecs.Pixels;

public sealed partial class PixelConverter
{
    // The lookup-table path: every format, any machine. It converts the pixels the vector kernels leave at the end of a
    // row, and everything when VectorBits is 0; the kernels are tested against it bit for bit.

    private void FromCanonicalScalar(ref byte source, ref byte destination, nuint pixelCount)
    {
        switch (_bytesPerPixel)
        {
            case 1:
                FromCanonicalScalar<byte>(ref source, ref destination, pixelCount);
                break;
            case 2:
                FromCanonicalScalar<ushort>(ref source, ref destination, pixelCount);
                break;
            default:
                FromCanonicalScalar<uint>(ref source, ref destination, pixelCount);
                break;
        }
    }

    private void ToCanonicalScalar(ref byte source, ref byte destination, nuint pixelCount)
    {
        switch (_bytesPerPixel)
        {
            case 1:
                ToCanonicalScalar<byte>(ref source, ref destination, pixelCount);
                break;
            case 2:
                ToCanonicalScalar<ushort>(ref source, ref destination, pixelCount);
                break;
            default:
                ToCanonicalScalar<uint>(ref source, ref destination, pixelCount);
                break;
        }
    }

    /// <summary>
    /// <c>stored = table[R] | table[256 + G] | table[512 + B]</c>, stored as a <typeparamref name="T"/>; the table
    /// entries are already shifted into place and in the client's byte order.
    /// </summary>
    private void FromCanonicalScalar<T>(ref byte source, ref byte destination, nuint pixelCount)
        where T : unmanaged, IBinaryInteger<T>
    {
        ref uint table = ref MemoryMarshal.GetArrayDataReference(_encodeTable);
        nuint size = (nuint)Unsafe.SizeOf<T>();
        for (nuint i = 0; i < pixelCount; i++)
        {
            uint canonical = ReadCanonical(ref Unsafe.Add(ref source, i * CanonicalBytesPerPixel));
            uint stored = Unsafe.Add(ref table, (nuint)(byte)(canonical >> 16))
                | Unsafe.Add(ref table, 256 + (nuint)(byte)(canonical >> 8))
                | Unsafe.Add(ref table, 512 + (nuint)(byte)canonical);
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref destination, i * size), T.CreateTruncating(stored));
        }
    }

    /// <summary>
    /// <c>canonical = table[(byte)(v >> rs)] | table[256 + (byte)(v >> gs)] | table[512 + (byte)(v >> bs)]</c>
    /// for the pixel value <c>v</c> (stored bytes swapped back to this machine's order first).
    /// </summary>
    private void ToCanonicalScalar<T>(ref byte source, ref byte destination, nuint pixelCount)
        where T : unmanaged, IBinaryInteger<T>
    {
        ref uint table = ref MemoryMarshal.GetArrayDataReference(_decodeTable);
        nuint size = (nuint)Unsafe.SizeOf<T>();
        int redShift = _red.Shift;
        int greenShift = _green.Shift;
        int blueShift = _blue.Shift;
        bool swapBytes = _swapBytes;
        for (nuint i = 0; i < pixelCount; i++)
        {
            uint value = uint.CreateTruncating(Unsafe.ReadUnaligned<T>(ref Unsafe.Add(ref source, i * size)));
            if (swapBytes)
            {
                value = typeof(T) == typeof(ushort)
                    ? BinaryPrimitives.ReverseEndianness((ushort)value)
                    : BinaryPrimitives.ReverseEndianness(value);
            }

            uint canonical = Unsafe.Add(ref table, (nuint)(byte)(value >> redShift))
                | Unsafe.Add(ref table, 256 + (nuint)(byte)(value >> greenShift))
                | Unsafe.Add(ref table, 512 + (nuint)(byte)(value >> blueShift));
            WriteCanonical(ref Unsafe.Add(ref destination, i * CanonicalBytesPerPixel), canonical);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint ReadCanonical(ref byte source)
    {
        uint value = Unsafe.ReadUnaligned<uint>(ref source);
        return BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteCanonical(ref byte destination, uint value) =>
        Unsafe.WriteUnaligned(ref destination, BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value));
}
