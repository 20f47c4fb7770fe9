using System.Buffers;
using System.Buffers.Binary;
using Codecs.Pixels;

namespace Encoders.Spice.Protocol;

/// <summary>
/// One outgoing SPICE message being built: the data header (mini: <c>u16 type, u32 size</c>; full:
/// <c>u64 serial, u16 type, u32 size, u32 sub_list</c>) followed by the body. Offsets used as marshaller pointers
/// are relative to the body start (<see cref="BodyLength"/> at the time the pointee is written). Reused per channel.
/// </summary>
internal sealed class MessageBuffer : IBufferWriter<byte>
{
    private byte[] _buffer = new byte[4096];
    private int _length;
    private int _headerLength;

    /// <summary>Bytes of the body written so far; also the pointer value of whatever is written next.</summary>
    public int BodyLength => _length - _headerLength;

    public ushort Type { get; private set; }

    public void Begin(ushort type, bool miniHeader, ulong serial)
    {
        Type = type;
        _headerLength = miniHeader ? 6 : 18;
        _length = _headerLength;
        Span<byte> header = _buffer.AsSpan(0, _headerLength);
        header.Clear();
        if (miniHeader)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(header, type);
        }
        else
        {
            BinaryPrimitives.WriteUInt64LittleEndian(header, serial);
            BinaryPrimitives.WriteUInt16LittleEndian(header[8..], type);
        }
    }

    /// <summary>Writes the body size into the header and returns header + body.</summary>
    public ReadOnlySpan<byte> Finish()
    {
        int sizeOffset = _headerLength == 6 ? 2 : 10;
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(sizeOffset), (uint)BodyLength);
        return _buffer.AsSpan(0, _length);
    }

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_length + count > _buffer.Length)
        {
            throw new InvalidOperationException("Advanced past the span handed out.");
        }

        _length += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_length);
    }

    public void U8(byte value)
    {
        Ensure(1);
        _buffer[_length++] = value;
    }

    public void U16(ushort value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(GetSpan(2), value);
        _length += 2;
    }

    public void U32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(GetSpan(4), value);
        _length += 4;
    }

    public void I32(int value) => U32((uint)value);

    public void U64(ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(GetSpan(8), value);
        _length += 8;
    }

    /// <summary>A SpiceRect: top, left, bottom, right (in that order on the wire).</summary>
    public void Rect(Rect rect)
    {
        I32(rect.Y);
        I32(rect.X);
        I32(rect.Bottom);
        I32(rect.Right);
    }

    public void Bytes(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        _length += bytes.Length;
    }

    /// <summary>Overwrites a u32 already written at <paramref name="bodyOffset"/> (a pointer or a size filled in later).</summary>
    public void PatchU32(int bodyOffset, uint value) =>
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(_headerLength + bodyOffset, 4), value);

    /// <summary>Overwrites a byte already written at <paramref name="bodyOffset"/>.</summary>
    public void PatchU8(int bodyOffset, byte value) => _buffer[_headerLength + bodyOffset] = value;

    /// <summary>Forgets body bytes written after <paramref name="bodyLength"/> (an encoder that gave up).</summary>
    public void Truncate(int bodyLength) => _length = _headerLength + bodyLength;

    private void Ensure(int sizeHint)
    {
        int needed = _length + Math.Max(sizeHint, 1);
        if (needed > _buffer.Length)
        {
            Array.Resize(ref _buffer, (int)Math.Min(Array.MaxLength, Math.Max(needed, 2L * _buffer.Length)));
        }
    }
}
