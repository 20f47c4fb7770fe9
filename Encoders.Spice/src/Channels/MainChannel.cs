using System.IO.Pipelines;
using Encoders.Spice.Link;
using Encoders.Spice.Protocol;

namespace Encoders.Spice.Channels;

/// <summary>
/// The main channel: MAIN_INIT (session id, both mouse modes with client mode current, multimedia time), the
/// channel list on ATTACH_CHANNELS, mouse mode requests. Agent messages are tolerated and ignored (no vdagent).
/// </summary>
internal sealed class MainChannel(IDuplexPipe transport, LinkMessage link, SpiceClient session, MultimediaClock clock)
    : SpiceChannel(transport, link, session)
{
    private static readonly (SpiceChannelType Type, byte Id)[] s_channels =
        [(SpiceChannelType.Display, 0), (SpiceChannelType.Inputs, 0), (SpiceChannelType.Cursor, 0)];

    private bool _replied;

    public override async Task RunAsync(CancellationToken cancellationToken)
    {
        MessageBuffer m = Begin(MainMessage.Init);
        m.U32(Session.SessionId);
        m.U32(1); // display_channels_hint
        m.U32(SpiceMouseMode.Server | SpiceMouseMode.Client);
        m.U32(Session.MouseMode);
        m.U32(0); // agent_connected
        m.U32(0); // agent_tokens
        m.U32(clock.InitialTime());
        m.U32(0); // ram_hint: the client's defaults for its caches
        Send();
        await FlushAsync(cancellationToken);
        await ReadMessagesAsync(cancellationToken);
    }

    protected override void OnMessage(ushort type, ReadOnlySpan<byte> body)
    {
        switch (type)
        {
            case MainMessage.AttachChannels:
                MessageBuffer m = Begin(MainMessage.ChannelsList);
                m.U32((uint)s_channels.Length);
                foreach ((SpiceChannelType channelType, byte id) in s_channels)
                {
                    m.U8((byte)channelType);
                    m.U8(id);
                }

                Send();
                _replied = true;
                break;
            case MainMessage.MouseModeRequest:
                uint mode = new BodyReader(body, "MOUSE_MODE_REQUEST").U16();
                if (mode is SpiceMouseMode.Server or SpiceMouseMode.Client)
                {
                    Session.MouseMode = mode;
                }

                MessageBuffer reply = Begin(MainMessage.MouseMode);
                reply.U16((ushort)(SpiceMouseMode.Server | SpiceMouseMode.Client));
                reply.U16((ushort)Session.MouseMode);
                Send();
                _replied = true;
                break;
            default:
                break; // CLIENT_INFO, AGENT_START/DATA/TOKEN: no agent here
        }
    }

    protected override async ValueTask AfterMessagesAsync(CancellationToken cancellationToken)
    {
        if (_replied)
        {
            _replied = false;
            await FlushAsync(cancellationToken);
        }
    }
}

/// <summary>
/// The session's multimedia clock: monotonic milliseconds (u32, wrapping). MAIN_INIT carries now − <see cref="Delay"/>
/// so that frames stamped "now" are never late for the client (research notes §4.10).
/// </summary>
internal sealed class MultimediaClock(TimeProvider time)
{
    public const uint Delay = 50;

    public uint Now() => (uint)(time.GetElapsedTime(0).Ticks / TimeSpan.TicksPerMillisecond);

    public uint InitialTime() => Now() - Delay;
}
