namespace Encoders.Spice.Protocol;

/// <summary>Channel types of <c>SpiceLinkMess.channel_type</c> (spice-protocol <c>enums.h</c>).</summary>
public enum SpiceChannelType : byte
{
    Main = 1,
    Display = 2,
    Inputs = 3,
    Cursor = 4,
    Playback = 5,
    Record = 6,
}

/// <summary>Link errors (<c>SpiceLinkErr</c>): the first u32 of the link reply, and the link result.</summary>
public enum SpiceLinkError : uint
{
    Ok = 0,
    Error = 1,
    InvalidMagic = 2,
    InvalidData = 3,
    VersionMismatch = 4,
    NeedSecured = 5,
    NeedUnsecured = 6,
    PermissionDenied = 7,
    BadConnectionId = 8,
    ChannelNotAvailable = 9,
}

/// <summary>Capability bit numbers; capability n is bit n % 32 of word n / 32.</summary>
internal static class SpiceCaps
{
    public const int CommonAuthSelection = 0;
    public const int CommonAuthSpice = 1;
    public const int CommonAuthSasl = 2;
    public const int CommonMiniHeader = 3;

    public const int DisplaySizedStream = 0;
    public const int DisplayMonitorsConfig = 1;
    public const int DisplayLz4Compression = 5;
    public const int DisplayPrefCompression = 6;

    public const int InputsKeyScancode = 0;

    /// <summary>What the server always advertises: AUTH_SELECTION, AUTH_SPICE and MINI_HEADER, never AUTH_SASL.</summary>
    public const uint ServerCommonCaps = (1u << CommonAuthSelection) | (1u << CommonAuthSpice) | (1u << CommonMiniHeader);

    public static bool Has(ReadOnlySpan<uint> words, int cap) =>
        cap / 32 < words.Length && (words[cap / 32] & (1u << (cap % 32))) != 0;
}

/// <summary>Message ids valid on every channel (below 101).</summary>
internal static class BaseMessage
{
    // server -> client
    public const ushort SetAck = 3;
    public const ushort Ping = 4;
    public const ushort Notify = 7;

    // client -> server
    public const ushort AckSync = 1;
    public const ushort Ack = 2;
    public const ushort Pong = 3;
    public const ushort Disconnecting = 6;
}

internal static class MainMessage
{
    public const ushort Init = 103;
    public const ushort ChannelsList = 104;
    public const ushort MouseMode = 105;
    public const ushort MultiMediaTime = 106;

    // client -> server
    public const ushort ClientInfo = 101;
    public const ushort AttachChannels = 104;
    public const ushort MouseModeRequest = 105;
    public const ushort AgentStart = 106;
    public const ushort AgentData = 107;
    public const ushort AgentToken = 108;
}

internal static class DisplayMessage
{
    public const ushort Mark = 102;
    public const ushort CopyBits = 104;
    public const ushort InvalList = 105;
    public const ushort InvalAllPixmaps = 106;
    public const ushort InvalAllPalettes = 108;
    public const ushort DrawFill = 302;
    public const ushort DrawCopy = 304;
    public const ushort SurfaceCreate = 314;
    public const ushort SurfaceDestroy = 315;
    public const ushort MonitorsConfig = 317;

    // client -> server
    public const ushort Init = 101;
    public const ushort StreamReport = 102;
    public const ushort PreferredCompression = 103;
    public const ushort PreferredVideoCodecType = 105;
}

internal static class InputsMessage
{
    public const ushort Init = 101;
    public const ushort KeyModifiers = 102;
    public const ushort MouseMotionAck = 111;

    // client -> server
    public const ushort KeyDown = 101;
    public const ushort KeyUp = 102;
    public const ushort ClientKeyModifiers = 103;
    public const ushort KeyScancode = 104;
    public const ushort MouseMotion = 111;
    public const ushort MousePosition = 112;
    public const ushort MousePress = 113;
    public const ushort MouseRelease = 114;

    /// <summary>The server acknowledges every this many motion/position messages (clients stall at twice this many).</summary>
    public const int MotionAckBunch = 4;
}

internal static class CursorMessage
{
    public const ushort Init = 101;
    public const ushort Reset = 102;
    public const ushort Set = 103;
    public const ushort Move = 104;
    public const ushort Hide = 105;
}

/// <summary>Mouse modes (<c>SpiceMouseMode</c> flags).</summary>
internal static class SpiceMouseMode
{
    public const uint Server = 1;
    public const uint Client = 2;
}
