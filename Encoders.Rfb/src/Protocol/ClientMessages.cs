using Codecs.Pixels;

namespace Encoders.Rfb.Protocol;

/// <summary>One parsed client-to-server message (rfbproto §7.5 and the extensions the server advertises).</summary>
public abstract record ClientMessage;

/// <summary>SetPixelFormat (type 0): the format every following update must use.</summary>
public sealed record SetPixelFormatMessage(PixelFormat Format) : ClientMessage;

/// <summary>SetEncodings (type 2): encodings and pseudo-encodings in the client's order of preference.</summary>
public sealed record SetEncodingsMessage(int[] Encodings) : ClientMessage;

/// <summary>FramebufferUpdateRequest (type 3).</summary>
public sealed record UpdateRequestMessage(bool Incremental, Rect Area) : ClientMessage;

/// <summary>KeyEvent (type 4) or QEMU's extended key event (type 255, subtype 0; <paramref name="Scancode"/> non-zero).</summary>
public sealed record KeyMessage(bool Down, uint Keysym, uint Scancode) : ClientMessage;

/// <summary>PointerEvent (type 5).</summary>
public sealed record PointerMessage(byte ButtonMask, int X, int Y) : ClientMessage;

/// <summary>ClientCutText (type 6), Latin-1 text.</summary>
public sealed record CutTextMessage(string Text) : ClientMessage;

/// <summary>EnableContinuousUpdates (type 150).</summary>
public sealed record EnableContinuousUpdatesMessage(bool Enable, Rect Area) : ClientMessage;

/// <summary>ClientFence (type 248): a reply to our fence or a request to echo.</summary>
public sealed record FenceMessage(uint Flags, byte[] Payload) : ClientMessage
{
    public const uint BlockBefore = 1;
    public const uint BlockAfter = 2;
    public const uint SyncNext = 4;
    public const uint Request = 1u << 31;
    public const int MaxPayload = 64;
}

/// <summary>SetDesktopSize (type 251): the client asks for a new size; this server's display size is fixed by the device.</summary>
public sealed record SetDesktopSizeMessage(int Width, int Height, int Screens) : ClientMessage;

/// <summary>xvp (type 250): shutdown/reboot/reset requests, which this server does not support.</summary>
public sealed record XvpMessage(byte Version, byte Code) : ClientMessage;
