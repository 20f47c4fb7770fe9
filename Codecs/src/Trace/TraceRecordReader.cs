using System.Buffers.Binary;

namespace Codecs.Trace;

/// <summary>
/// Reads the framing of a trace: the preamble, then records (type, length, payload, CRC-32C) into one reused buffer.
/// The buffer grows with the bytes that actually arrive, never to a length a record merely claims, so a truncated or
/// hostile length costs at most twice the data present (and never more than <see cref="TraceFormat.MaxRecordPayload"/>).
/// </summary>
internal sealed class TraceRecordReader
{
    private const int InitialBufferSize = 64 * 1024;

    private readonly Stream _stream;
    private readonly bool _verifyChecksums;
    private byte[] _buffer = [];

    public TraceRecordReader(Stream stream, bool verifyChecksums)
    {
        _stream = stream;
        _verifyChecksums = verifyChecksums;
    }

    /// <summary>Bytes consumed from the stream.</summary>
    public long Position { get; private set; }

    /// <summary>Offset of the last record read.</summary>
    public long RecordOffset { get; private set; }

    public byte Type { get; private set; }

    /// <summary>Payload length of the last record read.</summary>
    public int Length { get; private set; }

    /// <summary>The payload of the last record read is <c>Buffer[0..Length]</c>.</summary>
    public byte[] Buffer => _buffer;

    public ReadOnlySpan<byte> Payload => _buffer.AsSpan(0, Length);

    public long PayloadOffset => RecordOffset + TraceFormat.RecordHeaderSize;

    /// <summary>Bytes of the last record, framing and checksum included.</summary>
    public int RecordSize => TraceFormat.RecordHeaderSize + Length + TraceFormat.RecordChecksumSize;

    /// <summary>Reads and checks the 12-byte preamble; returns the minor version.</summary>
    public ushort ReadPreamble()
    {
        Span<byte> preamble = stackalloc byte[TraceFormat.PreambleSize];
        int read = ReadAtMost(preamble);
        int matching = preamble[..Math.Min(read, 8)].CommonPrefixLength(TraceFormat.Magic);
        if (matching < 8)
        {
            if (matching == read)
            {
                TraceThrowHelper.ThrowTruncated(read, "the magic number");
            }

            TraceThrowHelper.ThrowInvalid(matching, "not an fbt trace (bad magic number)");
        }

        if (read < TraceFormat.PreambleSize)
        {
            TraceThrowHelper.ThrowTruncated(read, "the version number");
        }

        ushort major = BinaryPrimitives.ReadUInt16LittleEndian(preamble[8..]);
        if (major != TraceFormat.MajorVersion)
        {
            TraceThrowHelper.ThrowInvalid(8, $"unsupported major version {major} (this reader reads version {TraceFormat.MajorVersion})");
        }

        return BinaryPrimitives.ReadUInt16LittleEndian(preamble[10..]);
    }

    /// <summary>Reads the next record; false at a clean end of the stream (no byte of a further record).</summary>
    public bool TryRead()
    {
        RecordOffset = Position;
        Span<byte> header = stackalloc byte[TraceFormat.RecordHeaderSize];
        int read = ReadAtMost(header);
        if (read == 0)
        {
            return false;
        }

        if (read < header.Length)
        {
            TraceThrowHelper.ThrowTruncated(Position, "a record header");
        }

        Type = header[0];
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(header[1..]);
        if (length > TraceFormat.MaxRecordPayload)
        {
            TraceThrowHelper.ThrowInvalid(RecordOffset + 1, $"{TraceRecordType.Name(Type)} record claims {length} bytes; the limit is {TraceFormat.MaxRecordPayload}");
        }

        Length = (int)length;
        ReadPayload();

        Span<byte> checksum = stackalloc byte[TraceFormat.RecordChecksumSize];
        if (ReadAtMost(checksum) < checksum.Length)
        {
            TraceThrowHelper.ThrowTruncated(Position, $"the checksum of a {TraceRecordType.Name(Type)} record");
        }

        if (_verifyChecksums)
        {
            uint expected = BinaryPrimitives.ReadUInt32LittleEndian(checksum);
            uint actual = ~Crc32C.Append(Crc32C.Append(Crc32C.Initial, header), Payload);
            if (actual != expected)
            {
                TraceThrowHelper.ThrowInvalid(PayloadOffset + Length, $"checksum mismatch in the {TraceRecordType.Name(Type)} record at offset {RecordOffset} (stored 0x{expected:X8}, computed 0x{actual:X8})");
            }
        }

        return true;
    }

    /// <summary>True when the stream has no more bytes.</summary>
    public bool AtEndOfStream()
    {
        Span<byte> probe = stackalloc byte[1];
        return ReadAtMost(probe) == 0;
    }

    private void ReadPayload()
    {
        int filled = 0;
        while (filled < Length)
        {
            if (filled == _buffer.Length)
            {
                int grown = (int)Math.Min(Length, Math.Max(2L * _buffer.Length, InitialBufferSize));
                Array.Resize(ref _buffer, grown);
            }

            int read = _stream.Read(_buffer, filled, Math.Min(Length, _buffer.Length) - filled);
            if (read <= 0)
            {
                TraceThrowHelper.ThrowTruncated(PayloadOffset + filled, $"the payload of a {TraceRecordType.Name(Type)} record ({filled} of {Length} bytes present)");
            }

            filled += read;
            Position += read;
        }
    }

    private int ReadAtMost(Span<byte> destination)
    {
        int read = _stream.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false);
        Position += read;
        return read;
    }
}
