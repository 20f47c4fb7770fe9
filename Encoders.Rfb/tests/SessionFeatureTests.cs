using Codecs.Pixels;
using Codecs.Rfb;
using Damage.Device;
using Encoders.Rfb.Protocol;
using Encoders.Rfb.Tests.Support;
using Xunit;

namespace Encoders.Rfb.Tests;

/// <summary>Input delivery, pseudo-encodings (sizes, cursor, QEMU keys), continuous updates and fences.</summary>
public sealed class SessionFeatureTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Input_KeysPointerAndClipboard_ReachTheDevice()
    {
        await using ServerHarness harness = await ServerHarness.StartTraceAsync("terminal-scroll.fbt", null, Cancellation);
        (TestRfbClient client, _) = harness.Connect();
        await client.HandshakeAsync(cancellationToken: Cancellation);
        await client.SendKeyAsync(true, 0x61, Cancellation);
        await client.SendKeyAsync(false, 0x61, Cancellation);
        await client.SendPointerAsync(0b101, 300, 200, Cancellation);
        await client.SendCutTextAsync("héllo", Cancellation);
        // QEMU extended key event: type 255, subtype 0, down, keysym, XT scancode.
        await client.WriteAsync([255, 0, 0, 1, 0, 0, 0, 0x62, 0, 0, 0, 0x30], Cancellation);
        await WaitUntilAsync(() => harness.Device.ReceivedInput.Count(i => i.ClipboardText is not null) == 1 && harness.Device.ReceivedInput.Count(i => i.Key is not null) == 3);
        IReadOnlyList<InputRecord> input = harness.Device.ReceivedInput;
        Assert.Equal([new KeyEvent(0x61, 0, true), new KeyEvent(0x61, 0, false), new KeyEvent(0x62, 0x30, true)], input.Where(i => i.Key is not null).Select(i => i.Key!.Value));
        Assert.Equal([new PointerEvent(300, 200, PointerButtons.Left | PointerButtons.Right)], input.Where(i => i.Pointer is not null).Select(i => i.Pointer!.Value));
        Assert.Equal(["héllo"], input.Where(i => i.ClipboardText is not null).Select(i => i.ClipboardText!));
        RfbClientStatistics statistics = Assert.Single(harness.Server.Clients);
        Assert.Equal(3, statistics.KeyEvents);
        Assert.Equal(1, statistics.PointerEvents);
        await client.DisposeAsync();
    }

    [Fact]
    public async Task PseudoEncodings_FirstSight_AnnounceContinuousUpdatesFenceAndQemuKeys()
    {
        await using ServerHarness harness = await ServerHarness.StartTraceAsync("terminal-scroll.fbt", null, Cancellation);
        (TestRfbClient client, _) = harness.Connect();
        await client.HandshakeAsync(cancellationToken: Cancellation);
        await client.SetEncodingsAsync(
            Cancellation, RfbEncoding.Zrle, RfbPseudoEncoding.ContinuousUpdates, RfbPseudoEncoding.Fence, RfbPseudoEncoding.QemuExtendedKeyEvent);
        // The replies come unasked: a fence request, EndOfContinuousUpdates and the QEMU acknowledgement update.
        while (client.Fences.Count == 0 || client.EndOfContinuousUpdates == 0 || !client.RectangleEncodings.Contains(RfbPseudoEncoding.QemuExtendedKeyEvent))
        {
            await client.ReadMessageAsync(Cancellation);
        }

        Assert.Equal(FenceMessage.Request | FenceMessage.BlockBefore, client.Fences[0].Flags);

        // A client fence request is echoed with the request bit cleared and the payload kept.
        await client.WriteAsync([248, 0, 0, 0, 0x80, 0, 0, 0x03, 3, 7, 8, 9], Cancellation);
        while (client.Fences.Count < 2)
        {
            await client.ReadMessageAsync(Cancellation);
        }

        Assert.Equal(FenceMessage.BlockBefore | FenceMessage.BlockAfter, client.Fences[1].Flags);
        Assert.Equal([7, 8, 9], client.Fences[1].Payload);
        await client.DisposeAsync();
    }

    [Fact]
    public async Task ContinuousUpdates_PushEveryChange_WithoutRequests_UntilDisabled()
    {
        await using ServerHarness harness = await ServerHarness.StartTraceAsync("terminal-scroll.fbt", null, Cancellation);
        (TestRfbClient client, _) = harness.Connect();
        await client.HandshakeAsync(cancellationToken: Cancellation);
        await client.SetEncodingsAsync(Cancellation, RfbEncoding.Zrle, RfbEncoding.CopyRect, RfbPseudoEncoding.ContinuousUpdates, RfbPseudoEncoding.Fence);
        // EnableContinuousUpdates for the whole screen, then only frames: no FramebufferUpdateRequest at all.
        await client.WriteAsync([150, 1, 0, 0, 0, 0, 1920 >> 8, 1920 & 0xFF, 1080 >> 8, 1080 & 0xFF], Cancellation);
        await client.ReadPixelUpdateAsync(Cancellation);
        Assert.True(client.PictureEquals(harness.Device.LatestFrame!.ConvertTo(client.Format)));
        for (int i = 0; i < 4; i++)
        {
            await harness.AdvanceAsync(1, Cancellation);
            if (!harness.Device.LatestFrame!.Pixels.AsSpan().SequenceEqual(harness.Device.PreviousFrame?.Pixels))
            {
                await client.ReadPixelUpdateAsync(Cancellation);
                Assert.True(client.PictureEquals(harness.Device.LatestFrame!.ConvertTo(client.Format)), $"continuous update {i}");
            }
        }

        int ends = client.EndOfContinuousUpdates;
        await client.WriteAsync([150, 0, 0, 0, 0, 0, 0, 0, 0, 0], Cancellation);
        while (client.EndOfContinuousUpdates == ends)
        {
            await client.ReadMessageAsync(Cancellation);
        }

        await client.DisposeAsync();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ModeChange_IsAnnouncedAlone_ThenTheWholeScreenFollows(bool extended)
    {
        var device = new ScriptedDevice();
        using Framebuffer small = Framebuffer.Allocate(320, 200);
        using Framebuffer large = Framebuffer.Allocate(640, 480);
        new Random(1).NextBytes(small.Span);
        new Random(2).NextBytes(large.Span);
        device.Push(small);
        await using ServerHarness harness = await ServerHarness.StartAsync(device, null, Cancellation);
        (TestRfbClient client, _) = harness.Connect();
        await client.HandshakeAsync(cancellationToken: Cancellation);
        await client.SetEncodingsAsync(Cancellation, RfbEncoding.Tight, extended ? RfbPseudoEncoding.ExtendedDesktopSize : RfbEncoding.DesktopSize);
        await client.RequestUpdateAsync(incremental: false, Cancellation);
        await client.ReadPixelUpdateAsync(Cancellation);
        Assert.True(client.PictureEquals(harness.Device.LatestFrame!.ConvertTo(client.Format)));

        device.Push(large);
        await harness.AdvanceAsync(1, Cancellation);
        await client.RequestUpdateAsync(incremental: true, Cancellation);
        int pixelRects = await client.ReadMessageAsync(Cancellation);
        Assert.Equal(0, pixelRects);
        Assert.Equal((640, 480), (client.Width, client.Height));
        Assert.Equal(extended ? RfbPseudoEncoding.ExtendedDesktopSize : RfbEncoding.DesktopSize, client.RectangleEncodings[^1]);
        await client.RequestUpdateAsync(incremental: true, Cancellation);
        await client.ReadPixelUpdateAsync(Cancellation);
        Assert.True(client.PictureEquals(harness.Device.LatestFrame!.ConvertTo(client.Format)));
        await client.DisposeAsync();
    }

    [Fact]
    public async Task SetDesktopSize_IsRefusedWithExtendedDesktopSize()
    {
        await using ServerHarness harness = await ServerHarness.StartTraceAsync("terminal-scroll.fbt", null, Cancellation);
        (TestRfbClient client, _) = harness.Connect();
        await client.HandshakeAsync(cancellationToken: Cancellation);
        await client.SetEncodingsAsync(Cancellation, RfbEncoding.Raw, RfbPseudoEncoding.ExtendedDesktopSize);
        // SetDesktopSize 800x600, one screen.
        await client.WriteAsync([251, 0, 0x03, 0x20, 0x02, 0x58, 1, 0, .. new byte[16]], Cancellation);
        await client.ReadMessageAsync(Cancellation);
        Assert.Equal((1, 1, 1920, 1080), client.DesktopSizes[^1]);
        Assert.Equal((1920, 1080), (client.Width, client.Height));
        await client.DisposeAsync();
    }

    [Theory]
    [InlineData(-239)]
    [InlineData(-240)]
    public async Task Cursor_ChangedShape_IsSentAsPseudoRectangle(int encoding)
    {
        var device = new ScriptedDevice();
        using Framebuffer frame = Framebuffer.Allocate(64, 48);
        new Random(3).NextBytes(frame.Span);
        byte[] bgra = new byte[12 * 10 * 4];
        new Random(4).NextBytes(bgra);
        device.Push(frame, new CursorShape(12, 10, 2, 3, bgra));
        await using ServerHarness harness = await ServerHarness.StartAsync(device, null, Cancellation);
        (TestRfbClient client, _) = harness.Connect();
        await client.HandshakeAsync(cancellationToken: Cancellation);
        await client.SetPixelFormatAsync(PixelFormat.Rgb565, Cancellation);
        await client.SetEncodingsAsync(Cancellation, RfbEncoding.Hextile, encoding);
        await client.RequestUpdateAsync(incremental: false, Cancellation);
        await client.ReadPixelUpdateAsync(Cancellation);
        Assert.Equal(1, client.CursorShapes);
        Assert.Equal(encoding, client.RectangleEncodings[0]);
        Assert.True(client.PictureEquals(harness.Device.LatestFrame!.ConvertTo(client.Format)));
        await client.DisposeAsync();
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(5, timeout.Token);
        }
    }
}
