using Codecs.Spice.Glz;
using Codecs.Spice.Jpeg;
using Codecs.Spice.Lz;
using Codecs.Spice.Lz4Image;
using Codecs.Spice.Quic;

namespace Codecs.Spice.Choice;

/// <summary>
/// One display channel's image compression: <see cref="SpiceImageChooser"/> picks the type, this encodes it with the
/// channel's codec instances (QUIC, LZ, GLZ over the client's shared <see cref="GlzEncoderWindow"/>, LZ4, JPEG —
/// the native ones created on first use), keeps the smaller of GLZ/LZ and QUIC/JPEG in the ambiguous band (the
/// dictionary encode is tentative and only committed when it is sent, so the client never misses an id), wraps GLZ
/// in zlib when <see cref="ZlibGlz"/> applies and it helps, falls back to raw when nothing beats the raw size, and
/// counts everything in <see cref="Stats"/>. Not thread-safe: one per display channel (several may share a window
/// but must not encode at the same time).
/// </summary>
public sealed class SpiceImageCompressor : IDisposable
{
    private readonly GlzEncoderWindow? _glzWindow;
    private readonly GlzEncoder? _glz;
    private readonly QuicEncoder _quic = new();
    private readonly LzEncoder _lz = new();
    private Lz4ImageEncoder? _lz4;
    private SpiceJpegEncoder? _jpeg;
    private byte[] _scratch = [];
    private byte[] _flipped = [];

    /// <param name="glzWindow">This client's GLZ dictionary, or null when the client has none.</param>
    /// <param name="chooser">The choice settings; null for the defaults.</param>
    public SpiceImageCompressor(GlzEncoderWindow? glzWindow, SpiceImageChooser? chooser = null)
    {
        _glzWindow = glzWindow;
        _glz = glzWindow is null ? null : new GlzEncoder(glzWindow);
        Chooser = chooser ?? new SpiceImageChooser();
    }

    /// <summary>The choice settings.</summary>
    public SpiceImageChooser Chooser { get; }

    /// <summary>When GLZ output is wrapped in zlib (ZLIB_GLZ_RGB) if that is smaller (default: on slow links).</summary>
    public SpiceWanOption ZlibGlz { get; set; } = SpiceWanOption.Auto;

    /// <summary>JPEG quality for lossy images (default 85, as spice-server).</summary>
    public int JpegQuality { get; set; } = SpiceJpegEncoder.DefaultQuality;

    /// <summary>Counters per sent type, readable by the host from any thread.</summary>
    public SpiceImageStats Stats { get; } = new();

    /// <summary>
    /// The destination size <see cref="Compress"/> needs: the raw size, since any payload not smaller than the raw
    /// pixels is replaced by a raw bitmap.
    /// </summary>
    public static long GetMaxEncodedLength(SpiceBitmap bitmap) => bitmap.RawLength;

    /// <summary>
    /// Chooses and encodes <paramref name="bitmap"/>: the returned decision's <c>data</c> (its
    /// <see cref="SpiceImageDecision.DataLength"/> bytes) is at the start of <paramref name="destination"/>, unless
    /// the type is <see cref="SpiceImageType.Bitmap"/> (send the pixels raw).
    /// </summary>
    public SpiceImageDecision Compress(SpiceBitmap bitmap, in SpiceImageRequest request, Span<byte> destination)
    {
        bool glzFits = _glzWindow is not null && _glzWindow.CanEncode(bitmap.Width, bitmap.Height);
        SpiceImageChoice choice = Chooser.Choose(bitmap, request, glzFits);
        SpiceImageDecision decision = Execute(bitmap, request, choice, destination);
        Stats.Add(decision);
        return decision;
    }

    public void Dispose()
    {
        _lz4?.Dispose();
        _jpeg?.Dispose();
    }

