using System.Buffers;
using Codecs.Pixels;

namespace Codecs.Jpeg;

/// <summary>
/// JPEG compression of canonical (<see cref="PixelFormat.Bgrx32"/>) pixels through libturbojpeg. One instance holds one
/// TurboJPEG handle and an output buffer; it is not thread-safe (use one per encoder lane).
/// </summary>
/// <exception cref="DllNotFoundException">libturbojpeg is missing; the message names the Debian package <c>libturbojpeg0</c>.</exception>
public sealed unsafe class TurboJpegCompressor : IDisposable
{
    private readonly TurboJpegLibrary _library;
    private nint _handle;
    private byte[] _output = [];

    public TurboJpegCompressor()
    {
        _library = TurboJpegLibrary.Instance;
        _handle = _library.InitCompress();
        if (_handle == 0)
        {
            throw new InvalidOperationException("tjInitCompress failed.");
        }
    }

    /// <summary>True when libturbojpeg can be loaded on this machine.</summary>
    public static bool IsAvailable => TurboJpegLibrary.IsAvailable;

    /// <summary>Use the fast, slightly less accurate integer DCT (TurboVNC/neatvnc do).</summary>
    public bool FastDct { get; set; } = true;

    /// <summary>Compresses <paramref name="source"/>; the returned JFIF bytes are valid until the next call.</summary>
    /// <param name="source">Canonical pixels, any stride.</param>
    /// <param name="quality">JPEG quality 1..100.</param>
    /// <param name="subsampling">Chroma subsampling.</param>
    public ReadOnlySpan<byte> Compress(ReadOnlyImageView source, int quality, JpegSubsampling subsampling)
    {
        ObjectDisposedException.ThrowIf(_handle == 0, this);
        if (!source.Format.IsCanonical)
        {
            throw new ArgumentException("JPEG input must be canonical Bgrx32 pixels.", nameof(source));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);
        if (source.Width == 0 || source.Height == 0)
        {
            throw new ArgumentException("JPEG images cannot be empty.", nameof(source));
        }

        int bound = checked((int)_library.BufSize(source.Width, source.Height, (int)subsampling));
        if (_output.Length < bound)
        {
            _output = new byte[bound];
        }

        int flags = TurboJpegLibrary.FlagNoRealloc | (FastDct ? TurboJpegLibrary.FlagFastDct : TurboJpegLibrary.FlagAccurateDct);
        fixed (byte* src = source.Data)
        fixed (byte* dst = _output)
        {
            byte* jpeg = dst;
            nuint size = (nuint)_output.Length;
            int result = _library.Compress2(
                _handle, src, source.Width, source.Stride, source.Height, TurboJpegLibrary.PixelFormatBgrx,
                &jpeg, &size, (int)subsampling, quality, flags);
            if (result != 0 || jpeg != dst)
            {
                throw new InvalidOperationException("tjCompress2 failed: " + _library.ErrorOf(_handle));
            }

            return _output.AsSpan(0, (int)size);
        }
    }

    /// <summary>Compresses into a writer.</summary>
    public int Compress<TWriter>(ReadOnlyImageView source, int quality, JpegSubsampling subsampling, TWriter writer)
        where TWriter : IBufferWriter<byte>
    {
        ArgumentNullException.ThrowIfNull(writer);
        ReadOnlySpan<byte> jpeg = Compress(source, quality, subsampling);
        jpeg.CopyTo(writer.GetSpan(jpeg.Length));
        writer.Advance(jpeg.Length);
        return jpeg.Length;
    }

    public void Dispose()
    {
        if (_handle != 0)
        {
            _library.Destroy(_handle);
            _handle = 0;
        }
    }
}
