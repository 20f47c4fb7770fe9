using System.Buffers;
using System.IO.Pipelines;
using Codecs;
using Encoders.Spice.Link;
using Encoders.Spice.Protocol;

namespace Encoders.Spice.Channels;

/// <summary>
/// One linked channel connection: framing of data messages in both directions, the base messages every channel
/// shares (ACK_SYNC, ACK, PONG, DISCONNECTING), and counters. Subclasses handle their own message ids and, where
/// the server pushes (display, cursor), run a send loop; only one task writes to the pipe at a time.
/// </summary>
internal abstract class SpiceChannel
{
    /// <summary>Largest client message body accepted; the biggest legitimate ones (agent data) are a few KiB.</summary>
    public const int MaxClientMessageLength = 64 * 1024;

    private readonly MessageBuffer _message = new();
    private ulong _serial;
    private long _streamOffset;

    protected SpiceChannel(IDuplexPipe transport, LinkMessage link, SpiceClient session)
    {
        Transport = transport;
        Link = link;
        Session = session;
        MiniHeader = link.HasCommonCap(SpiceCaps.CommonMiniHeader);
        Statistics = new SpiceChannelStatistics(link.ChannelType);
    }

    public LinkMessage Link { get; }

    public SpiceClient Session { get; }

    public SpiceChannelStatistics Statistics { get; }

    protected IDuplexPipe Transport { get; }

    protected bool MiniHeader { get; }

    /// <summary>Runs the channel until the client leaves, the session closes or the client misbehaves (throws).</summary>
    public abstract Task RunAsync(CancellationToken cancellationToken);

    /// <summary>Starts a message; write the body into the returned buffer, then <see cref="Send"/>.</summary>
    protected MessageBuffer Begin(ushort type)
    {
        _message.Begin(type, MiniHeader, ++_serial);
        return _message;
    }

    /// <summary>Copies the finished message into the pipe (no flush).</summary>
    protected void Send()
    {
        ReadOnlySpan<byte> bytes = _message.Finish();
        Transport.Output.Write(bytes);
        Statistics.AddSent(bytes.Length);
        OnSent();
    }

    protected ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken) => Transport.Output.FlushAsync(cancellationToken);

    /// <summary>Called after each message put into the pipe (the display channel counts them for the ACK window).</summary>
    protected virtual void OnSent()
    {
    }

    /// <summary>Reads client messages until EOF, dispatching each; throws <see cref="CodecDataException"/> on malformed input.</summary>
    protected async Task ReadMessagesAsync(CancellationToken cancellationToken)
    {
        PipeReader input = Transport.Input;
        while (true)
        {
            ReadResult result = await input.ReadAsync(cancellationToken);
            ReadOnlySequence<byte> buffer = result.Buffer;
            long before = buffer.Length;
            try
            {
                while (MessageFraming.TryRead(ref buffer, MiniHeader, MaxClientMessageLength, _streamOffset + (before - buffer.Length), out SpiceMessage message))
                {
                    Statistics.AddReceived((MiniHeader ? 6 : 18) + message.Body.Length);
                    Dispatch(message);
                }
            }
            finally
            {
                _streamOffset += before - buffer.Length;
                input.AdvanceTo(buffer.Start, buffer.End);
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                return;
            }

            await AfterMessagesAsync(cancellationToken);
        }
    }

    /// <summary>Handles a channel-specific message (id ≥ 101); unknown ids are ignored.</summary>
    protected abstract void OnMessage(ushort type, ReadOnlySpan<byte> body);

    /// <summary>Called after a batch of messages was handled; the place to flush replies written by handlers.</summary>
    protected virtual ValueTask AfterMessagesAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    protected virtual void OnAckSync(uint generation)
    {
    }

    protected virtual void OnAck()
    {
    }

    private void Dispatch(SpiceMessage message)
    {
        // Bodies are at most MaxClientMessageLength, so one small copy for a contiguous view is fine.
        byte[]? rented = null;
        ReadOnlySpan<byte> body;
        if (message.Body.IsSingleSegment)
        {
            body = message.Body.FirstSpan;
        }
        else
        {
            rented = ArrayPool<byte>.Shared.Rent((int)message.Body.Length);
            message.Body.CopyTo(rented);
            body = rented.AsSpan(0, (int)message.Body.Length);
        }

        try
        {
            switch (message.Type)
            {
                case BaseMessage.AckSync:
                    var reader = new BodyReader(body, "ACK_SYNC");
                    OnAckSync(reader.U32());
                    break;
                case BaseMessage.Ack:
                    OnAck();
                    break;
                case BaseMessage.Pong:
                case BaseMessage.Disconnecting:
                    break;
                case >= 101:
                    OnMessage(message.Type, body);
                    break;
                default:
                    break; // migration messages: never asked for, ignore
            }
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
