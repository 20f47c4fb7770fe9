namespace Damage.Device;

/// <summary>
/// A key press or release. RFB clients send X11 keysyms; SPICE clients and QEMU's extended key event send PC scancodes
/// (XT set 1, with 0xE0-prefixed keys as 0xE0nn). Either may be 0 when the client did not send it.
/// </summary>
public readonly record struct KeyEvent(uint Keysym, uint Scancode, bool Down);

/// <summary>
/// Pointer position in framebuffer pixels and the button mask (bit 0 left, 1 middle, 2 right, 3/4 wheel up/down,
/// 5/6 wheel left/right — RFB's convention, which SPICE's buttons map onto).
/// </summary>
public readonly record struct PointerEvent(int X, int Y, PointerButtons Buttons);

[Flags]
public enum PointerButtons : byte
{
    None = 0,
    Left = 1 << 0,
    Middle = 1 << 1,
    Right = 1 << 2,
    WheelUp = 1 << 3,
    WheelDown = 1 << 4,
    WheelLeft = 1 << 5,
    WheelRight = 1 << 6,
}
