using Codecs.Rfb;
using Encoders.Rfb.Protocol;

namespace Encoders.Rfb.Session;

/// <summary>What a client's SetEncodings says: the pixel encodings in its order, and the pseudo-encodings it understands.</summary>
internal sealed class EncodingPreferences
{
    /// <summary>Pixel encodings this server produces (CopyRect is handled separately, as TigerVNC does).</summary>
    public static readonly int[] Produced = [RfbEncoding.Raw, RfbEncoding.Rre, RfbEncoding.Hextile, RfbEncoding.Tight, RfbEncoding.Zrle, RfbEncoding.TightPng];

    public static EncodingPreferences Default { get; } = new([]);

    public EncodingPreferences(int[] encodings)
    {
        Encodings = encodings;
        foreach (int encoding in encodings)
        {
            switch (encoding)
            {
                case RfbEncoding.CopyRect: CopyRect = true; break;
                case RfbEncoding.DesktopSize: DesktopSize = true; break;
                case RfbPseudoEncoding.ExtendedDesktopSize: ExtendedDesktopSize = true; break;
                case RfbEncoding.LastRect: LastRect = true; break;
                case RfbPseudoEncoding.Cursor: RichCursor = true; break;
                case RfbPseudoEncoding.XCursor: XCursor = true; break;
                case RfbPseudoEncoding.ContinuousUpdates: ContinuousUpdates = true; break;
                case RfbPseudoEncoding.Fence: Fence = true; break;
                case RfbPseudoEncoding.QemuExtendedKeyEvent: QemuKeyEvents = true; break;
                default: break;
            }
        }
    }

    /// <summary>The list as the client sent it (order = preference; duplicates and unknown values kept).</summary>
    public int[] Encodings { get; }

    public bool CopyRect { get; }
    public bool DesktopSize { get; }
    public bool ExtendedDesktopSize { get; }
    public bool LastRect { get; }
    public bool RichCursor { get; }
    public bool XCursor { get; }
    public bool ContinuousUpdates { get; }
    public bool Fence { get; }
    public bool QemuKeyEvents { get; }

    /// <summary>The first encoding in the client's list that this server produces and that is not excluded; Raw otherwise.</summary>
    public int ChoosePixelEncoding(Func<int, bool>? excluded = null)
    {
        foreach (int encoding in Encodings)
        {
            if (Array.IndexOf(Produced, encoding) >= 0 && excluded?.Invoke(encoding) != true)
            {
                return encoding;
            }
        }

        return RfbEncoding.Raw;
    }

    public static string Name(int encoding) => encoding switch
    {
        RfbEncoding.Raw => "Raw",
        RfbEncoding.CopyRect => "CopyRect",
        RfbEncoding.Rre => "RRE",
        RfbEncoding.Hextile => "Hextile",
        RfbEncoding.Tight => "Tight",
        RfbEncoding.Zrle => "ZRLE",
        RfbEncoding.TightPng => "TightPNG",
        _ => encoding.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
