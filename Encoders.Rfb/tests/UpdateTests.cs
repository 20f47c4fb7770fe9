using System.IO.Pipelines;
using Codecs.Pixels;
using Codecs.Rfb;
using Encoders.Rfb.Tests.Support;
using Xunit;

namespace Encoders.Rfb.Tests;

/// <summary>
/// Several frames of corpus traces (with scrolls and window moves, so CopyRect is exercised) through the server to the
/// test client: after every update the client's picture equals the source frame in the client's format.
/// </summary>
public sealed class UpdateTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private static readonly PixelFormat s_rgb565BigEndian = PixelFormat.Rgb565 with { BigEndian = true };
    private static readonly PixelFormat s_rgbx32BigEndian = new(32, 24, true, true, 255, 255, 255, 24, 16, 8);
    private static readonly PixelFormat s_colourMapped = new(8, 8, false, false, 0, 0, 0, 0, 0, 0);

    public static TheoryData<string, int> Encodings => new()
    {
        { "terminal-scroll.fbt", RfbEncoding.Raw },
        { "terminal-scroll.fbt", RfbEncoding.Rre },
        { "terminal-scroll.fbt", RfbEncoding.Hextile },
        { "terminal-scroll.fbt", RfbEncoding.Zrle },
        { "terminal-scroll.fbt", RfbEncoding.Tight },
        { "terminal-scroll.fbt", RfbEncoding.TightPng },
        { "window-drag.fbt", RfbEncoding.Zrle },
        { "window-drag.fbt", RfbEncoding.Tight },
    };

    [Theory]
    [MemberData(nameof(Encodings))]
    public async Task EachEncoding_SeveralFramesWithCopies_PictureIsExact(string trace, int encoding)
    {
        await using ServerHarness harness = await ServerHarness.StartTraceAsync(trace, null, Cancellation);
        (TestRfbClient client, _) = harness.Connect();
        await client.HandshakeAsync(cancellationToken: Cancellation);
        // noVNC's and libvncclient's little-endian format: R, G, B, X in memory.
        await client.SetPixelFormatAsync(PixelFormat.Rgbx32, Cancellation);
        await client.SetEncodingsAsync(Cancellation, RfbEncoding.CopyRect, encoding, RfbEncoding.Raw);
        int frames = await PlayAndCheckAsync(harness, client, trace == "window-drag.fbt" ? 16 : 10);
        Assert.Contains(RfbEncoding.CopyRect, client.RectangleEncodings);
        Assert.Contains(encoding == RfbEncoding.TightPng ? RfbEncoding.TightPng : encoding, client.RectangleEncodings);
        RfbClientStatistics statistics = Assert.Single(harness.Server.Clients);
        Assert.True(statistics.CopyRectangles > 0);
        Assert.True(statistics.Updates >= frames, $"{statistics.Updates} updates for {frames} changed frames");
        await client.DisposeAsync();
    }

    public static TheoryData<string, int> Formats => new()
    {
        { "Rgb565", RfbEncoding.Zrle },
        { "Rgb565", RfbEncoding.Tight },
        { "Rgb565", RfbEncoding.Hextile },
        { "Rgb565BigEndian", RfbEncoding.Zrle },
        { "Rgb565BigEndian", RfbEncoding.Tight },
        { "Rgb565BigEndian", RfbEncoding.Raw },
        { "Bgr233", RfbEncoding.Zrle },
        { "Bgr233", RfbEncoding.Tight },
        { "Bgr233", RfbEncoding.Rre },
        { "ColourMapped", RfbEncoding.Zrle },
        { "ColourMapped", RfbEncoding.Hextile },
        { "Rgbx32BigEndian", RfbEncoding.Zrle },
        { "Rgbx32BigEndian", RfbEncoding.Tight },
        { "Bgrx32", RfbEncoding.Tight },
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task EachPixelFormat_SeveralFrames_PictureIsExactInTheClientFormat(string formatName, int encoding)
    {
        PixelFormat format = formatName switch
        {
            "Rgb565" => PixelFormat.Rgb565,
            "Rgb565BigEndian" => s_rgb565BigEndian,
            "Bgr233" => PixelFormat.Bgr233,
            "ColourMapped" => s_colourMapped,
            "Rgbx32BigEndian" => s_rgbx32BigEndian,
            _ => PixelFormat.Bgrx32,
        };
        await using ServerHarness harness = await ServerHarness.StartTraceAsync("terminal-scroll.fbt", null, Cancellation);
        (TestRfbClient client, _) = harness.Connect();
        await client.HandshakeAsync(cancellationToken: Cancellation);
        await client.SetPixelFormatAsync(format, Cancellation);
        await client.SetEncodingsAsync(Cancellation, encoding, RfbEncoding.CopyRect);
        await PlayAndCheckAsync(harness, client, 5);
        Assert.Equal(format.TrueColour ? 0 : 1, client.ColourMaps);
        Assert.Equal(format, Assert.Single(harness.Server.Clients).PixelFormat);
        await client.DisposeAsync();
    }

    [Fact]
    public async Task WithoutCopyRect_CopiesAreDrawnAsPixels()
    {
        await using ServerHarness harness = await ServerHarness.StartTraceAsync("terminal-scroll.fbt", null, Cancellation);
        (TestRfbClient client, _) = harness.Connect();
        await client.HandshakeAsync(cancellationToken: Cancellation);
        await client.SetEncodingsAsync(Cancellation, RfbEncoding.Zrle);
        await PlayAndCheckAsync(harness, client, 6);
        Assert.DoesNotContain(RfbEncoding.CopyRect, client.RectangleEncodings);
        await client.DisposeAsync();
    }

    [Fact]
    public async Task PixelFormatChange_MidSession_ZrleGivesWayAndPictureStaysExact()
    {
        await using ServerHarness harness = await ServerHarness.StartTraceAsync("terminal-scroll.fbt", null, Cancellation);
        (TestRfbClient client, _) = harness.Connect();
        await client.HandshakeAsync(cancellationToken: Cancellation);
        await client.SetEncodingsAsync(Cancellation, RfbEncoding.Zrle, RfbEncoding.Tight, RfbEncoding.CopyRect);
        await PlayAndCheckAsync(harness, client, 3);
        Assert.Equal("ZRLE", harness.Server.Clients[0].Encoding);

        // A new format after ZRLE data: the ZRLE stream cannot continue in another format, so Tight takes over.
        await client.SetPixelFormatAsync(PixelFormat.Rgb565, Cancellation);
        await client.RequestUpdateAsync(incremental: false, Cancellation);
        await client.ReadPixelUpdateAsync(Cancellation);
        Assert.True(client.PictureEquals(harness.Device.LatestFrame!.ConvertTo(client.Format)));
        Assert.Equal("Tight", harness.Server.Clients[0].Encoding);
        await PlayAndCheckAsync(harness, client, 3, firstFull: false);
        await client.DisposeAsync();
    }

    [Fact]
    public async Task TightJpeg_WithQualityLevel_IsCloseToTheSource()
    {
        await using ServerHarness harness = await ServerHarness.StartTraceAsync("photo-viewer.fbt", null, Cancellation);
        TestRfbClient client = await TightJpegClientAsync(harness);
        byte[] expected = harness.Device.LatestFrame!.ConvertTo(client.Format);
        double squared = 0;
        int samples = 0;
        for (int i = 0; i < expected.Length; i += 4)
        {
            for (int c = 0; c < 3; c++)
            {
                double d = expected[i + c] - client.Picture[i + c];
                squared += d * d;
                samples++;
            }
        }

        double psnr = 10 * Math.Log10(255.0 * 255.0 / Math.Max(squared / samples, 1e-9));
        Assert.True(psnr > 30, $"PSNR {psnr:F1} dB");
        Assert.True(harness.Server.Clients[0].BytesSent < expected.Length / 4, "JPEG should compress a photo well below raw size");
        await client.DisposeAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Lossless_WithQualityLevel_IsExact_AndGradientTakesThePhotos(bool tightGradient)
    {
        var options = new RfbServerOptions { AllowLossy = false, TightGradient = tightGradient };
        await using ServerHarness harness = await ServerHarness.StartTraceAsync("photo-viewer.fbt", options, Cancellation);

        // The client asks for JPEG; the server stays lossless.
        TestRfbClient client = await TightJpegClientAsync(harness);
        Assert.True(client.PictureEquals(harness.Device.LatestFrame!.ConvertTo(client.Format)));
        RfbClientStatistics statistics = harness.Server.Clients[0];
        Assert.Equal(tightGradient, statistics.TightGradientRectangles > 0);
        await client.DisposeAsync();
    }

    /// <summary>A 32 bpp client asking for Tight with JPEG quality level 8, after its first full update.</summary>
    private static async Task<TestRfbClient> TightJpegClientAsync(ServerHarness harness)
    {
        (TestRfbClient client, _) = harness.Connect();
        await client.HandshakeAsync(cancellationToken: Cancellation);
        await client.SetPixelFormatAsync(PixelFormat.Rgbx32, Cancellation);
        await client.SetEncodingsAsync(Cancellation, RfbEncoding.Tight, RfbEncoding.QualityLevel0 + 8, RfbEncoding.CompressLevel0 + 2);
        await client.RequestUpdateAsync(incremental: false, Cancellation);
        await client.ReadPixelUpdateAsync(Cancellation);
        return client;
    }

    [Fact]
    public async Task MalformedClient_IsDropped_WhileAnotherKeepsBeingServed()
    {
        await using ServerHarness harness = await ServerHarness.StartTraceAsync("terminal-scroll.fbt", null, Cancellation);
        (TestRfbClient good, _) = harness.Connect();
        (TestRfbClient bad, Task<RfbClientStatistics> badSession) = harness.Connect();
        await good.HandshakeAsync(cancellationToken: Cancellation);
        await bad.HandshakeAsync(cancellationToken: Cancellation);
        await good.SetEncodingsAsync(Cancellation, RfbEncoding.CopyRect, RfbEncoding.Zrle);
        await PlayAndCheckAsync(harness, good, 2);

        // Message type 77 does not exist.
        await bad.WriteAsync([77, 1, 2, 3], Cancellation);
        RfbClientStatistics dropped = await badSession;
        Assert.Contains("protocol error", dropped.DisconnectReason, StringComparison.Ordinal);
        Assert.Contains("unknown message type 77", dropped.DisconnectReason, StringComparison.Ordinal);
        Assert.True(await bad.WaitForCloseAsync(Cancellation));

        await PlayAndCheckAsync(harness, good, 4, firstFull: false);
        Assert.Single(harness.Server.Clients);
        Assert.Single(harness.Server.FinishedClients);
        await good.DisposeAsync();
        await bad.DisposeAsync();
    }

    public static TheoryData<string, byte[]> MalformedMessages => new()
    {
        { "bad pixel format", [0, 0, 0, 0, 24, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0] },
        { "too many encodings", [2, 0, 0xFF, 0xFF] },
        { "huge clipboard", [6, 0, 0, 0, 0x7F, 0xFF, 0xFF, 0xFF] },
        { "oversized fence", [248, 0, 0, 0, 0x80, 0, 0, 0, 65] },
        { "unknown QEMU subtype", [255, 9] },
    };

    [Theory]
    [MemberData(nameof(MalformedMessages))]
    public async Task MalformedMessage_DropsTheClientWithAReason(string what, byte[] message)
    {
        await using ServerHarness harness = await ServerHarness.StartTraceAsync("terminal-scroll.fbt", null, Cancellation);
        (TestRfbClient client, Task<RfbClientStatistics> session) = harness.Connect();
        await client.HandshakeAsync(cancellationToken: Cancellation);
        await client.WriteAsync(message, Cancellation);
        RfbClientStatistics dropped = await session;
        Assert.True(dropped.DisconnectReason!.StartsWith("protocol error", StringComparison.Ordinal), $"{what}: {dropped.DisconnectReason}");
        await client.DisposeAsync();
    }

    [Fact]
    public async Task SlowClient_StaysBounded_AndCatchesUpExactly()
    {
        await using ServerHarness harness = await ServerHarness.StartTraceAsync("terminal-scroll.fbt", null, Cancellation);
        var smallPipe = new PipeOptions(pauseWriterThreshold: 64 * 1024, resumeWriterThreshold: 32 * 1024);
        (TestRfbClient slow, _) = harness.Connect(smallPipe);
        (TestRfbClient fast, _) = harness.Connect();
        await slow.HandshakeAsync(cancellationToken: Cancellation);
        await fast.HandshakeAsync(cancellationToken: Cancellation);
        // Raw makes each update far larger than the pipe allows before the writer has to wait.
        await slow.SetEncodingsAsync(Cancellation, RfbEncoding.Raw, RfbEncoding.CopyRect);
        await fast.SetEncodingsAsync(Cancellation, RfbEncoding.Zrle, RfbEncoding.CopyRect);
        await slow.RequestUpdateAsync(incremental: false, Cancellation);
        await fast.RequestUpdateAsync(incremental: false, Cancellation);
        await fast.ReadPixelUpdateAsync(Cancellation);

        // The slow client asks for everything but reads nothing while 30 frames play; the fast one keeps up.
        for (int i = 0; i < 30; i++)
        {
            await slow.RequestUpdateAsync(incremental: true, Cancellation);
            await harness.AdvanceAsync(1, Cancellation);
            if (!harness.Device.LatestFrame!.Pixels.AsSpan().SequenceEqual(harness.Device.PreviousFrame?.Pixels))
            {
                await fast.RequestUpdateAsync(incremental: true, Cancellation);
                await fast.ReadPixelUpdateAsync(Cancellation);
                Assert.True(fast.PictureEquals(harness.Device.LatestFrame!.ConvertTo(fast.Format)), $"fast client differs at frame {i}");
            }
        }

        RfbClientStatistics slowStatistics = harness.Server.Clients.Single(c => c.Encoding == "Raw");
        // One full-screen Raw update (8 MB) was written and the writer has been waiting on it since: nothing more.
        Assert.Equal(1, slowStatistics.Updates);
        long frameBytes = 1920L * 1080 * 4;
        Assert.InRange(slowStatistics.BytesSent, frameBytes, frameBytes + 4096);

        // Now it reads: the first update, then one update (answering the requests it sent meanwhile) that brings it
        // to the current frame.
        await slow.ReadPixelUpdateAsync(Cancellation);
        await slow.ReadPixelUpdateAsync(Cancellation);
        Assert.True(slow.PictureEquals(harness.Device.LatestFrame!.ConvertTo(slow.Format)), "slow client after catching up: " + slow.FirstDifference(harness.Device.LatestFrame!.ConvertTo(slow.Format)));
        Assert.Equal(2, slowStatistics.Updates);
        await slow.DisposeAsync();
        await fast.DisposeAsync();
    }

    /// <summary>Requests a full update (optionally), then for each of <paramref name="frames"/> frames that changed an incremental one; checks the picture after each.</summary>
    private static async Task<int> PlayAndCheckAsync(ServerHarness harness, TestRfbClient client, int frames, bool firstFull = true)
    {
        if (firstFull)
        {
            await client.RequestUpdateAsync(incremental: false, Cancellation);
            await client.ReadPixelUpdateAsync(Cancellation);
            Assert.True(client.PictureEquals(harness.Device.LatestFrame!.ConvertTo(client.Format)), "first update: " + client.FirstDifference(harness.Device.LatestFrame!.ConvertTo(client.Format)));
        }

        int changed = 0;
        for (int i = 0; i < frames; i++)
        {
            await harness.AdvanceAsync(1, Cancellation);
            if (harness.Device.LatestFrame!.Pixels.AsSpan().SequenceEqual(harness.Device.PreviousFrame?.Pixels))
            {
                continue;
            }

            changed++;
            await client.RequestUpdateAsync(incremental: true, Cancellation);
            await client.ReadPixelUpdateAsync(Cancellation);
            byte[] expected = harness.Device.LatestFrame!.ConvertTo(client.Format);
            Assert.True(client.PictureEquals(expected), $"frame {harness.Device.Handed}: first difference at {client.FirstDifference(expected)}");
        }

        return changed;
    }
}
