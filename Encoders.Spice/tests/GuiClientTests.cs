using Damage.Device;
using Encoders.Spice.Tests.Support;
using Xunit;

namespace Encoders.Spice.Tests;

/// <summary>
/// spicy (spice-gtk's GTK client, package spice-client-gtk) under Xvfb: the window shows the source frame after
/// incremental updates including COPY_BITS, and keys and pointer clicks typed with xdotool reach the device.
/// </summary>
public sealed class GuiClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Spicy_ShowsTheFrame_AfterIncrementalUpdatesWithCopyBits_AndForwardsInput()
    {
        var trace = new TraceReplayDevice(Corpus.Trace("window-drag"), new TraceReplayOptions { RealTime = false });
        var device = new SteppedDevice(trace);
        await using var harness = new ServerHarness(device, new SpiceServerOptions());
        await using var host = new TcpTestHost(harness.Server);
        device.Step();
        await device.WaitHandedAsync(Ct);

        using var xvfb = new XvfbSession(2560, 1600);
        // spice-gtk scales the picture to fit its widget: a window exactly as wide as the display and taller than it
        // (there is no window manager to size it) gives scale 1, letterboxed.
        xvfb.StartClient("spicy", ["-h", "127.0.0.1", "-p", host.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await xvfb.RunAsync("xdotool", ["search", "--sync", "--onlyvisible", "--class", "spicy", "windowsize", "%@", "1920", "1500"], Ct);
        (int X, int Y) origin = await WaitForPictureAsync(xvfb, device, null);

        // Play on until the damage engine has produced copies (the drag), then compare the window again.
        for (int frame = 0; frame < 60 && harness.Server.DisplayTotals.CopyBits == 0; frame++)
        {
            device.Step();
            await device.WaitHandedAsync(Ct);
        }

        Assert.True(harness.Server.DisplayTotals.CopyBits > 0, "window-drag produced no COPY_BITS");
        device.Step(3);
        await device.WaitHandedAsync(Ct);
        await WaitForPictureAsync(xvfb, device, origin);

        // Input: a click and a key in the display area reach the device.
        string x = (origin.X + 200).ToString(System.Globalization.CultureInfo.InvariantCulture);
        string y = (origin.Y + 150).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await xvfb.RunAsync("xdotool", ["mousemove", x, y, "click", "1"], Ct);
        await xvfb.RunAsync("xdotool", ["key", "a"], Ct);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(30));
        while (!(trace.ReceivedInput.Any(i => i.Key is { Scancode: 0x1E, Down: true })
            && trace.ReceivedInput.Any(i => i.Pointer is { Buttons: PointerButtons.Left } p && p.X == 200 && p.Y == 150)))
        {
            await Task.Delay(50, deadline.Token);
        }
    }

    // Grabs the screen until the frame appears (at origin, when known) pixel for pixel; spice-gtk paints asynchronously.
    private static async Task<(int X, int Y)> WaitForPictureAsync(XvfbSession xvfb, SteppedDevice device, (int X, int Y)? origin)
    {
        FrameSnapshot frame = device.LatestFrame!;
        (byte[] pixels, int stride) = (frame.Pixels, frame.Stride);
        int width = device.Mode.Width;
        int height = device.Mode.Height;
        string last = "nothing grabbed";
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            while (true)
            {
                Ppm screen = await xvfb.GrabAsync(deadline.Token);
                if ((origin ?? screen.Locate(pixels, stride, width, height)) is { } at)
                {
                    int differences = screen.CountDifferencesAt(at.X, at.Y, pixels, stride, width, height);
                    if (differences == 0)
                    {
                        return at;
                    }

                    last = $"{differences} pixels differ at {at}";
                }
                else
                {
                    last = "frame not found on screen";
                }

                await Task.Delay(250, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!Ct.IsCancellationRequested)
        {
            Assert.Fail("spicy never showed the frame: " + last);
            throw;
        }
    }
}
