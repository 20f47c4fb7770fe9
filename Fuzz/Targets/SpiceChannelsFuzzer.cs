using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Encoders.Spice;
using Fuzz.Sessions;

namespace Fuzz.Targets;

/// <summary>
/// The display, inputs and cursor channels' parsers of client messages. A well-formed main channel opens a session
/// on a real <see cref="SpiceServer"/> (its session id read from SPICE_MSG_MAIN_INIT), then the fuzz input is a
/// second connection joining that session: the first byte picks the channel (value mod 3: display, inputs, cursor;
/// bit 7 set: full headers instead of the mini header) and the rest is everything the client sends after the link.
/// The server must drop bad connections itself, end the session when the main channel closes, and never log a
/// failure of its own.
/// </summary>
public sealed class SpiceChannelsFuzzer : IFuzzer
{
    private const uint Caps = SpiceClientBytes.MiniHeaderCap | SpiceClientBytes.AuthSelectionCap;
    private const ushort MainInit = 103;

    private static readonly Lazy<(SpiceServer Server, FailureLogger Log)> s_server = new(SpiceClientBytes.CreateServer);

    public string Name => "SpiceChannels";

    public void FuzzTarget(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return;
        }

        byte channelType = (byte)(2 + (input[0] % 3));
        uint commonCaps = (input[0] & 0x80) != 0 ? SpiceClientBytes.AuthSelectionCap : Caps;
        byte[] messages = input[1..].ToArray();
        (SpiceServer server, FailureLogger log) = s_server.Value;
        int failuresBefore = log.Failures;

        var toServer = new Pipe();
        var fromServer = new Pipe();
        using var stop = new CancellationTokenSource();
        Task main = server.RunConnectionAsync(new PipeSession.Connection(toServer.Reader, fromServer.Writer), "fuzz main", stop.Token);
        Task? drain = null;
        bool mainHung;
        try
        {
            toServer.Writer.WriteAsync(SpiceClientBytes.Link(1, 0, Caps).ToArray()).AsTask().GetAwaiter().GetResult();
            Task<uint> sessionId = ReadSessionIdAsync(fromServer.Reader);
            if (!sessionId.Wait(PipeSession.Limit))
            {
                throw new TimeoutException("the main channel sent no SPICE_MSG_MAIN_INIT");
            }

            drain = PipeSession.DrainAsync(fromServer.Reader);
            PipeSession.Run([.. SpiceClientBytes.Link(channelType, sessionId.Result, commonCaps), .. messages], (pipe, cancellationToken) => server.RunConnectionAsync(pipe, "fuzz", cancellationToken));
        }
        finally
        {
            toServer.Writer.Complete();
            mainHung = !main.Wait(PipeSession.Limit);
            if (mainHung)
            {
                stop.Cancel();
            }

            fromServer.Writer.Complete();
        }

        if (mainHung)
        {
            throw new TimeoutException($"the main channel still ran {PipeSession.Limit.TotalSeconds:F0} s after its input ended");
        }

        drain?.GetAwaiter().GetResult();

