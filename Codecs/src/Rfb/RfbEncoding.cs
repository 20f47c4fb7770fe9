namespace Codecs.Rfb;

/// <summary>RFB encoding numbers (the signed 32-bit <c>encoding-type</c> of a rectangle header or of SetEncodings).</summary>
public static class RfbEncoding
{
    public const int Raw = 0;
    public const int CopyRect = 1;
    public const int Rre = 2;
    public const int Hextile = 5;
    public const int Tight = 7;
    public const int Zrle = 16;
    public const int TightPng = -260;

    /// <summary>Compression level pseudo-encodings: level = encoding − <see cref="CompressLevel0"/> (0..9).</summary>
    public const int CompressLevel0 = -256;

    /// <summary>JPEG quality level pseudo-encodings: level = encoding − <see cref="QualityLevel0"/> (0..9).</summary>
    public const int QualityLevel0 = -32;

    /// <summary>TurboVNC fine quality pseudo-encodings: quality = encoding − <see cref="FineQualityLevel0"/> (0..100).</summary>
    public const int FineQualityLevel0 = -512;

    /// <summary>TurboVNC subsampling pseudo-encodings, −768 (1X, 4:4:4) .. −763.</summary>
    public const int Subsampling1X = -768;
    public const int Subsampling4X = -767;
    public const int Subsampling2X = -766;
    public const int SubsamplingGray = -765;
    public const int Subsampling8X = -764;
    public const int Subsampling16X = -763;

    public const int LastRect = -224;
    public const int DesktopSize = -223;

    /// <summary>Size of a rectangle header in a FramebufferUpdate: <c>U16 x, y, w, h, S32 encoding</c>.</summary>
    public const int RectHeaderSize = 12;
}
