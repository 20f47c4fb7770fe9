using System.IO.Compression;

namespace Codecs.Rfb.Decoders;

/// <summary>
/// A persistent zlib inflater for one stream of a connection: each rectangle's compressed bytes are fed in, and the
/// inflater reads until they are used up, keeping its dictionary for the next rectangle.
/// </summary>
internal sealed class ZlibInflater : IDisposable
{
    private readonly FeedStream _feed = new();
    private ZLibStream? _stream;

    public void Reset()
    {
        _stream?.Dispose();
        _stream = null;
    }

    /// <summary>
    /// Inflates <paramref name="compressed"/> into <paramref name="output"/>; returns the bytes produced, at most
    /// <c>output.Length</c>. <paramref name="overflow"/> is true when the input would have produced more.
    /// </summary>
    public int Inflate(ReadOnlySpan<byte> compressed, Span<byte> output, string format, long offset, out bool overflow)
    {
        _feed.Load(compressed);
        _stream ??= new ZLibStream(_feed, CompressionMode.Decompress, leaveOpen: true);
        int total = 0;
        overflow = false;
        try
        {
            while (total < output.Length)
            {
                int n = _stream.Read(output[total..]);
                if (n == 0)
                {
                    break;
                }

                total += n;
            }

            if (total == output.Length)
            {
                Span<byte> probe = stackalloc byte[1];
                overflow = _stream.Read(probe) != 0;
            }
        }
        catch (Exception ex) when (ex is InvalidDataException || (ex is IOException && ex is not CodecDataException))
        {
            // InvalidDataException for bad data, ZLibException for states zlib itself rejects.
            Reset();
            throw new CodecDataException(format, offset, "corrupt zlib data: " + ex.Message, ex);
        }

        return total;
    }

    public void Dispose()
    {
        _stream?.Dispose();
        _feed.Dispose();
    }

    private sealed class FeedStream : Stream
    {
        private byte[] _data = new byte[4096];
        private int _length;
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public void Load(ReadOnlySpan<byte> data)
        {
            if (_data.Length < data.Length)
            {
                _data = new byte[Math.Max(data.Length, _data.Length * 2)];
            }

            data.CopyTo(_data);
            _length = data.Length;
            _position = 0;
        }

        public override int Read(Span<byte> buffer)
        {
            int n = Math.Min(buffer.Length, _length - _position);
            _data.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
