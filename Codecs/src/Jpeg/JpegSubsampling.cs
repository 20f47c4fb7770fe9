namespace Codecs.Jpeg;

/// <summary>Chroma subsampling, numbered as TurboJPEG's <c>TJSAMP_*</c>.</summary>
public enum JpegSubsampling
{
    /// <summary>4:4:4, no chroma subsampling (TurboVNC "1X").</summary>
    Yuv444 = 0,

    /// <summary>4:2:2, chroma halved horizontally ("2X").</summary>
    Yuv422 = 1,

    /// <summary>4:2:0, chroma halved both ways ("4X").</summary>
    Yuv420 = 2,

    /// <summary>Luminance only.</summary>
    Gray = 3,
}
