using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Security.Cryptography;
using System.Text;
using Encoders.Spice.Protocol;
using Xunit;

namespace Encoders.Spice.Tests.Support;

/// <summary>A message a test client received.</summary>
internal sealed record ReceivedMessage(ushort Type, byte[] Body)
{
    public uint U32(int offset) => BinaryPrimitives.ReadUInt32LittleEndian(Body.AsSpan(offset));

    public ushort U16(int offset) => BinaryPrimitives.ReadUInt16LittleEndian(Body.AsSpan(offset));
}

/// <summary>
/// The client side of one channel connection, written from the protocol notes independently of the server code:
/// link (header, link message, caps, auth mechanism, OAEP ticket), then mini-header messages.
/// </summary>
internal sealed class TestChannel : IAsyncDisposable
{
    private readonly IDuplexPipe _pipe;
    private readonly CancellationTokenSource _stop = new();

    private TestChannel(IDuplexPipe pipe, Task serverTask)
    {
        _pipe = pipe;
        ServerTask = serverTask;
    }

    /// <summary>The server's <c>RunConnectionAsync</c> for this connection.</summary>
    public Task ServerTask { get; }

    public SpiceLinkError LinkReplyError { get; private set; }

    public SpiceLinkError LinkResult { get; private set; } = SpiceLinkError.Error;

    public uint ServerCommonCaps { get; private set; }

    public uint ServerChannelCaps { get; private set; }

    public byte[] PublicKey { get; private set; } = [];

    public static async Task<TestChannel> ConnectAsync(
        SpiceServer server,
        SpiceChannelType type,
        uint connectionId = 0,
        string? password = null,
        uint channelCaps = 0,
        uint commonCaps = 0b1011,
        CancellationToken cancellationToken = default)
    {
        (IDuplexPipe serverSide, IDuplexPipe clientSide) = DuplexPipe.CreatePair();
        Task serverTask = server.RunConnectionAsync(serverSide, $"test-{type}", cancellationToken);
        var channel = new TestChannel(clientSide, serverTask);
        await channel.LinkAsync(type, connectionId, password, channelCaps, commonCaps, cancellationToken);
        return channel;
    }

    public static byte[] BuildLinkMessage(SpiceChannelType type, uint connectionId, uint commonCaps, uint channelCaps)
    {
        var bytes = new byte[16 + 18 + 8];
        Span<byte> s = bytes;
        "REDQ"u8.CopyTo(s);
        BinaryPrimitives.WriteUInt32LittleEndian(s[4..], 2);
        BinaryPrimitives.WriteUInt32LittleEndian(s[8..], 2);
        BinaryPrimitives.WriteUInt32LittleEndian(s[12..], 26);
        BinaryPrimitives.WriteUInt32LittleEndian(s[16..], connectionId);
        s[20] = (byte)type;
        s[21] = 0;
        BinaryPrimitives.WriteUInt32LittleEndian(s[22..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(s[26..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(s[30..], 18);
        BinaryPrimitives.WriteUInt32LittleEndian(s[34..], commonCaps);
        BinaryPrimitives.WriteUInt32LittleEndian(s[38..], channelCaps);
        return bytes;
    }

    public async Task SendRawAsync(byte[] bytes, CancellationToken cancellationToken = default) =>
        await _pipe.Output.WriteAsync(bytes, cancellationToken);

    public async Task SendAsync(ushort type, byte[] body, CancellationToken cancellationToken = default)
    {
        var bytes = new byte[6 + body.Length];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, type);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(2), (uint)body.Length);
        body.CopyTo(bytes, 6);
        await _pipe.Output.WriteAsync(bytes, cancellationToken);
    }

    /// <summary>The next message, or null when the server closed the connection.</summary>
    public async Task<ReceivedMessage?> ReadAsync(CancellationToken cancellationToken = default)
    {
        byte[]? header = await ReadExactlyAsync(6, cancellationToken);
        if (header is null)
        {
            return null;
        }

        ushort type = BinaryPrimitives.ReadUInt16LittleEndian(header);
        int size = (int)BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(2));
        byte[] body = size == 0 ? [] : await ReadExactlyAsync(size, cancellationToken) ?? throw new EndOfStreamException("truncated message");
        return new ReceivedMessage(type, body);
    }

    /// <summary>Reads until a message of <paramref name="type"/> arrives (others are passed to <paramref name="seen"/>).</summary>
    public async Task<ReceivedMessage> ReadUntilAsync(ushort type, Action<ReceivedMessage>? seen = null, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            ReceivedMessage message = await ReadAsync(cancellationToken) ?? throw new EndOfStreamException($"closed before message {type}");
            if (message.Type == type)
            {
                return message;
            }

            seen?.Invoke(message);
        }
    }

