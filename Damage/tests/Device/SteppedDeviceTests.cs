using Codecs.Pixels;
using Damage.Device;
using Damage.Tests.Sharing;
using Xunit;

namespace Damage.Tests.Device;

public sealed class SteppedDeviceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Framebuffer Solid(int width, int height, byte value)
    {
        Framebuffer frame = Framebuffer.Allocate(width, height);
        frame.Span.Fill(value);
        return frame;
    }

    [Fact]
    public async Task HandsOutExactlyTheStepsAllowed_AndKeepsTheLatestAndPreviousFrames()
    {
        var inner = new ScriptedDevice();
        using Framebuffer first = Solid(4, 2, 0x10);
        using Framebuffer second = Solid(4, 2, 0x20);
        using Framebuffer third = Solid(4, 2, 0x30);
        inner.Push(first);
        inner.Push(second);
        inner.Push(third);
        await using var device = new SteppedDevice(inner, initialSteps: 2);

        Assert.NotNull(await device.WaitForUpdateAsync(Ct));
        Assert.NotNull(await device.WaitForUpdateAsync(Ct));
        await device.WaitHandedAsync(Ct);
        Assert.Equal((2, 2), (device.Requested, device.Handed));
        Assert.All(device.LatestFrame!.Pixels, b => Assert.Equal(0x20, b));
        Assert.All(device.PreviousFrame!.Pixels, b => Assert.Equal(0x10, b));

        // The third frame is queued in the inner device but held until the next step.
        ValueTask<DisplayUpdate?> held = device.WaitForUpdateAsync(Ct);
        Assert.False(held.IsCompleted);
        device.Step();
        Assert.NotNull(await held);
        await device.WaitHandedAsync(Ct);
        Assert.All(device.LatestFrame!.Pixels, b => Assert.Equal(0x30, b));
        Assert.Equal((4, 2), (device.LatestFrame.Width, device.LatestFrame.Height));
    }

    [Fact]
    public async Task WaitHanded_ThrowsWhenTheInnerDeviceEndsFirst()
    {
        var inner = new ScriptedDevice();
        using Framebuffer frame = Solid(2, 2, 0x40);
        inner.Push(frame);
        inner.End();
        await using var device = new SteppedDevice(inner, initialSteps: 3);

        Assert.NotNull(await device.WaitForUpdateAsync(Ct));
        Assert.Null(await device.WaitForUpdateAsync(Ct));
        Assert.True(device.Ended);
        InvalidOperationException ended = await Assert.ThrowsAsync<InvalidOperationException>(() => device.WaitHandedAsync(Ct));
        Assert.Contains("1 of 3", ended.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Input_IsRecordedAndForwarded()
    {
        var inner = new ScriptedDevice();
        await using var device = new SteppedDevice(inner);
        device.SendKey(new KeyEvent(0x61, 0x1E, true));
        device.SendPointer(new PointerEvent(3, 4, PointerButtons.Left));
        device.SendClipboard("copied");

        Assert.Equal([new KeyEvent(0x61, 0x1E, true)], inner.Keys);
        IReadOnlyList<InputRecord> input = device.ReceivedInput;
        Assert.Equal(3, input.Count);
        Assert.Equal(new KeyEvent(0x61, 0x1E, true), input[0].Key);
        Assert.Equal(new PointerEvent(3, 4, PointerButtons.Left), input[1].Pointer);
        Assert.Equal("copied", input[2].ClipboardText);
    }

    [Fact]
    public void Snapshot_ConvertsToRgbAndClientFormats()
    {
        // One pixel: B=0x11, G=0x22, R=0x33.
        var snapshot = new FrameSnapshot([0x11, 0x22, 0x33, 0x00], 1, 1);
        Assert.Equal([0x33, 0x22, 0x11], snapshot.ToRgb24());
        Assert.Equal([0x33, 0x22, 0x11, 0x00], snapshot.ConvertTo(PixelFormat.Rgbx32));
    }
}
