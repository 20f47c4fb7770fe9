using System.Buffers.Binary;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Codecs.Deflate;

/// <summary>
/// Deflate's bit order: values go in least significant bit first and bytes fill from bit 0 (RFC 1951 §3.1.1).
/// Bits collect in a 64-bit register and leave 32 at a time, so a whole value is one shift, one OR and one compare.
/// </summary>
internal ref struct DeflateBitWriter
{
    private readonly Span<byte> _output;
    private int _position;
    private ulong _bits;
    private int _count;

    public DeflateBitWriter(Span<byte> output) => _output = output;

    /// <summary>Bytes written so far; the bits still in the register are not counted (call <see cref="AlignToByte"/> first).</summary>
    public readonly int Position => _position;

    /// <summary>Appends the low <paramref name="count"/> (≤ 32) bits of <paramref name="value"/>; higher bits must be zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteBits(uint value, int count)
    {
        Debug.Assert(count <= 32 && (count == 32 || value >> count == 0));
        _bits |= (ulong)value << _count;
        _count += count;
        if (_count >= 32)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(_output[_position..], (uint)_bits);
            _position += 4;
            _bits >>= 32;
            _count -= 32;
        }
    }

    /// <summary>
    /// Writes each token's entry from <paramref name="table"/>: bits in the low 32, their count (≤ 32) above. The hot loop
    /// of a block, with the register in locals.
    /// </summary>
    public void WriteTokens(ReadOnlySpan<ushort> tokens, ReadOnlySpan<ulong> table)
    {
        ulong bits = _bits;
        int count = _count;
        int position = _position;
        int limit = _output.Length - sizeof(uint);
        ref byte output = ref MemoryMarshal.GetReference(_output);
        ref ulong entries = ref MemoryMarshal.GetReference(table);
        foreach (ushort token in tokens)
        {
            ulong entry = Unsafe.Add(ref entries, token);
            bits |= (entry & uint.MaxValue) << count;
            count += (int)(entry >> 32);
            if (count >= 32)
            {
                if (position > limit)
                {
                    ThrowFull();
                }

                Unsafe.WriteUnaligned(ref Unsafe.Add(ref output, position), BitConverter.IsLittleEndian ? (uint)bits : BinaryPrimitives.ReverseEndianness((uint)bits));
                position += 4;
                bits >>= 32;
                count -= 32;
            }
        }

        _bits = bits;
        _count = count;
        _position = position;
    }

    [DoesNotReturn]
    private static void ThrowFull() => throw new InvalidOperationException("Deflate output buffer too small (size estimate bug).");

    /// <summary>Writes out the pending bits, padding the last byte with zeros.</summary>
    public void AlignToByte()
    {
        while (_count > 0)
        {
            _output[_position++] = (byte)_bits;
            _bits >>= 8;
            _count -= 8;
        }

        _bits = 0;
        _count = 0;
    }

    /// <summary>Copies bytes; the writer must be byte-aligned.</summary>
    public void WriteAlignedBytes(scoped ReadOnlySpan<byte> bytes)
    {
        Debug.Assert(_count == 0);
        bytes.CopyTo(_output[_position..]);
        _position += bytes.Length;
    }
}
