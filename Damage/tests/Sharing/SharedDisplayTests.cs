using Codecs.Pixels;
using Damage.Device;
using Damage.Sharing;
using Xunit;

namespace Damage.Tests.Sharing;

public sealed class SharedDisplayTests
{
    private static string CorpusDirectory => CorpusReplayTests.CorpusDirectory;

    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    /// <summary>
    /// A corpus trace through one shared scan to three clients that take at different paces (every frame, every 7th,
    /// and once at the end): after every take each client's picture equals the frame it was given, and the fast
    /// client receives copies (the traces scroll or move windows).
    /// </summary>
    [Theory]
    [InlineData("terminal-scroll.fbt", 90)]
    [InlineData("window-drag.fbt", 90)]
    [InlineData("browser-scroll.fbt", 60)]
    public async Task ClientsAtAnyPace_ReproduceEveryFrameTheyTake(string trace, int frames)
    {
        var device = new SteppedDevice(new TraceReplayDevice(Path.Combine(CorpusDirectory, trace), new TraceReplayOptions { RealTime = false }));
        await using var display = new SharedDisplay(device);
        Task pump = display.RunAsync(Cancellation);
        device.Step();
        await display.WaitForFirstFrameAsync(Cancellation);

        using DisplayClient fast = display.Connect();
        using DisplayClient slow = display.Connect();
        using DisplayClient late = display.Connect();
        using var fastPicture = new ClientPicture();
        using var slowPicture = new ClientPicture();
        using var latePicture = new ClientPicture();
        TakeAndCheck(fast, fastPicture, "fast", 0);
        TakeAndCheck(slow, slowPicture, "slow", 0);

        for (int frame = 1; frame < frames; frame++)
        {
            device.Step();
            await WaitForFramesAsync(display, frame + 1);
            TakeAndCheck(fast, fastPicture, "fast", frame);
            if (frame % 7 == 0)
            {
                TakeAndCheck(slow, slowPicture, "slow", frame);
            }
        }

        TakeAndCheck(slow, slowPicture, "slow", frames);
        TakeAndCheck(late, latePicture, "late", frames);
        Assert.True(fastPicture.CopiesApplied > 0, $"{trace}: no copy reached the client in {frames} frames");
        Assert.Equal(frames, display.Statistics.Frames);
        Assert.False(pump.IsFaulted);
    }

    [Fact]
    public async Task SlowClient_PendingStateStaysBoundedAndExact()
    {
        var random = new Random(1234);
        using Framebuffer frame = Framebuffer.Allocate(640, 480);
        random.NextBytes(frame.Span);
        await using var scripted = await ScriptedDisplay.StartAsync(frame, Cancellation);
        ScriptedDevice device = scripted.Device;
        SharedDisplay display = scripted.Display;
        var costModel = new RectCostModel(64, 1.0, 32);
        using DisplayClient client = display.Connect(costModel);
        using var picture = new ClientPicture();
        TakeAndCheck(client, picture, "client", 0);

        // 200 frames of scattered small changes without a take: the pending region must not grow with them.
        for (int i = 1; i <= 200; i++)
        {
            for (int spot = 0; spot < 20; spot++)
            {
                var area = new Rect(random.Next(0, 630), random.Next(0, 470), random.Next(1, 10), random.Next(1, 10));
                ImageView target = frame.View.Slice(area);
                for (int y = 0; y < area.Height; y++)
                {
                    random.NextBytes(target.Row(y));
                }
            }

            device.Push(frame);
            await WaitForFramesAsync(display, i + 1);
        }

        using (ClientUpdate update = client.TakeUpdate())
        {
            Assert.InRange(update.Rectangles.Count, 1, costModel.MaxRectangles);
            picture.Apply(update);
            Assert.True(picture.Matches(update.Frame));
        }

    }

    [Fact]
    public async Task ModeChange_ResizesEveryClientWithAFullRepaint()
    {
        using Framebuffer small = Framebuffer.Allocate(320, 200);
        using Framebuffer large = Framebuffer.Allocate(800, 600);
        new Random(1).NextBytes(small.Span);
        new Random(2).NextBytes(large.Span);
        await using var scripted = await ScriptedDisplay.StartAsync(small, Cancellation);
        ScriptedDevice device = scripted.Device;
        SharedDisplay display = scripted.Display;
        using DisplayClient client = display.Connect();
        Assert.Equal(new DisplayMode(320, 200, PixelFormat.Bgrx32), client.Mode);
        using var picture = new ClientPicture();
        TakeAndCheck(client, picture, "client", 0);

        device.Push(large);
        await WaitForFramesAsync(display, 2);
        Assert.True(await client.WaitForChangesAsync(Cancellation));
        using (ClientUpdate update = client.TakeUpdate())
        {
            Assert.True(update.ModeChanged);
            Assert.Equal(new DisplayMode(800, 600, PixelFormat.Bgrx32), update.Mode);
            Assert.Empty(update.Copies);
            Assert.Equal(800L * 600, update.Rectangles.Sum(r => r.Area));
            picture.Apply(update);
            Assert.True(picture.Matches(update.Frame));
        }

        Assert.Equal(800, client.Mode.Width);
    }

