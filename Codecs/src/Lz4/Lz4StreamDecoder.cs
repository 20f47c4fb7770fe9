using System.Runtime.InteropServices;

namespace Codecs.Lz4;

/// <summary>
/// Decodes, in order, the blocks of an <see cref="Lz4StreamEncoder"/> (or of any <c>LZ4_compress_*_continue</c>
/// stream): each block may reference the previous 64 KiB of decoded output (<c>LZ4_decompress_safe_continue</c>).
/// </summary>
/// <remarks>
/// The decoder keeps its own copy of the last 64 KiB of output and hands it to liblz4 as the dictionary of each block
/// (<c>LZ4_setStreamDecode</c>), so each block may be decoded into any buffer. Not thread-safe. Throws
/// <see cref="DllNotFoundException"/> on construction when liblz4 is missing.
/// </remarks>
public sealed unsafe class Lz4StreamDecoder : IDisposable
{
    private readonly Lz4Library _lz4;
    private void* _stream;
    private byte* _history;
    private int _historyLength;

    public Lz4StreamDecoder()
    {
        _lz4 = Lz4Library.Instance;
        _stream = _lz4.CreateStreamDecode();
        if (_stream == null)
        {
            throw new InvalidOperationException("LZ4_createStreamDecode returned NULL (out of native memory).");
        }

        _history = (byte*)NativeMemory.Alloc(Lz4StreamEncoder.WindowSize);
    }

    /// <summary>Decodes the next block into <paramref name="destination"/> and returns the number of bytes produced.</summary>
    /// <exception cref="CodecDataException">
    /// The block is malformed, references data before the stream start, or decodes to more than
    /// <paramref name="destination"/> holds. The decoder's history is unchanged, but the stream is broken: reset it.
    /// </exception>
    public int Decode(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        void* stream = Stream;
        if (source.IsEmpty)
        {
            Lz4Codec.ThrowMalformed(0);
        }

        byte dummy = 0;
        int result;
        fixed (byte* src = source)
        fixed (byte* dst = destination)
        {
            _lz4.SetStreamDecode(stream, _history, _historyLength);
            result = _lz4.DecompressSafeContinue(stream, src, dst == null ? &dummy : dst, source.Length, destination.Length);
        }

        if (result < 0)
        {
            Lz4Codec.ThrowMalformed(Lz4Codec.ErrorOffset(result, source.Length));
        }

        AppendHistory(destination[..result]);
        return result;
    }

    /// <summary>Forgets all earlier output (pair with <see cref="Lz4StreamEncoder.Reset"/>).</summary>
    public void Reset()
    {
        _ = Stream;
        _historyLength = 0;
    }

    public void Dispose()
    {
        if (_stream != null)
        {
            _lz4.FreeStreamDecode(_stream);
            _stream = null;
            NativeMemory.Free(_history);
            _history = null;
        }
    }

    private void AppendHistory(ReadOnlySpan<byte> output)
    {
        var history = new Span<byte>(_history, Lz4StreamEncoder.WindowSize);
        if (output.Length >= history.Length)
        {
            output[^history.Length..].CopyTo(history);
            _historyLength = history.Length;
            return;
        }

        // Keep the newest (window − output) bytes of the old history, then append the output.
        int keep = Math.Min(_historyLength, history.Length - output.Length);
        history.Slice(_historyLength - keep, keep).CopyTo(history);
        output.CopyTo(history[keep..]);
        _historyLength = keep + output.Length;
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
