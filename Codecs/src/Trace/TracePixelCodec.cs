using System.IO.Compression;
using Codecs.Lz4;
using Codecs.Pixels;

namespace Codecs.Trace;

/// <summary>
/// Compresses the pixel data of RECT and CURSOR_SHAPE records: the rows of a rectangle, packed, as raw bytes, one LZ4
/// block or one zlib stream. Owns the scratch buffers, which grow to the largest rectangle seen and are then reused.
/// </summary>
internal sealed class TracePixelEncoder : IDisposable
{
    private readonly TraceWriterOptions _options;
    private readonly MemoryStream _zlibOutput = new();
    private byte[] _packed = [];
    private byte[] _lz4Output = [];

    public TracePixelEncoder(TraceWriterOptions options) => _options = options;

    public void Dispose() => _zlibOutput.Dispose();

    /// <summary>
    /// Encodes the pixels of <paramref name="pixels"/> with the configured codec, or raw when that is not smaller.
    /// <paramref name="data"/> stays valid until the next call (it may point into <paramref name="pixels"/>).
    /// </summary>
    public TraceCodec Encode(ReadOnlyImageView pixels, out ReadOnlySpan<byte> data)
    {
        int rawLength = pixels.Width * pixels.BytesPerPixel * pixels.Height;
        switch (_options.Codec)
        {
            case TraceCodec.Zlib:
                _zlibOutput.SetLength(0);
                using (var zlib = new ZLibStream(_zlibOutput, new ZLibCompressionOptions { CompressionLevel = _options.ZlibLevel }, leaveOpen: true))
                {
                    for (int y = 0; y < pixels.Height; y++)
                    {
                        zlib.Write(pixels.Row(y));
                    }
                }

                if (_zlibOutput.Length < rawLength)
                {
                    data = _zlibOutput.GetBuffer().AsSpan(0, (int)_zlibOutput.Length);
                    return TraceCodec.Zlib;
                }

                break;

            case TraceCodec.Lz4:
                ReadOnlySpan<byte> packed = Pack(pixels, rawLength);
                if (_lz4Output.Length < rawLength)
                {
                    _lz4Output = new byte[Math.Max(rawLength, _lz4Output.Length * 2)];
                }

                // A destination one byte shorter than the raw data: liblz4 gives up as soon as the block would not be smaller.
                Span<byte> destination = _lz4Output.AsSpan(0, rawLength - 1);
                int written;
                bool fits = _options.Lz4HighCompressionLevel > 0
                    ? Lz4Codec.TryEncodeHighCompression(packed, destination, out written, _options.Lz4HighCompressionLevel)
                    : Lz4Codec.TryEncode(packed, destination, out written);
                if (fits)
                {
                    data = _lz4Output.AsSpan(0, written);
                    return TraceCodec.Lz4;
                }

                data = packed;
                return TraceCodec.Raw;
        }

        data = Pack(pixels, rawLength);
        return TraceCodec.Raw;
    }

    private ReadOnlySpan<byte> Pack(ReadOnlyImageView pixels, int rawLength)
    {
        if (pixels.IsContiguous)
        {
            return pixels.Data[..rawLength];
        }

        if (_packed.Length < rawLength)
        {
            _packed = new byte[Math.Max(rawLength, _packed.Length * 2)];
        }

        int rowBytes = pixels.Width * pixels.BytesPerPixel;
        for (int y = 0; y < pixels.Height; y++)
        {
            pixels.Row(y).CopyTo(_packed.AsSpan(y * rowBytes, rowBytes));
        }

        return _packed.AsSpan(0, rawLength);
    }
}

/// <summary>Decodes the pixel data of RECT and CURSOR_SHAPE records; every failure is a <see cref="CodecDataException"/>.</summary>
internal sealed class TracePixelDecoder
{
    private readonly byte[] _probe = new byte[1];
    private byte[] _scratch = [];

    /// <summary>
    /// Decodes <paramref name="length"/> bytes at <paramref name="offset"/> of <paramref name="buffer"/>, which must
    /// produce exactly the pixels of <paramref name="destination"/>; <paramref name="fileOffset"/> is where the data
    /// starts in the trace, for error offsets.
    /// </summary>
    public void Decode(TraceCodec codec, byte[] buffer, int offset, int length, ImageView destination, long fileOffset)
    {
        int rowBytes = destination.Width * destination.BytesPerPixel;
        int rawLength = rowBytes * destination.Height;
        switch (codec)
        {
            case TraceCodec.Raw:
                for (int y = 0; y < destination.Height; y++)
                {
                    buffer.AsSpan(offset + y * rowBytes, rowBytes).CopyTo(destination.Row(y));
                }

                return;

            case TraceCodec.Lz4:
                bool direct = destination.AsReadOnly().IsContiguous;
                if (!direct && _scratch.Length < rawLength)
                {
                    _scratch = new byte[Math.Max(rawLength, Math.Min(_scratch.Length * 2, TraceFormat.MaxRectBytes))];
                }

                Span<byte> target = direct ? destination.Data[..rawLength] : _scratch.AsSpan(0, rawLength);
                int produced;
                try
                {
                    produced = Lz4Codec.Decode(buffer.AsSpan(offset, length), target);
                }
                catch (CodecDataException ex)
                {
                    TraceThrowHelper.ThrowInvalid(fileOffset + Math.Max(ex.Offset, 0), "malformed LZ4 block or more pixels than the rectangle holds", ex);
                    return;
                }

                if (produced != rawLength)
                {
                    TraceThrowHelper.ThrowInvalid(fileOffset, $"LZ4 block decodes to {produced} bytes, the rectangle needs {rawLength}");
                }

                if (!direct)
                {
                    for (int y = 0; y < destination.Height; y++)
                    {
                        target.Slice(y * rowBytes, rowBytes).CopyTo(destination.Row(y));
                    }
                }

                return;

            case TraceCodec.Zlib:
                DecodeZlib(buffer, offset, length, destination, fileOffset);
                return;

            default:
                TraceThrowHelper.ThrowInvalid(fileOffset, $"unknown pixel codec {(byte)codec}");
                return;
        }
    }

    private void DecodeZlib(byte[] buffer, int offset, int length, ImageView destination, long fileOffset)
    {
        try
        {
            using var source = new MemoryStream(buffer, offset, length, writable: false);
            using var zlib = new ZLibStream(source, CompressionMode.Decompress);
            for (int y = 0; y < destination.Height; y++)
            {
                zlib.ReadExactly(destination.Row(y));
            }

            // Reading on to the end of the stream verifies its Adler-32; any byte more would overflow the rectangle.
            if (zlib.Read(_probe) != 0)
            {
                TraceThrowHelper.ThrowInvalid(fileOffset, "zlib data decodes to more pixels than the rectangle holds");
            }
        }
        catch (CodecDataException)
        {
            throw;
        }
        catch (EndOfStreamException ex)
        {
            TraceThrowHelper.ThrowInvalid(fileOffset, "zlib data decodes to fewer pixels than the rectangle holds", ex);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            TraceThrowHelper.ThrowInvalid(fileOffset, $"corrupt zlib data ({ex.Message})", ex);
        }
    }
}