        if (log.Failures != failuresBefore)
        {
            throw new InvalidOperationException("the server logged a failure of its own: " + log.LastFailure);
        }
    }

    public IEnumerable<byte[]> CreateSeeds()
    {
        foreach (byte headers in (byte[])[0, 0x80])
        {
            uint commonCaps = headers == 0 ? Caps : SpiceClientBytes.AuthSelectionCap;
            yield return [headers, .. DisplayMessages(commonCaps)];
            yield return [(byte)(headers | 1), .. InputsMessages(commonCaps)];
            yield return [(byte)(headers | 2), .. CommonMessages(commonCaps)];
        }
    }

    /// <summary>Display: init (cache and GLZ dictionary sizes), preferred compression, a stream report, then the common messages.</summary>
    private static List<byte> DisplayMessages(uint commonCaps)
    {
        var output = new List<byte>();
        Span<byte> init = stackalloc byte[14];
        init[0] = 1; // pixmap cache id
        BinaryPrimitives.WriteInt64LittleEndian(init[1..], 20 * 1024 * 1024); // pixmap cache size
        init[9] = 1; // GLZ dictionary id
        BinaryPrimitives.WriteInt32LittleEndian(init[10..], 4 * 1024 * 1024); // GLZ window (pixels)
        SpiceClientBytes.Message(output, commonCaps, 101, init);
        SpiceClientBytes.Message(output, commonCaps, 103, [2]); // preferred compression: QUIC
        SpiceClientBytes.Message(output, commonCaps, 102, new byte[32]); // stream report for a stream that never was
        output.AddRange(CommonMessages(commonCaps));
        return output;
    }

    /// <summary>Inputs: keys (PC/XT scancodes, modifiers, raw scancode bytes), motion, position, press and release.</summary>
    private static List<byte> InputsMessages(uint commonCaps)
    {
        var output = new List<byte>();
        SpiceClientBytes.Message(output, commonCaps, 101, [0x1E, 0, 0, 0]); // key down 'a'
        SpiceClientBytes.Message(output, commonCaps, 102, [0x9E, 0, 0, 0]); // key up 'a'
        SpiceClientBytes.Message(output, commonCaps, 103, [1, 0]); // modifiers: scroll lock
        SpiceClientBytes.Message(output, commonCaps, 104, [0xE0, 0x48, 0xE0, 0xC8]); // scancode bytes: up arrow
        SpiceClientBytes.Message(output, commonCaps, 111, [5, 0, 0, 0, 0xFB, 0xFF, 0xFF, 0xFF, 0, 0]); // motion (+5, -5)
        SpiceClientBytes.Message(output, commonCaps, 112, [10, 0, 0, 0, 20, 0, 0, 0, 0, 0, 0]); // position (10, 20)
        SpiceClientBytes.Message(output, commonCaps, 113, [1, 1, 0]); // press left
        SpiceClientBytes.Message(output, commonCaps, 114, [1, 0, 0]); // release left
        output.AddRange(CommonMessages(commonCaps));
        return output;
    }

    /// <summary>Messages every channel takes: ack sync, ack, pong, an unknown type, disconnecting.</summary>
    private static List<byte> CommonMessages(uint commonCaps)
    {
        var output = new List<byte>();
        SpiceClientBytes.Message(output, commonCaps, 1, [1, 0, 0, 0]);
        SpiceClientBytes.Message(output, commonCaps, 2, []);
        SpiceClientBytes.Message(output, commonCaps, 3, new byte[12]);
        SpiceClientBytes.Message(output, commonCaps, 999, [1, 2, 3]);
        SpiceClientBytes.Message(output, commonCaps, 6, new byte[12]);
        return output;
    }

    /// <summary>Skips the link reply and result, then the main-channel messages up to MAIN_INIT, whose body starts with the session id.</summary>
    private static async Task<uint> ReadSessionIdAsync(PipeReader reader)
    {
        byte[] header = await ReadExactlyAsync(reader, 16).ConfigureAwait(false);
        int replySize = (int)BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(12));
        await ReadExactlyAsync(reader, replySize).ConfigureAwait(false);
        uint linkResult = BinaryPrimitives.ReadUInt32LittleEndian(await ReadExactlyAsync(reader, 4).ConfigureAwait(false));
        if (linkResult != 0)
        {
            throw new InvalidOperationException($"the main channel link was refused ({linkResult})");
        }

        while (true)
        {
            byte[] message = await ReadExactlyAsync(reader, 6).ConfigureAwait(false);
            ushort type = BinaryPrimitives.ReadUInt16LittleEndian(message);
            byte[] body = await ReadExactlyAsync(reader, (int)BinaryPrimitives.ReadUInt32LittleEndian(message.AsSpan(2))).ConfigureAwait(false);
            if (type == MainInit)
            {
                return BinaryPrimitives.ReadUInt32LittleEndian(body);
            }
        }
    }

    private static async Task<byte[]> ReadExactlyAsync(PipeReader reader, int count)
    {
        while (true)
        {
            ReadResult read = await reader.ReadAsync().ConfigureAwait(false);
            if (read.Buffer.Length >= count)
            {
                byte[] bytes = read.Buffer.Slice(0, count).ToArray();
                reader.AdvanceTo(read.Buffer.GetPosition(count));
                return bytes;
            }

            if (read.IsCompleted)
            {
                throw new InvalidOperationException("the main channel closed during its link");
            }

            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
    }
}
