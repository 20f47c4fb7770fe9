using Codecs.Pixels;

namespace Codecs.Jpeg;

/// <summary>
/// JPEG decompression into canonical (<see cref="PixelFormat.Bgrx32"/>) views through libturbojpeg. Malformed data,
/// including data that only draws a warning (truncation), raises <see cref="CodecDataException"/> with format "jpeg".
/// </summary>
public sealed unsafe class TurboJpegDecompressor : IDisposable
{
    private readonly TurboJpegLibrary _library;
    private nint _handle;

    public TurboJpegDecompressor()
    {
        _library = TurboJpegLibrary.Instance;
        _handle = _library.InitDecompress();
        if (_handle == 0)
        {
            throw new InvalidOperationException("tjInitDecompress failed.");
        }
    }

    /// <summary>Reads the image size and subsampling from the JPEG header.</summary>
    public (int Width, int Height, JpegSubsampling Subsampling) ReadHeader(ReadOnlySpan<byte> jpeg, long offset = 0)
    {
        ObjectDisposedException.ThrowIf(_handle == 0, this);
        int width = 0, height = 0, subsampling = 0, colourspace = 0;
        fixed (byte* src = jpeg)
        {
            if (jpeg.IsEmpty || _library.DecompressHeader3(_handle, src, (nuint)jpeg.Length, &width, &height, &subsampling, &colourspace) != 0)
            {
                CodecDataException.Throw("jpeg", offset, "bad JPEG header: " + _library.ErrorOf(_handle));
            }
        }

        return (width, height, (JpegSubsampling)subsampling);
    }

    /// <summary>Decompresses <paramref name="jpeg"/>, whose size must equal the destination's, into a canonical view.</summary>
    public void Decompress(ReadOnlySpan<byte> jpeg, ImageView destination, long offset = 0)
    {
        if (!destination.Format.IsCanonical)
        {
            throw new ArgumentException("JPEG output is canonical Bgrx32 pixels.", nameof(destination));
        }

        (int width, int height, _) = ReadHeader(jpeg, offset);
        if (width != destination.Width || height != destination.Height)
        {
            CodecDataException.Throw("jpeg", offset, $"JPEG is {width}x{height}, the rectangle {destination.Width}x{destination.Height}");
        }

        fixed (byte* src = jpeg)
        fixed (byte* dst = destination.Data)
        {
            int flags = TurboJpegLibrary.FlagStopOnWarning | TurboJpegLibrary.FlagLimitScans;
            if (_library.Decompress2(_handle, src, (nuint)jpeg.Length, dst, width, destination.Stride, height, TurboJpegLibrary.PixelFormatBgrx, flags) != 0)
            {
                CodecDataException.Throw("jpeg", offset, "bad JPEG data: " + _library.ErrorOf(_handle));
            }
        }
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
