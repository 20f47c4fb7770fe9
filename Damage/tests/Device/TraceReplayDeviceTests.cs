using System.Diagnostics;
using Codecs.Pixels;
using Codecs.Trace;
using Damage.Device;
using Xunit;

namespace Damage.Tests.Device;

public sealed class TraceReplayDeviceTests : IDisposable
{
    private const int Width = 96;
    private const int Height = 64;
    private readonly string _directory = Directory.CreateTempSubdirectory("replay-").FullName;
    private readonly List<byte[]> _frames = [];

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AsFastAsPossible_HandsOutEveryFrameInOrder(bool hints)
    {
        string path = WriteTrace(frameCount: 12, fps: 15);
        await using var device = new TraceReplayDevice(path, new TraceReplayOptions { RealTime = false, DamageHints = hints });
        Assert.Equal(new DisplayMode(Width, Height, PixelFormat.Bgrx32), device.Mode);
        Assert.Equal(hints ? DamageHintKind.Rectangles : DamageHintKind.None, device.HintKind);

        byte[]? previous = null;
        for (int i = 0; i < _frames.Count; i++)
        {
            using DisplayUpdate? update = await device.WaitForUpdateAsync(TestContext.Current.CancellationToken);
            Assert.NotNull(update);
            Assert.Equal(i + 1, update.Sequence);
            Assert.Equal(1, update.SourceFrames);
            Assert.Equal(TimeSpan.FromMicroseconds(new TraceFrameRate(15).TimestampOf(i)), update.Timestamp);
            Assert.Equal(_frames[i], update.Framebuffer.ReadOnlyView.ToPackedArray());
            if (!hints)
            {
                Assert.Null(update.DamageHints);
            }
            else if (previous is null)
            {
                Assert.Equal([new Rect(0, 0, Width, Height)], update.DamageHints);
            }
            else
            {
                // Nothing changed outside the hints: painting only the hinted rectangles onto the previous frame gives this one.
                byte[] rebuilt = (byte[])previous.Clone();
                foreach (Rect rect in update.DamageHints!)
                {
                    update.Framebuffer.ReadOnlyView.Slice(rect).CopyTo(new ImageView(rebuilt, Width, Height, Width * 4, PixelFormat.Bgrx32).Slice(rect));
                }

                Assert.Equal(_frames[i], rebuilt);
            }

            previous = _frames[i];
        }

        Assert.Null(await device.WaitForUpdateAsync(TestContext.Current.CancellationToken));
        Assert.Null(await device.WaitForUpdateAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Loop_StartsOverWithAFullFrameAndContinuousTime()
    {
        string path = WriteTrace(frameCount: 4, fps: 10);
        await using var device = new TraceReplayDevice(path, new TraceReplayOptions { RealTime = false, Loop = true, DamageHints = true });
        var timestamps = new List<TimeSpan>();
        for (int i = 0; i < 10; i++)
        {
            using DisplayUpdate update = (await device.WaitForUpdateAsync(TestContext.Current.CancellationToken))!;
            Assert.Equal(_frames[i % 4], update.Framebuffer.ReadOnlyView.ToPackedArray());
            Assert.False(update.ModeChanged);
            if (i % 4 == 0)
            {
                Assert.Equal([new Rect(0, 0, Width, Height)], update.DamageHints);
            }

            timestamps.Add(update.Timestamp);
        }

        Assert.Equal(2, device.Loops);
        Assert.Equal(10, device.FramesPlayed);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => TimeSpan.FromMilliseconds(100 * i)), timestamps);
    }

