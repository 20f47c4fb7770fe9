using Codecs.Spice.Lz4Image;

namespace Codecs.Spice.Choice;

/// <summary>spice-server's <c>BitmapGradualType</c>.</summary>
public enum GradualityLevel : byte
{
    Invalid = 0,

    /// <summary>Not measured (palette formats, or the choice did not need it).</summary>
    NotAvailable = 1,

    /// <summary>Synthetic content: flat areas and sharp edges (text, UI).</summary>
    Low = 2,

    /// <summary>Between the two; spice-server's stream detection counts it as gradual.</summary>
    Medium = 3,

    /// <summary>Photographic content: small colour steps between neighbours.</summary>
    High = 4,
}

/// <summary>The graduality estimate of one bitmap: the mean sample score, its level and the number of pixel squares sampled.</summary>
public readonly record struct Graduality(double Score, GradualityLevel Level, int Samples)
{
    /// <summary>The value of a decision that did not measure graduality.</summary>
    public static Graduality NotMeasured => new(double.NaN, GradualityLevel.NotAvailable, 0);
}

/// <summary>
/// spice-server's graduality estimate (<c>bitmap_get_graduality_level</c>): every 15th pixel (14th when 15 divides
/// the width), starting in the middle of the first row, is compared with its right, lower and lower-right
/// neighbours. Each pair scores +0.5 when identical, +1 when some channel differs by at least 60 (8 for x555) and
/// −0.25 for a small step; a square of three identical pairs scores 0. The mean over all pairs below −0.03 (0 for
/// x555) is <see cref="GradualityLevel.High"/>, below 0.002 <see cref="GradualityLevel.Medium"/>, else
/// <see cref="GradualityLevel.Low"/>. The whole bitmap is one chunk here (the server scores per chunk and sums).
/// </summary>
public static class GradualityEstimator
{
    /// <summary>Score below which 24/32-bit content is photographic (<c>GRADUAL_HIGH_RGB24_TH</c>).</summary>
    public const double HighThreshold = -0.03;

    /// <summary>Score below which x555 content is photographic (<c>GRADUAL_HIGH_RGB16_TH</c>).</summary>
    public const double HighThresholdRgb16 = 0;

    /// <summary>Score below which content is at least medium (<c>GRADUAL_MEDIUM_SCORE_TH</c>).</summary>
    public const double MediumThreshold = 0.002;

    private const int SampleJump = 15;

    /// <summary>Samples <paramref name="bitmap"/> and classifies it.</summary>
    public static Graduality Measure(SpiceBitmap bitmap)
    {
        int width = bitmap.Width;
        int height = bitmap.Height;
        if (width <= 1 || height <= 1)
        {
            return new Graduality(1.0, GradualityLevel.Low, 1);
        }

        bool rgb16 = bitmap.Format == SpiceBitmapFormat.Rgb16;
        int bpp = bitmap.BytesPerPixel;
        int contrast = rgb16 ? 8 : 60;
        int jump = SampleJump % width != 0 ? SampleJump : SampleJump - 1;
        ReadOnlySpan<byte> px = bitmap.Pixels;
        int stride = bitmap.Stride;

        // Scores are kept in quarters (identical 2, contrast 4, step −1) so the sum is exact.
        long quarters = 0;
        int samples = 0;
        long last = (long)(height - 1) * width;
        for (long p = width / 2; p < last; p += jump)
        {
            int row = (int)(p / width);
            int col = (int)(p % width);
            if (col == width - 1)
            {
                col--;
            }

            // Row order does not matter to the score: "below" is the next row in memory, as in the server.
            int at = (row * stride) + (col * bpp);
            int below = at + stride;
            int right = PairScore(px, at, at + bpp, rgb16, contrast);
            int down = PairScore(px, at, below, rgb16, contrast);
            int diagonal = PairScore(px, at, below + bpp, rgb16, contrast);
            if (!(right == 2 && down == 2 && diagonal == 2))
            {
                quarters += right + down + diagonal;
            }

            samples++;
        }

        double score = quarters / 4.0 / (3.0 * samples);
        GradualityLevel level = score < (rgb16 ? HighThresholdRgb16 : HighThreshold) ? GradualityLevel.High
            : score < MediumThreshold ? GradualityLevel.Medium
            : GradualityLevel.Low;
        return new Graduality(score, level, samples);
    }

    private static int PairScore(ReadOnlySpan<byte> px, int a, int b, bool rgb16, int contrast)
    {
        int d0, d1, d2;
        if (rgb16)
        {
            int va = px[a] | (px[a + 1] << 8);
            int vb = px[b] | (px[b + 1] << 8);
            d0 = (va & 31) - (vb & 31);
            d1 = ((va >> 5) & 31) - ((vb >> 5) & 31);
            d2 = ((va >> 10) & 31) - ((vb >> 10) & 31);
        }
        else
        {
            d0 = px[a] - px[b];
            d1 = px[a + 1] - px[b + 1];
            d2 = px[a + 2] - px[b + 2];
        }

        if ((d0 | d1 | d2) == 0)
        {
            return 2;
        }

        return Math.Abs(d0) >= contrast || Math.Abs(d1) >= contrast || Math.Abs(d2) >= contrast ? 4 : -1;
    }
}
