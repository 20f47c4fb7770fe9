using Codecs;

namespace Encoders.Rfb.Protocol;

/// <summary>The protocol versions this server speaks.</summary>
public enum RfbVersion
{
    Rfb33 = 3,
    Rfb37 = 7,
    Rfb38 = 8,
}

/// <summary>The 12-byte ProtocolVersion message, <c>"RFB xxx.yyy\n"</c>.</summary>
public static class RfbVersionString
{
    public const int Length = 12;

    /// <summary>What the server sends: the highest version it speaks.</summary>
    public static ReadOnlySpan<byte> Server => "RFB 003.008\n"u8;

    /// <summary>
    /// Maps the client's answer to the version to speak: 3.3 for 3.3–3.6 (rfbproto: 3.5 is 3.3; QEMU and libvncserver
    /// do the same for 3.4–3.6) and for Apple's 3.889, 3.7, and 3.8 for 3.8 and anything newer.
    /// </summary>
    /// <exception cref="CodecDataException">The bytes are not a version string.</exception>
    public static RfbVersion Parse(ReadOnlySpan<byte> text)
    {
        if (text.Length != Length || !text.StartsWith("RFB "u8) || text[7] != (byte)'.' || text[11] != (byte)'\n' ||
            !TryDigits(text[4..7], out int major) || !TryDigits(text[8..11], out int minor))
        {
            CodecDataException.Throw("rfb-handshake", 0, "the client's ProtocolVersion is not \"RFB xxx.yyy\\n\"");
            return default;
        }

        if (major < 3)
        {
            CodecDataException.Throw("rfb-handshake", 4, $"protocol version {major}.{minor} is older than 3.3");
        }

        return major > 3 ? RfbVersion.Rfb38 : minor switch
        {
            < 7 or 889 => RfbVersion.Rfb33,
            7 => RfbVersion.Rfb37,
            _ => RfbVersion.Rfb38,
        };
    }

    public static string Name(RfbVersion version) => version switch
    {
        RfbVersion.Rfb33 => "3.3",
        RfbVersion.Rfb37 => "3.7",
        _ => "3.8",
    };

    private static bool TryDigits(ReadOnlySpan<byte> digits, out int value)
    {
        value = 0;
        foreach (byte d in digits)
        {
            if (d is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            value = value * 10 + (d - '0');
        }

        return true;
    }
}
