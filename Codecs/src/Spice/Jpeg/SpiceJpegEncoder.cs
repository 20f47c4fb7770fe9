using Codecs.Jpeg;
using Codecs.Pixels;
using Codecs.Spice.Lz;
using Codecs.Spice.Lz4Image;

namespace Codecs.Spice.Jpeg;

/// <summary>
/// SPICE JPEG (image type 105) and JPEG_ALPHA (108) encoder over libturbojpeg. The JPEG part is always top-down (the
/// server feeds bottom-up bitmaps in reverse), whatever the source's row order; JPEG_ALPHA appends an LZ stream of
/// type XXXA over the alpha bytes in source memory order, whose <c>top_down</c> equals the payload's flag, as
/// spice-common's <c>canvas_get_jpeg_alpha</c> checks. Reuse one instance per client; not thread-safe.
/// </summary>
/// <exception cref="DllNotFoundException">libturbojpeg is missing (Debian package <c>libturbojpeg0</c>).</exception>
public sealed class SpiceJpegEncoder : IDisposable
{
    /// <summary>spice-server's image JPEG quality (<c>jpeg_quality = 85</c> in <c>dcc.cpp</c>).</summary>
    public const int DefaultQuality = 85;

    private readonly TurboJpegCompressor _compressor = new();
    private readonly LzEncoder _alpha = new();
    private byte[] _rows = [];
    private int _quality = DefaultQuality;

