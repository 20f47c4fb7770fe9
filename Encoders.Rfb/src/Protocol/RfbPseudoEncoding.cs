namespace Encoders.Rfb.Protocol;

/// <summary>Pseudo-encoding numbers the server understands beyond <see cref="Codecs.Rfb.RfbEncoding"/> (rfbproto §7.8).</summary>
public static class RfbPseudoEncoding
{
    public const int Cursor = -239;
    public const int XCursor = -240;
    public const int QemuExtendedKeyEvent = -258;
    public const int DesktopName = -307;
    public const int ExtendedDesktopSize = -308;
    public const int Fence = -312;
    public const int ContinuousUpdates = -313;
}
