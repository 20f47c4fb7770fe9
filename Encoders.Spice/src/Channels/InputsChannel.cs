using System.IO.Pipelines;
using Damage.Device;
using Encoders.Spice.Link;
using Encoders.Spice.Protocol;

namespace Encoders.Spice.Channels;

/// <summary>
/// Inputs channel: keys (PC set-1 scancodes, 0xE0/0xE1-prefixed in the low byte) and the pointer (absolute
/// positions in client mouse mode, relative motion in server mode, buttons) delivered to the device;
/// MOUSE_MOTION_ACK after every 4 motion or position messages so the client keeps sending them.
/// </summary>
internal sealed class InputsChannel(IDuplexPipe transport, LinkMessage link, SpiceClient session, IDisplayDevice device)
    : SpiceChannel(transport, link, session)
{
    private int _motions;
    private bool _pendingFlush;
    private int _x;
    private int _y;
    private PointerButtons _buttons;

    public override async Task RunAsync(CancellationToken cancellationToken)
    {
        Begin(InputsMessage.Init).U16(0); // keyboard_modifiers
        Send();
        await FlushAsync(cancellationToken);
        await ReadMessagesAsync(cancellationToken);
    }

    /// <summary>
    /// Turns a KEY_DOWN/KEY_UP code (bytes low to high until a zero byte) into a set-1 scancode with the release bit
    /// cleared: 0xE0-prefixed keys become 0xE0nn. Returns 0 for an empty code.
    /// </summary>
    internal static uint ToScancode(uint code)
    {
        byte first = (byte)code;
        return first is 0xE0 or 0xE1
            ? ((uint)first << 8) | ((code >> 8) & 0x7F)
            : first & 0x7Fu;
    }

    protected override void OnMessage(ushort type, ReadOnlySpan<byte> body)
    {
        switch (type)
        {
            case InputsMessage.KeyDown:
            case InputsMessage.KeyUp:
                uint code = new BodyReader(body, "KEY").U32();
                uint scancode = ToScancode(code);
                if (scancode != 0)
                {
                    device.SendKey(new KeyEvent(0, scancode, type == InputsMessage.KeyDown));
                }

                break;
            case InputsMessage.KeyScancode:
                SendScancodeBytes(body);
                break;
            case InputsMessage.MousePosition:
                var position = new BodyReader(body, "MOUSE_POSITION");
                _x = (int)Math.Min(position.U32(), int.MaxValue);
                _y = (int)Math.Min(position.U32(), int.MaxValue);
                _buttons = ToButtons(position.U16());
                device.SendPointer(new PointerEvent(_x, _y, _buttons));
                CountMotion();
                break;
            case InputsMessage.MouseMotion:
                var motion = new BodyReader(body, "MOUSE_MOTION");
                int dx = motion.I32();
                int dy = motion.I32();
                _buttons = ToButtons(motion.U16());
                DisplayMode mode = device.Mode;
                _x = (int)Math.Clamp((long)_x + dx, 0, Math.Max(0, mode.Width - 1));
                _y = (int)Math.Clamp((long)_y + dy, 0, Math.Max(0, mode.Height - 1));
                device.SendPointer(new PointerEvent(_x, _y, _buttons));
                CountMotion();
                break;
            case InputsMessage.MousePress:
            case InputsMessage.MouseRelease:
                var button = new BodyReader(body, "MOUSE_BUTTON");
                button.U8();
                _buttons = ToButtons(button.U16());
                device.SendPointer(new PointerEvent(_x, _y, _buttons));
                break;
            default:
                break; // KEY_MODIFIERS: lock state of the client's keyboard, not forwarded
        }
    }

    protected override async ValueTask AfterMessagesAsync(CancellationToken cancellationToken)
    {
        if (_pendingFlush)
        {
            _pendingFlush = false;
            await FlushAsync(cancellationToken);
        }
    }

    // SPICE's button mask (left 1, middle 2, right 4, wheel up 8, wheel down 16) matches RFB's; side/extra have no equivalent.
    private static PointerButtons ToButtons(ushort state) => (PointerButtons)(state & 0x1F);

    private void CountMotion()
    {
        if (++_motions % InputsMessage.MotionAckBunch == 0)
        {
            Begin(InputsMessage.MouseMotionAck);
            Send();
            _pendingFlush = true;
        }
    }

    // KEY_SCANCODE: raw set-1 bytes, possibly several keys back to back (only sent when the server advertises it).
    private void SendScancodeBytes(ReadOnlySpan<byte> bytes)
    {
        for (int i = 0; i < bytes.Length; i++)
        {
            uint code = bytes[i];
            if (code is 0xE0 or 0xE1 && i + 1 < bytes.Length)
            {
                code |= (uint)bytes[++i] << 8;
            }

            uint scancode = ToScancode(code);
            if (scancode != 0)
            {
                bool released = ((code > 0xFF ? code >> 8 : code) & 0x80) != 0;
                device.SendKey(new KeyEvent(0, scancode, !released));
            }
        }
    }
}
