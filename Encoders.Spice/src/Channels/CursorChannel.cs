using System.IO.Pipelines;
using Damage.Device;
using Encoders.Spice.Display;
using Encoders.Spice.Link;
using Encoders.Spice.Protocol;

namespace Encoders.Spice.Channels;

/// <summary>
/// Cursor channel: CURSOR_INIT with the device's current shape (or none), then SET on shape changes, MOVE on pointer
/// moves and HIDE when the device hides it. Shapes go as ALPHA cursors (B,G,R,A, straight alpha), the only type
/// spice-html5 draws.
/// </summary>
internal sealed class CursorChannel(IDuplexPipe transport, LinkMessage link, SpiceClient session, IDisplaySource source)
    : SpiceChannel(transport, link, session)
{
    private ulong _shapeCounter;

    public override async Task RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task read = ReadMessagesAsync(stop.Token);
        Task send = SendLoopAsync(stop.Token);
        await Task.WhenAny(read, send);
        stop.Cancel();
        try
        {
            await Task.WhenAll(read, send);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }

        if (read.Exception?.InnerException is { } error and not OperationCanceledException)
        {
            throw error;
        }
    }

    protected override void OnMessage(ushort type, ReadOnlySpan<byte> body)
    {
        // The client sends nothing channel-specific on the cursor channel.
    }

    private async Task SendLoopAsync(CancellationToken cancellationToken)
    {
        await source.WaitForFirstFrameAsync(cancellationToken);
        using IDisplayFeed feed = source.Connect();
        bool initialised = false;
        bool visible = false;
        while (await feed.WaitForChangesAsync(cancellationToken))
        {
            bool wrote = false;
            using (IFeedUpdate update = feed.TakeUpdate())
            {
                CursorPosition pointer = update.Pointer;
                if (!initialised)
                {
                    MessageBuffer m = Begin(CursorMessage.Init);
                    WritePoint(m, pointer);
                    m.U16(0); // trail_length
                    m.U16(0); // trail_frequency
                    m.U8(pointer.Visible ? (byte)1 : (byte)0);
                    WriteCursor(m, update.Cursor);
                    Send();
                    initialised = wrote = true;
                    visible = pointer.Visible;
                }
                else
                {
                    if (update.CursorChanged || (pointer.Visible && !visible))
                    {
                        MessageBuffer m = Begin(CursorMessage.Set);
                        WritePoint(m, pointer);
                        m.U8(pointer.Visible ? (byte)1 : (byte)0);
                        WriteCursor(m, update.Cursor);
                        Send();
                        wrote = true;
                    }
                    else if (!pointer.Visible && visible)
                    {
                        Begin(CursorMessage.Hide);
                        Send();
                        wrote = true;
                    }
                    else if (update.PointerMoved && pointer.Visible)
                    {
                        WritePoint(Begin(CursorMessage.Move), pointer);
                        Send();
                        wrote = true;
                    }

                    visible = pointer.Visible;
                }
            }

            if (wrote && (await FlushAsync(cancellationToken)).IsCompleted)
            {
                return;
            }
        }
    }

    private static void WritePoint(MessageBuffer m, CursorPosition pointer)
    {
        m.U16((ushort)(short)Math.Clamp(pointer.X, short.MinValue, short.MaxValue));
        m.U16((ushort)(short)Math.Clamp(pointer.Y, short.MinValue, short.MaxValue));
    }

    // SpiceCursor: u16 flags; unless NONE, the header (unique, type, size, hotspot) then the pixels to the end.
    private void WriteCursor(MessageBuffer m, CursorShape? shape)
    {
        const ushort FlagNone = 1;
        const byte TypeAlpha = 0;
        if (shape is null || shape.Width is <= 0 or > ushort.MaxValue || shape.Height is <= 0 or > ushort.MaxValue)
        {
            m.U16(FlagNone);
            return;
        }

        m.U16(0);
        m.U64(++_shapeCounter);
        m.U8(TypeAlpha);
        m.U16((ushort)shape.Width);
        m.U16((ushort)shape.Height);
        m.U16((ushort)Math.Clamp(shape.HotspotX, 0, shape.Width - 1));
        m.U16((ushort)Math.Clamp(shape.HotspotY, 0, shape.Height - 1));
        m.Bytes(shape.Bgra.Span[..(shape.Width * shape.Height * 4)]);
    }
}
