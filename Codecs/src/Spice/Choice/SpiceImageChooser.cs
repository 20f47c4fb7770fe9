using Codecs.Spice.Lz4Image;

namespace Codecs.Spice.Choice;

/// <summary>What one image needs from the client and the session to choose its compression.</summary>
public readonly record struct SpiceImageRequest
{
    /// <summary>The server setting, or the client's preferred compression when it sent one.</summary>
    public SpiceImageCompression Compression { get; init; }

    /// <summary>The client has a GLZ dictionary (a window from DISPLAY_INIT).</summary>
    public bool GlzAvailable { get; init; }

    /// <summary>The image may be sent lossy (the source bitmap of a plain copy that nothing later reads back).</summary>
    public bool LossyAllowed { get; init; }

    /// <summary>The link was measured slow (spice-server: net test under 10 Mbit/s).</summary>
    public bool LinkIsSlow { get; init; }

    /// <summary>The client advertised <c>SPICE_DISPLAY_CAP_LZ4_COMPRESSION</c>.</summary>
    public bool Lz4Supported { get; init; }
}

/// <summary>Why an image got its type.</summary>
public enum SpiceChoiceReason : byte
{
    /// <summary>Fewer than 54 bytes of pixels (spice-server's <c>MIN_SIZE_TO_COMPRESS</c>): raw.</summary>
    TooSmall,

    /// <summary>Compression is off: raw.</summary>
    CompressionOff,

    /// <summary>The requested compression is a fixed codec and it applies.</summary>
    Forced,

    /// <summary>The fixed codec cannot take this image (QUIC under 3×3, no GLZ dictionary or too big for it, no LZ4 capability): its substitute.</summary>
    ForcedFallback,

    /// <summary>Automatic, under 3×3 pixels, so QUIC is impossible: GLZ or LZ.</summary>
    QuicImpossible,

    /// <summary>Automatic, the graduality score is clearly photographic: QUIC (JPEG when lossy applies).</summary>
    Photographic,

    /// <summary>Automatic, the graduality score is clearly synthetic: GLZ or LZ.</summary>
    Synthetic,

    /// <summary>Automatic, the score is in the band where neither side reliably wins: both were encoded and the smaller kept.</summary>
    SmallerInTrial,

    /// <summary>Every candidate was at least as large as the raw pixels: raw.</summary>
    NotSmallerThanRaw,
}

/// <summary>The plan for one image: the type to encode first and, in the ambiguous band, the one to compare it with.</summary>
public readonly record struct SpiceImageChoice(SpiceImageType Primary, SpiceImageType Alternative, SpiceChoiceReason Reason, Graduality Graduality)
{
    /// <summary>True when <see cref="Alternative"/> must be encoded too and the smaller kept.</summary>
    public bool IsTrial => Alternative != SpiceImageType.Bitmap;
}

/// <summary>
/// The automatic image compression choice, spice-server's <c>get_compression_for_bitmap</c> made measurably better:
/// tiny images raw; forced modes as the server maps them (with LZ rather than raw when QUIC cannot take an image);
/// in the automatic modes the graduality estimate picks QUIC for photographic content and GLZ (AUTO_GLZ, when the
/// client has a dictionary the image fits in) or LZ otherwise — except in a band around the server's threshold
/// where, on the corpus, neither side reliably wins: there both are encoded (<see cref="SpiceImageCompressor"/>
/// bounds the second encode by the first's size) and the smaller is sent. QUIC becomes JPEG (JPEG_ALPHA for RGBA)
/// when the image may be lossy and JPEG applies (<see cref="Jpeg"/>: always, or on slow links).
/// Stateless apart from its settings; safe to share once configured.
/// </summary>
public sealed class SpiceImageChooser
{
    /// <summary>spice-server's <c>MIN_SIZE_TO_COMPRESS</c>: images with fewer bytes (height × stride) go raw.</summary>
    public const int MinBytesToCompress = 54;

    /// <summary>QUIC needs at least 3×3 pixels (<c>MIN_DIMENSION_TO_QUIC</c>).</summary>
    public const int MinQuicDimension = 3;

    /// <summary>When JPEG replaces QUIC for lossy-allowed images (default: on slow links only).</summary>
    public SpiceWanOption Jpeg { get; init; } = SpiceWanOption.Auto;

    /// <summary>Scores below this are photographic without a trial (default −0.03, the server's HIGH threshold).</summary>
    public double PhotographicBelow { get; init; } = GradualityEstimator.HighThreshold;