    /// <summary>JPEG quality 1..100 (default 85, as spice-server).</summary>
    public int Quality
    {
        get => _quality;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, 100);
            _quality = value;
        }
    }

    /// <summary>Chroma subsampling (default 4:2:0, libjpeg's default for RGB input as spice-server uses it).</summary>
    public JpegSubsampling Subsampling { get; set; } = JpegSubsampling.Yuv420;

    /// <summary>The fast integer DCT (default false: spice-server keeps libjpeg's accurate default for images).</summary>
    public bool FastDct
    {
        get => _compressor.FastDct;
        set => _compressor.FastDct = value;
    }

    /// <summary>Upper bound of a JPEG payload (libturbojpeg's 4:4:4 buffer bound).</summary>
    public static unsafe long GetMaxEncodedLength(int width, int height) =>
        (long)TurboJpegLibrary.Instance.BufSize(width, height, (int)JpegSubsampling.Yuv444);

    /// <summary>Upper bound of a JPEG_ALPHA <c>data</c> (JPEG, then the XXXA LZ stream).</summary>
    public static long GetMaxEncodedLengthWithAlpha(int width, int height) =>
        GetMaxEncodedLength(width, height) + LzEncoder.GetMaxEncodedLength(LzImageType.Xxxa, width, height);

    /// <summary>
    /// Encodes a JPEG payload (the <c>data</c> of image type 105) from <paramref name="height"/> rows of
    /// <paramref name="stride"/> bytes in memory order; <paramref name="topDown"/> false means the first row is the
    /// bottom of the image. Returns false when <paramref name="destination"/> is too small.
    /// </summary>
    public bool TryEncode(SpiceBitmapFormat format, ReadOnlySpan<byte> pixels, int width, int height, int stride, bool topDown, Span<byte> destination, out int bytesWritten)
    {
        CheckSource(format, pixels, width, height, stride);
        ReadOnlySpan<byte> jpeg = Compress(format, pixels, width, height, stride, topDown);
        bytesWritten = 0;
        if (jpeg.Length > destination.Length)
        {
            return false;
        }

        jpeg.CopyTo(destination);
        bytesWritten = jpeg.Length;
        return true;
    }

    /// <summary>
    /// Encodes a JPEG_ALPHA <c>data</c> (image type 108) from RGBA pixels: the JPEG of the colour (top-down), then the
    /// LZ XXXA stream of the alpha bytes in memory order. The payload header is
    /// <see cref="SpiceJpegAlphaHeader"/>(<paramref name="topDown"/>, <paramref name="jpegLength"/>, <paramref name="bytesWritten"/>).
    /// Returns false when <paramref name="destination"/> is too small.
    /// </summary>
    public bool TryEncodeWithAlpha(ReadOnlySpan<byte> pixels, int width, int height, int stride, bool topDown, Span<byte> destination, out int bytesWritten, out int jpegLength)
    {
        CheckSource(SpiceBitmapFormat.Rgba, pixels, width, height, stride);
        bytesWritten = 0;
        ReadOnlySpan<byte> jpeg = Compress(SpiceBitmapFormat.Rgba, pixels, width, height, stride, topDown);
        jpegLength = jpeg.Length;
        if (jpeg.Length > destination.Length)
        {
            return false;
        }

        jpeg.CopyTo(destination);
        if (!_alpha.TryEncode(LzImageType.Xxxa, pixels, width, height, stride, topDown, destination[jpeg.Length..], out int alphaLength))
        {
            return false;
        }

        bytesWritten = jpeg.Length + alphaLength;
        return true;
    }

    public void Dispose() => _compressor.Dispose();

    private static void CheckSource(SpiceBitmapFormat format, ReadOnlySpan<byte> pixels, int width, int height, int stride)
    {
        int bpp = Lz4ImageEncoder.BytesPerPixel(format);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, width * bpp);
        if (pixels.Length < ((long)(height - 1) * stride) + ((long)width * bpp))
        {
            throw new ArgumentException("Pixel buffer smaller than height × stride.", nameof(pixels));
        }
    }

    private ReadOnlySpan<byte> Compress(SpiceBitmapFormat format, ReadOnlySpan<byte> pixels, int width, int height, int stride, bool topDown)
    {
        // 32-bit top-down rows go to libturbojpeg as they are (it ignores byte 3); anything else is gathered into
        // top-down B,G,R,X rows first, as spice-server converts each line to RGB24 before libjpeg.
        if (topDown && format is SpiceBitmapFormat.Rgb32 or SpiceBitmapFormat.Rgba)
        {
            var view = new ReadOnlyImageView(pixels[..(((height - 1) * stride) + (width * 4))], width, height, stride, PixelFormat.Bgrx32);
            return _compressor.Compress(view, _quality, Subsampling);
        }

        int tight = width * 4;
        if (_rows.Length < tight * height)
        {
            _rows = new byte[tight * height];
        }

        for (int y = 0; y < height; y++)
        {
            ReadOnlySpan<byte> src = pixels.Slice((topDown ? y : height - 1 - y) * stride);
            Span<byte> dst = _rows.AsSpan(y * tight, tight);
            switch (format)
            {
                case SpiceBitmapFormat.Rgb32 or SpiceBitmapFormat.Rgba:
                    src[..tight].CopyTo(dst);
                    break;
                case SpiceBitmapFormat.Rgb24:
                    for (int x = 0; x < width; x++)
                    {
                        dst[(x * 4) + 0] = src[(x * 3) + 0];
                        dst[(x * 4) + 1] = src[(x * 3) + 1];
                        dst[(x * 4) + 2] = src[(x * 3) + 2];
                        dst[(x * 4) + 3] = 0;
                    }

                    break;
                default: // x555, expanded as spice-common does: (v << 3) | (v >> 2)
                    for (int x = 0; x < width; x++)
                    {
                        int v = src[x * 2] | (src[(x * 2) + 1] << 8);
                        int b = v & 31, g = (v >> 5) & 31, r = (v >> 10) & 31;
                        dst[(x * 4) + 0] = (byte)((b << 3) | (b >> 2));
                        dst[(x * 4) + 1] = (byte)((g << 3) | (g >> 2));
                        dst[(x * 4) + 2] = (byte)((r << 3) | (r >> 2));
                        dst[(x * 4) + 3] = 0;
                    }

                    break;
            }
        }

        return _compressor.Compress(new ReadOnlyImageView(_rows.AsSpan(0, tight * height), width, height, tight, PixelFormat.Bgrx32), _quality, Subsampling);
    }
}
