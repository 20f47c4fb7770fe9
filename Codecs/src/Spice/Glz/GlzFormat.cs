using Codecs.Spice.Lz;

namespace Codecs.Spice.Glz;

/// <summary>Constants of the GLZ format (spice-server glz encoder, spice-gtk decode-glz).</summary>
internal static class GlzFormat
{
    public const int HeaderLength = 33;

    /// <summary>Largest dictionary window in pixels (LZ_MAX_WINDOW_SIZE).</summary>
    public const int MaxWindowPixels = 1 << 25;

    /// <summary>Pixel offsets (biased in-image distances or cross-image offsets) must be below this.</summary>
    public const int MaxPixelOffset = 1 << 25;

    /// <summary>Image distances must be below this.</summary>
    public const int MaxImageDistance = 1 << 24;

    /// <summary>Decoded length = coded length + this bias.</summary>
    public static int LengthBias(LzImageType type, bool alphaPass) =>
        alphaPass || LzImageTypes.IsPalette(type) ? 2 : type == LzImageType.Rgb16 ? 1 : 0;
}
