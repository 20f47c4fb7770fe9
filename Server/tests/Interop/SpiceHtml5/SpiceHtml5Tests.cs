using System.Net;
using Codecs.Spice.Choice;
using Damage.Device;
using Encoders.Spice;
using Microsoft.Extensions.Logging;
using Server.Hosting;
using Xunit;

namespace Server.Tests.Interop.SpiceHtml5;

/// <summary>
/// spice-html5 0.3.0 (Debian) in headless Chromium against <see cref="SpiceHost"/> over its native WebSocket, the
/// server playing the window-drag corpus trace: the canvas equals the served frame for each image type spice-html5
/// decodes (raw bitmap, QUIC, LZ_RGB; it cannot draw GLZ or LZ4), first draw and after incremental updates with
/// COPY_BITS; a wrong ticket is refused; keys and clicks on the canvas reach the device.
/// </summary>
public sealed class SpiceHtml5Tests
{
    private const string Password = "html5-secret";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(SpiceImageCompression.Off, SpiceImageType.Bitmap)]
    [InlineData(SpiceImageCompression.Quic, SpiceImageType.Quic)]
    [InlineData(SpiceImageCompression.Lz, SpiceImageType.LzRgb)]
    public async Task Canvas_EqualsTheServedFrame_AtFirstAndAfterIncrementalUpdatesWithCopyBits(SpiceImageCompression compression, SpiceImageType imageType)
    {
        await using var server = await SpiceTestServer.StartAsync(new SpiceServerOptions { Password = Password, ForcedCompression = compression });
        await using var browser = await SpiceHtml5Page.OpenAsync(server.Port, Password);
        await browser.WaitForFrameAsync(server.Device);

        // Play on until the damage engine has moved pixels (the window drag), then a few more frames.
        SpiceDisplayStatistics totals = server.Host.Server.DisplayTotals;
        for (int frame = 0; frame < 80 && totals.CopyBits == 0; frame++)
        {
            await server.StepAsync(1);
        }

        Assert.True(totals.CopyBits > 0, "window-drag produced no COPY_BITS");
        await server.StepAsync(3);
        await browser.WaitForFrameAsync(server.Device);

        Assert.True(totals.ImageCount(imageType) > 1, $"no {imageType} images were sent (forced {compression})");
        Assert.Empty(await browser.ErrorsAsync());
    }

    [Fact]
    public async Task WrongPassword_IsRefused_AndNothingIsDrawn()
    {
        await using var server = await SpiceTestServer.StartAsync(new SpiceServerOptions { Password = Password });
        await using var browser = await SpiceHtml5Page.OpenAsync(server.Port, "not-the-password");

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));
        while ((await browser.ErrorsAsync()).Length == 0)
        {
            await Task.Delay(100, deadline.Token);
        }

        Assert.Contains("Permission denied.", await browser.ErrorsAsync());
        Assert.False(await browser.HasCanvasAsync());
        Assert.Empty(server.Host.Server.Clients);
    }

    [Fact]
    public async Task KeysAndClicksOnTheCanvas_ReachTheDevice()
    {
        await using var server = await SpiceTestServer.StartAsync(new SpiceServerOptions { Password = Password });
        await using var browser = await SpiceHtml5Page.OpenAsync(server.Port, Password);
        await browser.WaitForFrameAsync(server.Device);

        // spice-html5 asks for client mouse mode, so positions are absolute canvas coordinates.
        var canvas = browser.Page.Locator("#spice_surface_0");
        await canvas.ClickAsync(new() { Position = new() { X = 200, Y = 150 } });
        await browser.Page.Keyboard.PressAsync("a");

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));
        IReadOnlyList<InputRecord> input = server.Device.ReceivedInput;
        while (!(input.Any(i => i.Key is { Scancode: 0x1E, Down: true })
            && input.Any(i => i.Key is { Scancode: 0x1E, Down: false })
            && input.Any(i => i.Pointer is { Buttons: PointerButtons.Left, X: 200, Y: 150 })
            && input.Any(i => i.Pointer is { Buttons: PointerButtons.None, X: 200, Y: 150 })))
        {
            await Task.Delay(50, deadline.Token);
            input = server.Device.ReceivedInput;
        }
    }

    [Fact]
    public async Task SamePort_ServesRawSpice_ToSpicyScreenshot_WhileTheBrowserIsConnected()
    {
        await using var server = await SpiceTestServer.StartAsync(new SpiceServerOptions { Password = Password });
        await using var browser = await SpiceHtml5Page.OpenAsync(server.Port, Password);
        await browser.WaitForFrameAsync(server.Device);

        // spice-gtk speaks "REDQ" first on a plain TCP connection to the port the browser's WebSockets use.
        string ppm = Path.Combine(Path.GetTempPath(), $"spice-html5-{Guid.NewGuid():N}.ppm");
        try
        {
            string port = server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            (int exit, string log) = await InteropServer.RunAsync(
                InteropServer.RequireTool("/usr/bin/spicy-screenshot"), ["-h", "127.0.0.1", "-p", port, "-w", Password, "-o", ppm], TimeSpan.FromSeconds(60));
            Assert.True(exit == 0, $"spicy-screenshot exited with {exit}: {log}");
            (byte[] rgb, string convertLog) = await InteropServer.ReadRgbAsync(ppm);
            Assert.Equal("identical", InteropServer.Compare(server.Device.LatestFrame!.ToRgb24(), rgb, server.Device.Mode.Width, 3) + (rgb.Length == 0 ? convertLog : ""));
        }
        finally
        {
            File.Delete(ppm);
            File.Delete(ppm + ".rgb");
        }

        // The browser's session was not disturbed by the second client.
        Assert.Equal("identical", await browser.CompareCanvasAsync());
    }

    /// <summary>One trace device, its display and a SPICE host on a free loopback port, first frame already taken.</summary>
    private sealed class SpiceTestServer : IAsyncDisposable
    {
        private SpiceTestServer(SteppedDevice device, DisplayHost display, SpiceHost host)
        {
            Device = device;
            Display = display;
            Host = host;
        }

        public SteppedDevice Device { get; }

        public DisplayHost Display { get; }

        public SpiceHost Host { get; }

        public int Port => Host.Port;

        public static async Task<SpiceTestServer> StartAsync(SpiceServerOptions options)
        {
            ILogger logger = new ConsoleLogger(LogLevel.Information, TextWriter.Null);
            var device = new SteppedDevice(new TraceReplayDevice(Path.Combine(ToolRunner.RepositoryRoot, "corpus", "window-drag.fbt"), new TraceReplayOptions { RealTime = false }));
            var display = new DisplayHost(device, logger);
            device.Step();
            await display.StartAsync(Ct);
            await device.WaitHandedAsync(Ct);
            var host = new SpiceHost(display.Display, new IPEndPoint(IPAddress.Loopback, 0), options, logger);
            host.Start();
            return new SpiceTestServer(device, display, host);
        }

        /// <summary>Hands the display <paramref name="frames"/> more trace frames and waits until it took them.</summary>
        public async Task StepAsync(int frames)
        {
            Device.Step(frames);
            await Device.WaitHandedAsync(Ct);
        }

        public async ValueTask DisposeAsync()
        {
            await Host.DisposeAsync();
            await Display.DisposeAsync();
        }
    }
}
