using System.Runtime.InteropServices;

namespace Codecs.Lz4;

/// <summary>
/// Compresses a sequence of LZ4 blocks in which each block may reference the previous 64 KiB of input
/// (<c>LZ4_compress_fast_continue</c>), as SPICE's LZ4 images do; decode them in order with <see cref="Lz4StreamDecoder"/>.
/// </summary>
/// <remarks>
/// liblz4 normally requires earlier input to stay in place in memory. This wrapper instead copies the last 64 KiB into
/// its own buffer after each block (<c>LZ4_saveDict</c>), so callers may reuse or free their buffers freely.
/// Not thread-safe. Throws <see cref="DllNotFoundException"/> on construction when liblz4 is missing.
/// </remarks>
public sealed unsafe class Lz4StreamEncoder : IDisposable
{
    /// <summary>How far back a block may reference earlier input.</summary>
    public const int WindowSize = 64 * 1024;

    private readonly Lz4Library _lz4;
    private void* _stream;
    private byte* _dictionary;
    private int _dictionaryLength;

    public Lz4StreamEncoder()
    {
        _lz4 = Lz4Library.Instance;
        _stream = _lz4.CreateStream();
        if (_stream == null)
        {
            throw new InvalidOperationException("LZ4_createStream returned NULL (out of native memory).");
        }

        _dictionary = (byte*)NativeMemory.Alloc(WindowSize);
    }

    /// <summary>
    /// Compresses the next block. On false (the block does not fit in <paramref name="destination"/>) nothing is
    /// emitted and the encoder is as it was before the call, so the caller can retry with a larger destination.
    /// </summary>
    public bool TryEncode(ReadOnlySpan<byte> source, Span<byte> destination, out int bytesWritten, int acceleration = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(acceleration, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(acceleration, Lz4Codec.MaxAcceleration);
        Lz4Codec.CheckInputLength(source.Length, nameof(source));
        void* stream = Stream;
        byte dummy = 0;
        fixed (byte* src = source)
        fixed (byte* dst = destination)
        {
            bytesWritten = _lz4.CompressFastContinue(stream, src == null ? &dummy : src, dst == null ? &dummy : dst, source.Length, destination.Length, acceleration);
        }

        if (bytesWritten <= 0)
        {
            // A failed call leaves the stream state undefined; rebuild it from the saved history.
            bytesWritten = 0;
            _lz4.LoadDict(stream, _dictionary, _dictionaryLength);
            return false;
        }

        _dictionaryLength = _lz4.SaveDict(stream, _dictionary, WindowSize);
        return true;
    }

    /// <summary>Forgets all earlier input: the next block is independent (pair with <see cref="Lz4StreamDecoder.Reset"/>).</summary>
    public void Reset()
    {
        _dictionaryLength = 0;
        _lz4.LoadDict(Stream, _dictionary, 0);
    }

    public void Dispose()
    {
        if (_stream != null)
        {
            _lz4.FreeStream(_stream);
            _stream = null;
            NativeMemory.Free(_dictionary);
            _dictionary = null;
        }
    }

    private void* Stream
    {
        get
        {
            ObjectDisposedException.ThrowIf(_stream == null, this);
            return _stream;
        }
    }
}