    /// <summary>True when the server has completed its side (EOF).</summary>
    public async Task<bool> IsClosedByServerAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            ReadResult read = await _pipe.Input.ReadAsync(cancellationToken);
            _pipe.Input.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted)
            {
                return true;
            }
        }
    }

    public async Task CloseAsync()
    {
        await _pipe.Output.CompleteAsync();
        await _pipe.Input.CompleteAsync();
        await ServerTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _pipe.Output.CompleteAsync();
        await _pipe.Input.CompleteAsync();
        await _stop.CancelAsync();
        _stop.Dispose();
        await ServerTask.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private async Task LinkAsync(SpiceChannelType type, uint connectionId, string? password, uint channelCaps, uint commonCaps, CancellationToken cancellationToken)
    {
        await SendRawAsync(BuildLinkMessage(type, connectionId, commonCaps, channelCaps), cancellationToken);
        byte[] header = await ReadExactlyAsync(16, cancellationToken) ?? throw new EndOfStreamException("no link reply");
        Assert.Equal("REDQ"u8.ToArray(), header[..4]);
        int size = (int)BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(12));
        byte[] reply = await ReadExactlyAsync(size, cancellationToken) ?? throw new EndOfStreamException("truncated link reply");
        LinkReplyError = (SpiceLinkError)BinaryPrimitives.ReadUInt32LittleEndian(reply);
        if (LinkReplyError != SpiceLinkError.Ok)
        {
            return;
        }

        PublicKey = reply[4..166];
        uint capsOffset = BinaryPrimitives.ReadUInt32LittleEndian(reply.AsSpan(174));
        ServerCommonCaps = BinaryPrimitives.ReadUInt32LittleEndian(reply.AsSpan((int)capsOffset));
        ServerChannelCaps = BinaryPrimitives.ReadUInt32LittleEndian(reply.AsSpan((int)capsOffset + 4));

        using RSA rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(PublicKey, out _);
        byte[] plain = Encoding.UTF8.GetBytes((password ?? "") + "\0");
        byte[] ticket = rsa.Encrypt(plain, RSAEncryptionPadding.OaepSHA1);
        if ((commonCaps & 1) != 0)
        {
            await SendRawAsync([1, 0, 0, 0], cancellationToken);
        }

        await SendRawAsync(ticket, cancellationToken);
        byte[]? result = await ReadExactlyAsync(4, cancellationToken);
        LinkResult = result is null ? SpiceLinkError.Error : (SpiceLinkError)BinaryPrimitives.ReadUInt32LittleEndian(result);
    }

    private async Task<byte[]?> ReadExactlyAsync(int count, CancellationToken cancellationToken)
    {
        ReadResult read = await _pipe.Input.ReadAtLeastAsync(count, cancellationToken);
        if (read.Buffer.Length < count)
        {
            _pipe.Input.AdvanceTo(read.Buffer.End);
            return null;
        }

        byte[] bytes = read.Buffer.Slice(0, count).ToArray();
        _pipe.Input.AdvanceTo(read.Buffer.GetPosition(count));
        return bytes;
    }
}