    private SpiceImageDecision Execute(SpiceBitmap bitmap, in SpiceImageRequest request, SpiceImageChoice choice, Span<byte> destination)
    {
        if (choice.Primary == SpiceImageType.Bitmap)
        {
            return Raw(bitmap, choice.Reason, choice);
        }

        // A payload must be smaller than the raw pixels to be worth sending.
        int limit = (int)Math.Min(destination.Length, bitmap.RawLength - 1);
        Span<byte> dst = destination[..Math.Max(limit, 0)];
        if (!choice.IsTrial)
        {
            if (!TryEncode(choice.Primary, bitmap, dst, commit: true, out Encoded only))
            {
                return Raw(bitmap, SpiceChoiceReason.NotSmallerThanRaw, choice);
            }

            return Finish(bitmap, request, choice.Reason, choice, only, dst, SpiceImageType.Bitmap, 0);
        }

        // Trial: the dictionary codec first (cheap, tentative), then QUIC/JPEG bounded by its size, so a losing QUIC
        // stops as soon as it has produced that much.
        bool primaryOk = TryEncode(choice.Primary, bitmap, dst, commit: false, out Encoded primary);
        int alternativeLimit = !primaryOk ? limit
            : primary.Type == SpiceImageType.GlzRgb ? (int)(primary.Length * Math.Min(Chooser.GlzTrialMargin, 1.0))
            : primary.Length - 1;
        if (alternativeLimit > 0)
        {
            EnsureScratch(alternativeLimit);
            if (TryEncode(choice.Alternative, bitmap, _scratch.AsSpan(0, alternativeLimit), commit: true, out Encoded alternative))
            {
                _scratch.AsSpan(0, alternative.Length).CopyTo(destination);
                return Finish(bitmap, request, SpiceChoiceReason.SmallerInTrial, choice, alternative, dst, choice.Primary, primaryOk ? primary.Length : -1);
            }
        }

        if (!primaryOk)
        {
            return Raw(bitmap, SpiceChoiceReason.NotSmallerThanRaw, choice);
        }

        if (primary.Type == SpiceImageType.GlzRgb)
        {
            _glz!.CommitTentative();
        }

        return Finish(bitmap, request, SpiceChoiceReason.SmallerInTrial, choice, primary, dst, choice.Alternative, -1);
    }

    private SpiceImageDecision Finish(SpiceBitmap bitmap, in SpiceImageRequest request, SpiceChoiceReason reason, SpiceImageChoice choice, Encoded encoded, Span<byte> dst, SpiceImageType alternative, int alternativeLength)
    {
        bool zlib = ZlibGlz == SpiceWanOption.Always || (ZlibGlz == SpiceWanOption.Auto && request.LinkIsSlow);
        if (encoded.Type == SpiceImageType.GlzRgb && zlib && encoded.Length >= GlzZlib.MinGlzLength)
        {
            EnsureScratch(encoded.Length);
            dst[..encoded.Length].CopyTo(_scratch);
            if (GlzZlib.TryCompress(_scratch.AsSpan(0, encoded.Length), dst, out int wrapped))
            {
                encoded = encoded with { Type = SpiceImageType.ZlibGlzRgb, GlzLength = encoded.Length, Length = wrapped };
            }
        }

        return new SpiceImageDecision(
            encoded.Type, reason, choice.Graduality, bitmap.RawLength, encoded.Length, encoded.JpegLength, encoded.GlzLength,
            encoded.GlzImageId, bitmap.TopDown, alternative, alternativeLength);
    }

    private static SpiceImageDecision Raw(SpiceBitmap bitmap, SpiceChoiceReason reason, SpiceImageChoice choice) =>
        new(SpiceImageType.Bitmap, reason, choice.Graduality, bitmap.RawLength, 0, 0, 0, 0, bitmap.TopDown, SpiceImageType.Bitmap, 0);