    [Fact]
    public async Task RealTime_CoalescesFramesASlowConsumerMissed()
    {
        string path = WriteTrace(frameCount: 30, fps: 100);
        await using var device = new TraceReplayDevice(path, new TraceReplayOptions { RealTime = true, DamageHints = true });
        var clock = Stopwatch.StartNew();
        int updates = 0;
        int coalesced = 0;
        byte[]? last = null;
        while (await device.WaitForUpdateAsync(TestContext.Current.CancellationToken) is { } update)
        {
            using (update)
            {
                updates++;
                coalesced += update.SourceFrames > 1 ? 1 : 0;
                last = update.Framebuffer.ReadOnlyView.ToPackedArray();
                Assert.NotNull(update.DamageHints);
            }

            await Task.Delay(35, TestContext.Current.CancellationToken);
        }

        Assert.Equal(30, device.FramesPlayed);
        Assert.True(updates < 30, $"{updates} updates for 30 frames: a consumer slower than the trace must get coalesced updates");
        Assert.True(coalesced > 0);
        Assert.Equal(_frames[^1], last);

        // The last frame is due 290 ms after the first: real time never runs ahead of the trace.
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(285), $"{clock.Elapsed.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task Update_MustBeReleasedBeforeTheNext()
    {
        string path = WriteTrace(frameCount: 3, fps: 15);
        await using var device = new TraceReplayDevice(path, new TraceReplayOptions { RealTime = false });
        DisplayUpdate first = (await device.WaitForUpdateAsync(TestContext.Current.CancellationToken))!;
        await Assert.ThrowsAsync<InvalidOperationException>(() => device.WaitForUpdateAsync(TestContext.Current.CancellationToken).AsTask());
        first.Dispose();
        using DisplayUpdate? second = await device.WaitForUpdateAsync(TestContext.Current.CancellationToken);
        Assert.Equal(_frames[1], second!.Framebuffer.ReadOnlyView.ToPackedArray());
    }

    [Fact]
    public async Task ModeChange_CursorAndGroundTruth_ReachTheConsumer()
    {
        string path = Path.Combine(_directory, "mode.fbt");
        byte[] cursor = new byte[8 * 6 * 4];
        new Random(3).NextBytes(cursor);
        using (var stream = File.Create(path))
        using (var writer = new TraceWriter(stream, new TraceHeader(Width, Height) { FrameRate = new TraceFrameRate(10) }))
        {
            using Framebuffer small = Framebuffer.Allocate(Width, Height);
            small.Span.Fill(0x11);
            writer.AddAnnotation(TraceAnnotation.Video(new Rect(1, 2, 30, 20)));
            writer.SetCursorShape(2, 3, 8, 6, cursor);
            writer.SetCursorPosition(40, 30);
            writer.WriteFrame(0, small.ReadOnlyView);

            using Framebuffer large = Framebuffer.Allocate(128, 80);
            large.Span.Fill(0x22);
            writer.AddAnnotation(TraceAnnotation.Move(new Rect(0, 5, 10, 10), 5, -3));
            writer.WriteFrame(100_000, large.ReadOnlyView);
            writer.Complete();
        }

        await using var device = new TraceReplayDevice(path, new TraceReplayOptions { RealTime = false, DamageHints = true });
        using (DisplayUpdate first = (await device.WaitForUpdateAsync(TestContext.Current.CancellationToken))!)
        {
            Assert.False(first.ModeChanged);
            Assert.Equal([new GroundTruth(GroundTruthKind.Video, new Rect(1, 2, 30, 20), 0, 0)], first.GroundTruth);
            Assert.NotNull(first.CursorShape);
            Assert.Equal((8, 6, 2, 3), (first.CursorShape.Width, first.CursorShape.Height, first.CursorShape.HotspotX, first.CursorShape.HotspotY));
            Assert.Equal(cursor, first.CursorShape.Bgra.ToArray());
            Assert.Equal(new CursorPosition(40, 30, true), first.CursorPosition);
        }

        using (DisplayUpdate second = (await device.WaitForUpdateAsync(TestContext.Current.CancellationToken))!)
        {
            Assert.True(second.ModeChanged);
            Assert.Equal(new DisplayMode(128, 80, PixelFormat.Bgrx32), second.Mode);
            Assert.Equal(second.Mode, device.Mode);
            Assert.Equal([new Rect(0, 0, 128, 80)], second.DamageHints);
            Assert.Null(second.CursorShape);
            Assert.Equal([new GroundTruth(GroundTruthKind.Move, new Rect(0, 5, 10, 10), 5, -3)], second.GroundTruth);
            Assert.All(second.Framebuffer.ReadOnlyView.ToPackedArray(), b => Assert.Equal(0x22, b));
        }
    }

    [Fact]
    public async Task Input_IsRecordedAndRaised_WithBoundedHistory()
    {
        string path = WriteTrace(frameCount: 1, fps: 15);
        await using var device = new TraceReplayDevice(path, new TraceReplayOptions { InputHistory = 3 });
        var raised = new List<InputRecord>();
        device.InputReceived += raised.Add;

        device.SendKey(new KeyEvent(0x61, 0x1e, Down: true));
        device.SendKey(new KeyEvent(0x61, 0x1e, Down: false));
        device.SendPointer(new PointerEvent(10, 20, PointerButtons.Left | PointerButtons.WheelDown));
        device.SendClipboard("hello");

        Assert.Equal(4, raised.Count);
        IReadOnlyList<InputRecord> kept = device.ReceivedInput;
        Assert.Equal(3, kept.Count);
        Assert.Equal(new KeyEvent(0x61, 0x1e, false), kept[0].Key);
        Assert.Equal(new PointerEvent(10, 20, PointerButtons.Left | PointerButtons.WheelDown), kept[1].Pointer);
        Assert.Equal("hello", kept[2].ClipboardText);
    }

    /// <summary>Frames of a moving box and a changing stripe over a gradient, so every frame differs a little.</summary>
    private string WriteTrace(int frameCount, int fps)
    {
        string path = Path.Combine(_directory, $"t{frameCount}-{fps}.fbt");
        using var stream = File.Create(path);
        using var writer = new TraceWriter(stream, new TraceHeader(Width, Height) { FrameRate = new TraceFrameRate(fps) });
        using Framebuffer frame = Framebuffer.Allocate(Width, Height);
        var rate = new TraceFrameRate(fps);
        for (int i = 0; i < frameCount; i++)
        {
            Span<byte> pixels = frame.Span;
            for (int y = 0; y < Height; y++)
            {
                for (int x = 0; x < Width; x++)
                {
                    int o = (y * Width + x) * 4;
                    bool box = x >= 3 * i % Width && x < (3 * i % Width) + 10 && y >= 20 && y < 30;
                    pixels[o] = (byte)(box ? 255 : x * 2);
                    pixels[o + 1] = (byte)(box ? 0 : y * 3);
                    pixels[o + 2] = (byte)(y == 50 ? i * 7 : 40);
                    pixels[o + 3] = 0;
                }
            }

            _frames.Add(frame.ReadOnlyView.ToPackedArray());
            writer.WriteFrame(rate.TimestampOf(i), frame.ReadOnlyView);
        }

        writer.Complete();
        return path;
    }
}
