namespace Codecs.Pixels;

/// <summary>The vector algorithm a <see cref="PixelConverter"/> uses for its client format.</summary>
/// <remarks>
/// Both kernels produce exactly what the lookup-table scalar path produces; the scalar path runs for the last few
/// pixels of every row, and for everything when <see cref="PixelConverter.VectorBits"/> is 0.
/// </remarks>
public enum PixelConversionKernel
{
    /// <summary>
    /// 32 bits per pixel, every channel 8 bits wide at a byte boundary (Bgrx32, Rgbx32, Xrgb big-endian...): one byte
    /// permutation per pixel, the unused byte zeroed.
    /// </summary>
    ByteShuffle,

    /// <summary>
    /// Every other true-colour layout (16 bpp 565/555 in either byte order, 8 bpp, 32 bpp with narrow channels):
    /// channels are scaled to their width, shifted into place and packed into 8, 16 or 32 bits, and back.
    /// </summary>
    BitPack,
}