    /// <summary>Scores at or above this are synthetic without a trial (default 0.02; see docs/spice-codecs.md).</summary>
    public double SyntheticFrom { get; init; } = 0.02;

    /// <summary>
    /// In a trial against GLZ, QUIC/JPEG must come below this fraction of the GLZ size to be sent (default 0.9): a
    /// GLZ image joins the client's dictionary and later images can reference it, a QUIC image cannot. Against LZ
    /// the smaller simply wins.
    /// </summary>
    public double GlzTrialMargin { get; init; } = 0.9;

    /// <summary>True when JPEG replaces QUIC for this request.</summary>
    public bool UsesJpeg(in SpiceImageRequest request) =>
        request.LossyAllowed && (Jpeg == SpiceWanOption.Always || (Jpeg == SpiceWanOption.Auto && request.LinkIsSlow));

    /// <summary>
    /// Chooses the compression of <paramref name="bitmap"/>. <paramref name="glzFits"/> says whether this client's
    /// GLZ dictionary can take the image (see <see cref="SpiceImageCompressor"/>); it is ignored unless
    /// <see cref="SpiceImageRequest.GlzAvailable"/>.
    /// </summary>
    public SpiceImageChoice Choose(SpiceBitmap bitmap, in SpiceImageRequest request, bool glzFits)
    {
        Graduality none = Graduality.NotMeasured;
        if ((long)bitmap.Height * bitmap.Stride < MinBytesToCompress)
        {
            return new(SpiceImageType.Bitmap, SpiceImageType.Bitmap, SpiceChoiceReason.TooSmall, none);
        }

        SpiceImageCompression mode = request.Compression == SpiceImageCompression.Invalid ? SpiceImageCompression.AutoGlz : request.Compression;
        bool canQuic = bitmap.Width >= MinQuicDimension && bitmap.Height >= MinQuicDimension;
        bool canGlz = request.GlzAvailable && glzFits;
        SpiceImageType quic = !UsesJpeg(request) ? SpiceImageType.Quic
            : bitmap.Format == SpiceBitmapFormat.Rgba ? SpiceImageType.JpegAlpha
            : SpiceImageType.Jpeg;
        switch (mode)
        {
            case SpiceImageCompression.Off:
                return new(SpiceImageType.Bitmap, SpiceImageType.Bitmap, SpiceChoiceReason.CompressionOff, none);
            case SpiceImageCompression.Quic:
                return canQuic ? new(quic, SpiceImageType.Bitmap, SpiceChoiceReason.Forced, none)
                    : new(SpiceImageType.LzRgb, SpiceImageType.Bitmap, SpiceChoiceReason.ForcedFallback, none);
            case SpiceImageCompression.Glz:
                return canGlz ? new(SpiceImageType.GlzRgb, SpiceImageType.Bitmap, SpiceChoiceReason.Forced, none)
                    : new(SpiceImageType.LzRgb, SpiceImageType.Bitmap, SpiceChoiceReason.ForcedFallback, none);
            case SpiceImageCompression.Lz4:
                return request.Lz4Supported ? new(SpiceImageType.Lz4, SpiceImageType.Bitmap, SpiceChoiceReason.Forced, none)
                    : new(SpiceImageType.LzRgb, SpiceImageType.Bitmap, SpiceChoiceReason.ForcedFallback, none);
            case SpiceImageCompression.Lz:
                return new(SpiceImageType.LzRgb, SpiceImageType.Bitmap, SpiceChoiceReason.Forced, none);
            case SpiceImageCompression.AutoGlz or SpiceImageCompression.AutoLz:
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(request), $"Unknown image compression {request.Compression}.");
        }

        SpiceImageType dictionary = mode == SpiceImageCompression.AutoGlz && canGlz ? SpiceImageType.GlzRgb : SpiceImageType.LzRgb;
        if (!canQuic)
        {
            return new(dictionary, SpiceImageType.Bitmap, SpiceChoiceReason.QuicImpossible, none);
        }

        Graduality graduality = GradualityEstimator.Measure(bitmap);
        if (graduality.Score < PhotographicBelow)
        {
            return new(quic, SpiceImageType.Bitmap, SpiceChoiceReason.Photographic, graduality);
        }

        if (graduality.Score >= SyntheticFrom)
        {
            return new(dictionary, SpiceImageType.Bitmap, SpiceChoiceReason.Synthetic, graduality);
        }

        return new(dictionary, quic, SpiceChoiceReason.SmallerInTrial, graduality);
    }
}