    [Fact]
    public async Task Invalidate_ResendsTheAreaOfAnUpToDateClient()
    {
        using Framebuffer frame = Framebuffer.Allocate(300, 300);
        await using var scripted = await ScriptedDisplay.StartAsync(frame, Cancellation);
        ScriptedDevice device = scripted.Device;
        SharedDisplay display = scripted.Display;
        using DisplayClient client = display.Connect();
        client.TakeUpdate().Dispose();
        Assert.False(client.HasChanges);

        client.Invalidate(new Rect(250, 250, 100, 100));
        Assert.True(client.HasChanges);
        using (ClientUpdate update = client.TakeUpdate())
        {
            Rect covered = update.Rectangles.Aggregate(default(Rect), (all, r) => all.Union(r));
            Assert.True(covered.Contains(new Rect(250, 250, 50, 50)), $"{covered} does not cover the clipped invalid area");
            Assert.False(update.ModeChanged);
        }

    }

    [Fact]
    public async Task HeldUpdate_KeepsTheFrameStableUntilDisposed()
    {
        using Framebuffer first = Framebuffer.Allocate(64, 64);
        using Framebuffer second = Framebuffer.Allocate(64, 64);
        first.Span.Fill(0x11);
        second.Span.Fill(0x22);
        await using var scripted = await ScriptedDisplay.StartAsync(first, Cancellation);
        ScriptedDevice device = scripted.Device;
        SharedDisplay display = scripted.Display;
        using DisplayClient client = display.Connect();

        ClientUpdate held = client.TakeUpdate();
        device.Push(second);
        await Task.Delay(100, Cancellation);
        Assert.Equal(0x11, held.Frame.Row(10)[10]);
        Assert.Equal(1, display.Statistics.Frames);
        Assert.Throws<InvalidOperationException>(() => client.TakeUpdate());

        held.Dispose();
        await WaitForFramesAsync(display, 2);
        using (ClientUpdate update = client.TakeUpdate())
        {
            Assert.Equal(0x22, update.Frame.Row(10)[10]);
            Assert.Equal(64L * 64, update.Rectangles.Sum(r => r.Area));
        }

    }

    [Fact]
    public async Task CursorAndPointerChanges_AreDeliveredOncePerClient()
    {
        using Framebuffer frame = Framebuffer.Allocate(100, 100);
        var arrow = new CursorShape(2, 2, 0, 0, new byte[16]);
        await using var scripted = await ScriptedDisplay.StartAsync(frame, Cancellation, arrow, new CursorPosition(5, 6, true));
        ScriptedDevice device = scripted.Device;
        SharedDisplay display = scripted.Display;
        using DisplayClient client = display.Connect();
        using (ClientUpdate update = client.TakeUpdate())
        {
            Assert.True(update.CursorChanged);
            Assert.Same(arrow, update.Cursor);
            Assert.True(update.PointerMoved);
            Assert.Equal(new CursorPosition(5, 6, true), update.Pointer);
        }

        device.Push(frame, null, new CursorPosition(7, 6, true));
        await WaitForFramesAsync(display, 2);
        Assert.True(await client.WaitForChangesAsync(Cancellation));
        using (ClientUpdate update = client.TakeUpdate())
        {
            Assert.True(update.IsEmpty);
            Assert.False(update.CursorChanged);
            Assert.True(update.PointerMoved);
            Assert.Equal(7, update.Pointer.X);
        }

        Assert.False(client.HasChanges);
    }

    [Fact]
    public async Task EndedDisplay_ReleasesWaitersAndRejectsEarlyClients()
    {
        var device = new ScriptedDevice();
        await using var display = new SharedDisplay(device);
        Assert.Throws<InvalidOperationException>(() => display.Connect());
        Task pump = display.RunAsync(Cancellation);
        using Framebuffer frame = Framebuffer.Allocate(16, 16);
        device.Push(frame);
        await display.WaitForFirstFrameAsync(Cancellation);
        using DisplayClient client = display.Connect();
        client.TakeUpdate().Dispose();

        ValueTask<bool> waiting = client.WaitForChangesAsync(Cancellation);
        Assert.False(waiting.IsCompleted);
        device.End();
        await pump;
        Assert.False(await waiting);
        Assert.False(await client.WaitForChangesAsync(Cancellation));
        Assert.True(display.HasEnded);
    }

    [Fact]
    public async Task DeviceEndingWithoutFrames_FailsTheFirstFrameWait()
    {
        var device = new ScriptedDevice();
        await using var display = new SharedDisplay(device);
        device.End();
        await display.RunAsync(Cancellation);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await display.WaitForFirstFrameAsync(Cancellation));
    }

    private static void TakeAndCheck(DisplayClient client, ClientPicture picture, string who, int frame)
    {
        using ClientUpdate update = client.TakeUpdate();
        picture.Apply(update);
        if (!picture.Matches(update.Frame))
        {
            Assert.Fail($"{who} client at frame {frame}: {update.Copies.Count} copies + {update.Rectangles.Count} rectangles do not reproduce the frame");
        }
    }

    private static async Task WaitForFramesAsync(SharedDisplay display, long frames)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (display.Statistics.Frames < frames)
        {
            await Task.Delay(1, timeout.Token);
        }
    }
}
