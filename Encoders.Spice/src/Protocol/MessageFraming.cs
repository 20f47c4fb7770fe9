using System.Buffers;
using System.Buffers.Binary;
using Codecs;

namespace Encoders.Spice.Protocol;

/// <summary>A client message: its type and body (valid until the reader advances).</summary>
internal readonly record struct SpiceMessage(ushort Type, ReadOnlySequence<byte> Body);

/// <summary>Resumable parser of client data messages (mini or full header) out of a pipe's buffer.</summary>
internal static class MessageFraming
{
    public const string FormatName = "spice-message";

    /// <summary>
    /// Takes one whole message off the front of <paramref name="buffer"/>, or returns false when more bytes are
    /// needed. Throws <see cref="CodecDataException"/> for a body larger than <paramref name="maxBodyLength"/> or a
    /// full header with a sub-message list (never sent by the target clients).
    /// </summary>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, bool miniHeader, int maxBodyLength, long streamOffset, out SpiceMessage message)
    {
        int headerLength = miniHeader ? 6 : 18;
        message = default;
        if (buffer.Length < headerLength)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[18];
        buffer.Slice(0, headerLength).CopyTo(header);
        ushort type;
        uint size;
        if (miniHeader)
        {
            type = BinaryPrimitives.ReadUInt16LittleEndian(header);
            size = BinaryPrimitives.ReadUInt32LittleEndian(header[2..]);
        }
        else
        {
            type = BinaryPrimitives.ReadUInt16LittleEndian(header[8..]);
            size = BinaryPrimitives.ReadUInt32LittleEndian(header[10..]);
            if (BinaryPrimitives.ReadUInt32LittleEndian(header[14..]) != 0)
            {
                CodecDataException.Throw(FormatName, streamOffset + 14, "sub-message lists are not supported");
            }
        }

        if (size > (uint)maxBodyLength)
        {
            CodecDataException.Throw(FormatName, streamOffset + (miniHeader ? 2 : 10), $"message {type} of {size} bytes exceeds the limit of {maxBodyLength}");
        }

        if (buffer.Length < headerLength + size)
        {
            return false;
        }

        message = new SpiceMessage(type, buffer.Slice(headerLength, size));
        buffer = buffer.Slice(headerLength + size);
        return true;
    }
}

/// <summary>Little-endian reads from a message body with bounds checks that throw <see cref="CodecDataException"/>.</summary>
internal ref struct BodyReader
{
    private readonly ReadOnlySpan<byte> _body;
    private readonly string _what;
    private int _position;

    public BodyReader(ReadOnlySpan<byte> body, string what)
    {
        _body = body;
        _what = what;
    }

    public readonly int Remaining => _body.Length - _position;

    public byte U8() => Take(1)[0];

    public ushort U16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

    public uint U32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    public int I32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public long I64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public ReadOnlySpan<byte> Take(int count)
    {
        if (_body.Length - _position < count)
        {
            CodecDataException.Throw(MessageFraming.FormatName, _position, $"{_what}: body of {_body.Length} bytes is too short");
        }

        ReadOnlySpan<byte> span = _body.Slice(_position, count);
        _position += count;
        return span;
    }
}