    private bool TryEncode(SpiceImageType type, SpiceBitmap bitmap, Span<byte> dst, bool commit, out Encoded encoded)
    {
        encoded = new Encoded(type, 0, 0, 0, 0);
        int written;
        switch (type)
        {
            case SpiceImageType.Quic:
                // QUIC rows are always top-down.
                ReadOnlySpan<byte> rows = bitmap.TopDown ? bitmap.Pixels : Flip(bitmap);
                int stride = bitmap.TopDown ? bitmap.Stride : bitmap.Width * bitmap.BytesPerPixel;
                if (!_quic.TryEncode(QuicTypeOf(bitmap.Format), rows, bitmap.Width, bitmap.Height, stride, dst, out written))
                {
                    return false;
                }

                break;
            case SpiceImageType.LzRgb:
                if (!_lz.TryEncode(LzTypeOf(bitmap.Format), bitmap.Pixels, bitmap.Width, bitmap.Height, bitmap.Stride, bitmap.TopDown, dst, out written))
                {
                    return false;
                }

                break;
            case SpiceImageType.GlzRgb:
                if (!_glz!.TryEncodeTentative(LzTypeOf(bitmap.Format), bitmap.Pixels, bitmap.Width, bitmap.Height, bitmap.Stride, bitmap.TopDown, dst, out written, out ulong id))
                {
                    return false;
                }

                if (commit)
                {
                    _glz.CommitTentative();
                }

                encoded = encoded with { GlzImageId = id };
                break;
            case SpiceImageType.Lz4:
                _lz4 ??= new Lz4ImageEncoder();
                if (!_lz4.TryEncode(bitmap.Format, bitmap.Pixels, bitmap.Width, bitmap.Height, bitmap.Stride, bitmap.TopDown, dst, out written))
                {
                    return false;
                }

                break;
            case SpiceImageType.Jpeg:
                if (!Jpeg().TryEncode(bitmap.Format, bitmap.Pixels, bitmap.Width, bitmap.Height, bitmap.Stride, bitmap.TopDown, dst, out written))
                {
                    return false;
                }

                break;
            case SpiceImageType.JpegAlpha:
                if (!Jpeg().TryEncodeWithAlpha(bitmap.Pixels, bitmap.Width, bitmap.Height, bitmap.Stride, bitmap.TopDown, dst, out written, out int jpegLength))
                {
                    return false;
                }

                encoded = encoded with { JpegLength = jpegLength };
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type));
        }

        encoded = encoded with { Length = written };
        return true;
    }

    private SpiceJpegEncoder Jpeg()
    {
        _jpeg ??= new SpiceJpegEncoder();
        _jpeg.Quality = JpegQuality;
        return _jpeg;
    }

    private ReadOnlySpan<byte> Flip(SpiceBitmap bitmap)
    {
        int tight = bitmap.Width * bitmap.BytesPerPixel;
        if (_flipped.Length < (long)tight * bitmap.Height)
        {
            _flipped = new byte[tight * bitmap.Height];
        }

        for (int y = 0; y < bitmap.Height; y++)
        {
            bitmap.Pixels.Slice((bitmap.Height - 1 - y) * bitmap.Stride, tight).CopyTo(_flipped.AsSpan(y * tight));
        }

        return _flipped.AsSpan(0, tight * bitmap.Height);
    }

    private void EnsureScratch(int length)
    {
        if (_scratch.Length < length)
        {
            _scratch = new byte[Math.Max(length, _scratch.Length * 2)];
        }
    }

    private static QuicImageType QuicTypeOf(SpiceBitmapFormat format) => format switch
    {
        SpiceBitmapFormat.Rgb16 => QuicImageType.Rgb16,
        SpiceBitmapFormat.Rgb24 => QuicImageType.Rgb24,
        SpiceBitmapFormat.Rgba => QuicImageType.Rgba,
        _ => QuicImageType.Rgb32,
    };

    private static LzImageType LzTypeOf(SpiceBitmapFormat format) => format switch
    {
        SpiceBitmapFormat.Rgb16 => LzImageType.Rgb16,
        SpiceBitmapFormat.Rgb24 => LzImageType.Rgb24,
        SpiceBitmapFormat.Rgba => LzImageType.Rgba,
        _ => LzImageType.Rgb32,
    };

    private readonly record struct Encoded(SpiceImageType Type, int Length, int JpegLength, int GlzLength, ulong GlzImageId);
}
