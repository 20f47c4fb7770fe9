using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Codecs.Rfb.Decoders;

/// <summary>Bounds-checked big-endian reader over one rectangle's payload; every overrun is a <see cref="CodecDataException"/>.</summary>
internal ref struct RfbReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly string _format;
    private readonly long _baseOffset;

    public RfbReader(ReadOnlySpan<byte> data, string format, long baseOffset = 0)
    {
        _data = data;
        _format = format;
        _baseOffset = baseOffset;
        Position = 0;
    }

    public int Position { get; private set; }

    public readonly int Remaining => _data.Length - Position;

    public readonly long Offset => _baseOffset + Position;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<byte> Take(int count)
    {
        if ((uint)count > (uint)(_data.Length - Position))
        {
            ThrowTruncated(count);
        }

        ReadOnlySpan<byte> slice = _data.Slice(Position, count);
        Position += count;
        return slice;
    }

    public byte ReadByte() => Take(1)[0];

    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));

    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32BigEndian(Take(4));

    [DoesNotReturn]
    public readonly void Fail(string message) => CodecDataException.Throw(_format, Offset, message);

    [DoesNotReturn]
    private readonly void ThrowTruncated(int count) =>
        CodecDataException.Throw(_format, Offset, $"truncated: {count} more bytes needed, {_data.Length - Position} left");
}
