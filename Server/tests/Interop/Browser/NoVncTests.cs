using Codecs.Rfb;
using Damage.Device;
using Encoders.Rfb;
using Xunit;

namespace Server.Tests.Interop.Browser;

/// <summary>
/// noVNC 1.3 (Debian) and 1.7 (npm) in Debian's Chromium, connected by WebSocket straight to the RFB port. The server
/// offers one encoding at a time; the canvas must equal the served trace frame pixel for pixel for lossless encodings,
/// and come within a PSNR bound for Tight JPEG.
/// </summary>
public sealed class NoVncTests(ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    // A terminal scrolling: text, flat areas, few colours; by frame 12 the whole screen has content.
    private const string TextTrace = "terminal-scroll.fbt";
    private const int TextFrame = 12;

    // Photographs in a viewer: regions the Tight encoder sends as JPEG when the client allows it.
    private const string PhotoTrace = "photo-viewer.fbt";
    private const int PhotoFrame = 12;

    /// <summary>
    /// JPEG bound over the whole frame: at quality level 8 (libjpeg-turbo quality 92, 4:4:4) only the photographs are
    /// lossy and the rest of the frame is exact; both noVNC versions measured 47.96 dB on this frame. 40 dB leaves room
    /// for another JPEG decoder in the browser, while a misplaced or stale rectangle, swapped channels or a wrong
    /// subsampling would cost far more.
    /// </summary>
    private const double MinimumJpegPsnr = 40.0;

    // What each noVNC version decodes (research/rfb-encodings.md §7): 1.3 has no ZRLE, and rejects Tight's gradient
    // filter (off in the server by default) and Basic compression inside TightPNG (the server's TightPNG sends none).
    public static TheoryData<string, int, string> LosslessCases()
    {
        var cases = new TheoryData<string, int, string>();
        foreach (string version in new[] { NoVncDistribution.Debian, NoVncDistribution.Npm })
        {
            cases.Add(version, RfbEncoding.Raw, "Raw");
            cases.Add(version, RfbEncoding.Rre, "RRE");
            cases.Add(version, RfbEncoding.Hextile, "Hextile");
            cases.Add(version, RfbEncoding.Tight, "Tight");
            cases.Add(version, RfbEncoding.TightPng, "TightPNG");
        }

        cases.Add(NoVncDistribution.Npm, RfbEncoding.Zrle, "ZRLE");
        return cases;
    }

    [Theory]
    [MemberData(nameof(LosslessCases))]
    public async Task NoVnc_LosslessEncoding_CanvasEqualsTheFrame(string version, int encoding, string name)
    {
        NoVncDistribution novnc = await NoVncDistribution.GetAsync(version);
        await using BrowserServer server = await BrowserServer.StartAsync(TextTrace, TextFrame, new RfbServerOptions { Encodings = [encoding] });
        await using NoVncPage page = await NoVncPage.OpenAsync(chromium.Browser, novnc, server);
        await page.WaitUntilSettledAsync(server, FirstPictureSent);

        await AssertCanvasEqualsFrameAsync(page, server);
        RfbClientStatistics client = server.Client;
        Assert.Equal(name, client.Encoding);
        Assert.True(client.RectanglesByEncoding.ContainsKey(name), client.ToString());
    }

    /// <summary>
    /// Incremental updates while the terminal scrolls: CopyRect for the moved text plus one pixel encoding for the rest.
    /// noVNC 1.3 is paired with Hextile, not Raw: its Raw decoder forces alpha on the wrong bytes when a rectangle does
    /// not start at the beginning of its receive buffer (noVNC issue #1635, fixed in 1.4), so small Raw rectangles
    /// whose padding byte is 0 are drawn transparent and the canvas keeps the old pixels.
    /// </summary>
    [Theory]
    [InlineData(NoVncDistribution.Debian, RfbEncoding.Hextile, "Hextile")]
    [InlineData(NoVncDistribution.Npm, RfbEncoding.Raw, "Raw")]
    public async Task NoVnc_CopyRectWhileScrolling_CanvasFollowsTheFrames(string version, int encoding, string name)
    {
        NoVncDistribution novnc = await NoVncDistribution.GetAsync(version);
        await using BrowserServer server = await BrowserServer.StartAsync(TextTrace, TextFrame, new RfbServerOptions { Encodings = [encoding] });
        await using NoVncPage page = await NoVncPage.OpenAsync(chromium.Browser, novnc, server);
        await page.WaitUntilSettledAsync(server, FirstPictureSent);
        await AssertCanvasEqualsFrameAsync(page, server);

        // Each terminal-scroll frame scrolls the text (terminal-scroll.scrolls.txt).
        for (int step = 0; step < 3; step++)
        {
            TimeSpan encoded = server.Client.EncodeTime;
            await server.AdvanceAsync(1);
            await page.WaitUntilSettledAsync(server, client => client.EncodeTime > encoded);
            await AssertCanvasEqualsFrameAsync(page, server);
        }

        RfbClientStatistics client = server.Client;
        Assert.True(client.CopyRectangles > 0, client.ToString());
        Assert.Equal(name, client.Encoding);
    }

    /// <summary>
    /// noVNC 1.7 decodes Tight's gradient filter (1.3 does not): the photographs go through the filter and
    /// <c>RunHuffmanDeflater</c>, and the canvas must still equal the frame exactly. noVNC always asks for JPEG (a
    /// quality level), which would take the photographs first, so the server is lossless-only here.
    /// </summary>
    [Fact]
    public async Task NoVnc17_TightGradient_PhotoCanvasEqualsTheFrame()
    {
        NoVncDistribution novnc = await NoVncDistribution.GetAsync(NoVncDistribution.Npm);
        await using BrowserServer server = await BrowserServer.StartAsync(PhotoTrace, PhotoFrame, new RfbServerOptions { Encodings = [RfbEncoding.Tight], TightGradient = true, AllowLossy = false });
        await using NoVncPage page = await NoVncPage.OpenAsync(chromium.Browser, novnc, server);
        await page.WaitUntilSettledAsync(server, FirstPictureSent);

        await AssertCanvasEqualsFrameAsync(page, server);
        Assert.Equal("Tight", server.Client.Encoding);
        Assert.True(server.Client.TightGradientRectangles > 0, server.Client.ToString());
    }

    [Theory]
    [InlineData(NoVncDistribution.Debian)]
    [InlineData(NoVncDistribution.Npm)]
    public async Task NoVnc_TightJpegQuality8_CanvasWithinPsnrBound(string version)
    {
        NoVncDistribution novnc = await NoVncDistribution.GetAsync(version);
        await using BrowserServer server = await BrowserServer.StartAsync(PhotoTrace, PhotoFrame, new RfbServerOptions { Encodings = [RfbEncoding.Tight] });
        await using NoVncPage page = await NoVncPage.OpenAsync(chromium.Browser, novnc, server, qualityLevel: 8);
        await page.WaitUntilSettledAsync(server, FirstPictureSent);

        (int width, int height, byte[] rgb) = await page.ReadCanvasAsync();
        Assert.Equal((server.Device.Mode.Width, server.Device.Mode.Height), (width, height));
        byte[] expected = server.Device.LatestFrame!.ToRgb24();
        // Lossy really happened (a lossless path would make the bound meaningless), and stayed close to the frame.
        Assert.NotEqual("identical", InteropServer.Compare(expected, rgb, width, 3));
        double psnr = Psnr(expected, rgb);
        TestContext.Current.SendDiagnosticMessage($"noVNC {version} Tight JPEG quality 8: PSNR {psnr:F2} dB");
        Assert.True(psnr >= MinimumJpegPsnr, $"PSNR {psnr:F2} dB < {MinimumJpegPsnr} dB; {server.Client}");
        Assert.Equal("Tight", server.Client.Encoding);
    }

    [Theory]
    [InlineData(NoVncDistribution.Debian)]
    [InlineData(NoVncDistribution.Npm)]
    public async Task NoVnc_KeysAndPointer_ReachTheDevice(string version)
    {
        NoVncDistribution novnc = await NoVncDistribution.GetAsync(version);
        await using BrowserServer server = await BrowserServer.StartAsync(TextTrace, TextFrame, new RfbServerOptions());
        await using NoVncPage page = await NoVncPage.OpenAsync(chromium.Browser, novnc, server);
        await page.WaitUntilSettledAsync(server, FirstPictureSent);

        // The canvas sits at the page origin with the viewport as large as the framebuffer: page = framebuffer pixels.
        await page.Page.Mouse.MoveAsync(100, 200);
        await WaitForAsync(() => Pointers(server).Contains(new PointerEvent(100, 200, PointerButtons.None)), "pointer at (100, 200)", server, page);
        await page.Page.Mouse.ClickAsync(640, 360);
        await WaitForAsync(() => Pointers(server).Contains(new PointerEvent(640, 360, PointerButtons.Left)), "left button at (640, 360)", server, page);
        await WaitForAsync(() => Pointers(server)[^1] == new PointerEvent(640, 360, PointerButtons.None), "button released", server, page);

        await page.FocusAsync();
        await page.Page.Keyboard.TypeAsync("Hi!");
        uint[] typed = ['H', 'i', '!'];
        await WaitForAsync(() => Keys(server).Count(k => !k.Down && !IsModifier(k.Keysym)) >= typed.Length, "three key releases", server, page);
        IReadOnlyList<KeyEvent> keys = Keys(server);
        Assert.Equal(typed, keys.Where(k => k.Down && !IsModifier(k.Keysym)).Select(k => k.Keysym));
        Assert.Equal(typed, keys.Where(k => !k.Down && !IsModifier(k.Keysym)).Select(k => k.Keysym));
    }

    // Encode time grows only when a pixel update is complete (it is added together with the update's bytes); the
    // updates counter also counts pseudo-rectangle-only updates (ExtendedDesktopSize, QEMU key event acknowledgement).
    private static bool FirstPictureSent(RfbClientStatistics client) => client.EncodeTime > TimeSpan.Zero;

    private static async Task AssertCanvasEqualsFrameAsync(NoVncPage page, BrowserServer server)
    {
        (int width, int height, byte[] rgb) = await page.ReadCanvasAsync();
        Assert.Equal((server.Device.Mode.Width, server.Device.Mode.Height), (width, height));
        Assert.Equal("identical", InteropServer.Compare(server.Device.LatestFrame!.ToRgb24(), rgb, width, 3));
    }

    // X11 keysyms Shift_L .. Hyper_R.
    private static List<PointerEvent> Pointers(BrowserServer server) =>
        [.. server.Device.ReceivedInput.Where(i => i.Pointer is not null).Select(i => i.Pointer!.Value)];

    private static List<KeyEvent> Keys(BrowserServer server) =>
        [.. server.Device.ReceivedInput.Where(i => i.Key is not null).Select(i => i.Key!.Value)];

    private static bool IsModifier(uint keysym) => keysym is >= 0xFFE1 and <= 0xFFEE;

    private static double Psnr(byte[] expected, byte[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double squares = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            int difference = expected[i] - actual[i];
            squares += difference * difference;
        }

        return squares == 0 ? double.PositiveInfinity : 10 * Math.Log10(255.0 * 255.0 * expected.Length / squares);
    }

    private static async Task WaitForAsync(Func<bool> condition, string what, BrowserServer server, NoVncPage page)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        while (!condition())
        {
            try
            {
                await Task.Delay(20, timeout.Token);
            }
            catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
            {
                Assert.Fail($"no {what} within 20 s; pointer events [{string.Join(", ", Pointers(server))}], keys [{string.Join(", ", Keys(server))}]\n{page.ConsoleLog}");
            }
        }
    }
}
