using System.Buffers;
using System.IO.Pipelines;
using Codecs;
using Encoders.Spice.Link;
using Encoders.Spice.Protocol;
using Encoders.Spice.Tests.Support;
using Xunit;

namespace Encoders.Spice.Tests;

public sealed class LinkTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void LinkParser_IsResumable_ByteByByte()
    {
        byte[] bytes = TestChannel.BuildLinkMessage(SpiceChannelType.Display, 1234, 0b1011, 1u << 5);
        for (int cut = 0; cut < bytes.Length; cut++)
        {
            var partial = new ReadOnlySequence<byte>(bytes, 0, cut);
            Assert.False(LinkProtocol.TryReadLinkMessage(ref partial, out _, out _));
            Assert.Equal(cut, partial.Length);
        }

        var whole = new ReadOnlySequence<byte>(bytes);
        Assert.True(LinkProtocol.TryReadLinkMessage(ref whole, out LinkMessage? link, out bool mismatch));
        Assert.False(mismatch);
        Assert.Equal(0, whole.Length);
        Assert.Equal(1234u, link!.ConnectionId);
        Assert.Equal(SpiceChannelType.Display, link.ChannelType);
        Assert.True(link.HasCommonCap(SpiceCaps.CommonMiniHeader));
        Assert.True(link.HasChannelCap(SpiceCaps.DisplayLz4Compression));
        Assert.False(link.HasChannelCap(SpiceCaps.DisplayMonitorsConfig));
    }

    [Theory]
    [InlineData(0, (byte)'X')] // magic
    [InlineData(13, (byte)0xFF)] // size > 4096
    [InlineData(30, (byte)0xF0)] // caps_offset beyond the message
    [InlineData(22, (byte)0x40)] // caps count beyond the message
    public void LinkParser_RejectsGarbage_WithCodecDataException(int offset, byte value)
    {
        byte[] bytes = TestChannel.BuildLinkMessage(SpiceChannelType.Main, 0, 0b1011, 0);
        bytes[offset] = value;
        var buffer = new ReadOnlySequence<byte>(bytes);
        CodecDataException e = Assert.Throws<CodecDataException>(() => LinkProtocol.TryReadLinkMessage(ref buffer, out _, out _));
        Assert.Equal(LinkProtocol.FormatName, e.Format);
    }

    [Fact]
    public void LinkParser_ReportsVersionMismatch()
    {
        byte[] bytes = TestChannel.BuildLinkMessage(SpiceChannelType.Main, 0, 0b1011, 0);
        bytes[4] = 3;
        var buffer = new ReadOnlySequence<byte>(bytes);
        Assert.True(LinkProtocol.TryReadLinkMessage(ref buffer, out _, out bool mismatch));
        Assert.True(mismatch);
    }

    [Fact]
    public async Task Link_WithoutPassword_AdvertisesMiniHeaderAndNeverSasl_AndSendsA162ByteKey()
    {
        await using var harness = new ServerHarness(new ManualDevice(64, 64));
        await using TestChannel main = await TestChannel.ConnectAsync(harness.Server, SpiceChannelType.Main, cancellationToken: Ct);
        Assert.Equal(SpiceLinkError.Ok, main.LinkReplyError);
        Assert.Equal(SpiceLinkError.Ok, main.LinkResult);
        Assert.Equal(0x0Bu, main.ServerCommonCaps);
        Assert.Equal(162, main.PublicKey.Length);
        using var rsa = System.Security.Cryptography.RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(main.PublicKey, out int read);
        Assert.Equal(162, read);
        Assert.Equal(1024, rsa.KeySize);
    }

    [Fact]
    public async Task Link_SentTogetherWithItsTicket_IsAnsweredWithoutWaitingForMoreBytes()
    {
        // A client may write the auth mechanism and ticket right behind the link message; the server must not mark
        // those bytes as examined while parsing the link and then wait for more that never come.
        await using var harness = new ServerHarness(new ManualDevice(64, 64));
        var toServer = new Pipe();
        var toClient = new Pipe();
        Task serving = harness.Server.RunConnectionAsync(new DuplexPipe(toServer.Reader, toClient.Writer), "pipelined", Ct);
        byte[] link = TestChannel.BuildLinkMessage(SpiceChannelType.Main, 0, 0b1011, 0);
        await toServer.Writer.WriteAsync((byte[])[.. link, 1, 0, 0, 0, .. new byte[LinkProtocol.TicketLength]], Ct);

        int replyLength = LinkProtocol.HeaderLength + LinkProtocol.LinkReplyLength + 8;
        using var hangGuard = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        hangGuard.CancelAfter(TimeSpan.FromSeconds(60));
        ReadResult read = await toClient.Reader.ReadAtLeastAsync(replyLength + 4, hangGuard.Token);
        byte[] result = read.Buffer.Slice(replyLength, 4).ToArray();
        toClient.Reader.AdvanceTo(read.Buffer.End);
        Assert.Equal(SpiceLinkError.Ok, (SpiceLinkError)System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(result));

        toServer.Writer.Complete();
        await serving;
    }

    [Fact]
    public async Task Ticket_RightPassword_IsAccepted_WrongAndMissingAreRejected()
    {
        await using var harness = new ServerHarness(new ManualDevice(64, 64), new SpiceServerOptions { Password = "s3cret" });
        await using TestChannel right = await TestChannel.ConnectAsync(harness.Server, SpiceChannelType.Main, password: "s3cret", cancellationToken: Ct);
        Assert.Equal(SpiceLinkError.Ok, right.LinkResult);

        await using TestChannel wrong = await TestChannel.ConnectAsync(harness.Server, SpiceChannelType.Main, password: "guess", cancellationToken: Ct);
        Assert.Equal(SpiceLinkError.PermissionDenied, wrong.LinkResult);
        Assert.True(await wrong.IsClosedByServerAsync(Ct));

        await using TestChannel none = await TestChannel.ConnectAsync(harness.Server, SpiceChannelType.Main, cancellationToken: Ct);
        Assert.Equal(SpiceLinkError.PermissionDenied, none.LinkResult);
        Assert.Single(harness.Server.Clients);
    }

    [Fact]
    public async Task Ticket_Expired_IsRejected()
    {
        var time = new ManualTime(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var options = new SpiceServerOptions { Password = "pw", PasswordExpiry = time.GetUtcNow().AddMinutes(5), TimeProvider = time };
        await using var harness = new ServerHarness(new ManualDevice(64, 64), options);
        await using TestChannel before = await TestChannel.ConnectAsync(harness.Server, SpiceChannelType.Main, password: "pw", cancellationToken: Ct);
        Assert.Equal(SpiceLinkError.Ok, before.LinkResult);

        time.Advance(TimeSpan.FromMinutes(6));
        await using TestChannel after = await TestChannel.ConnectAsync(harness.Server, SpiceChannelType.Main, password: "pw", cancellationToken: Ct);
        Assert.Equal(SpiceLinkError.PermissionDenied, after.LinkResult);
    }

    [Fact]
    public void Ticket_Html5LeadingZeroBug_IsRepaired()
    {
        using var tickets = new TicketAuthenticator("pw", null, TimeProvider.System);
        using var rsa = System.Security.Cryptography.RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(tickets.PublicKey, out _);

        // Find a ciphertext with a leading zero byte, then mangle it as spice-html5 does: left-aligned, zero-padded.
        byte[] cipher;
        do
        {
            cipher = rsa.Encrypt("pw\0"u8.ToArray(), System.Security.Cryptography.RSAEncryptionPadding.OaepSHA1);
        }
        while (cipher[0] != 0);

        byte[] mangled = [.. cipher[1..], 0];
        Assert.True(tickets.Check(cipher, out _));
        Assert.True(tickets.Check(mangled, out _));
    }

    [Fact]
    public async Task OtherChannel_WithUnknownConnectionId_GetsBadConnectionId()
    {
        await using var harness = new ServerHarness(new ManualDevice(64, 64));
        await using TestChannel display = await TestChannel.ConnectAsync(harness.Server, SpiceChannelType.Display, connectionId: 777, cancellationToken: Ct);
        Assert.Equal(SpiceLinkError.BadConnectionId, display.LinkResult);
    }

    [Fact]
    public async Task UnsupportedChannel_IsRefusedInTheReply()
    {
        await using var harness = new ServerHarness(new ManualDevice(64, 64));
        await using TestChannel playback = await TestChannel.ConnectAsync(harness.Server, SpiceChannelType.Playback, connectionId: 1, cancellationToken: Ct);
        Assert.Equal(SpiceLinkError.ChannelNotAvailable, playback.LinkReplyError);
    }

    [Fact]
    public async Task GarbageInsteadOfLink_DropsOnlyThatConnection()
    {
        await using var harness = new ServerHarness(new ManualDevice(64, 64));
        (TestChannel main, uint session) = await harness.ConnectMainAsync(cancellationToken: Ct);
        await using (main)
        {
            (IDuplexPipe serverSide, IDuplexPipe clientSide) = DuplexPipe.CreatePair();
            Task run = harness.Server.RunConnectionAsync(serverSide, "garbage", Ct);
            await clientSide.Output.WriteAsync("GET / HTTP/1.1\r\n\r\n"u8.ToArray(), Ct);
            await run.WaitAsync(TimeSpan.FromSeconds(30), Ct); // completes without faulting
            Assert.True(run.IsCompletedSuccessfully);

            // The first client is still served.
            await main.SendAsync(104, [], Ct);
            ReceivedMessage list = await main.ReadUntilAsync(104, cancellationToken: Ct);
            Assert.Equal(3u, list.U32(0));
            Assert.Contains(harness.Server.Clients, c => c.SessionId == session);
        }
    }
}

/// <summary>A clock the test moves by hand (for ticket expiry).</summary>
internal sealed class ManualTime(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
