using System.Diagnostics;
using Codecs.Pixels;
using Codecs.Trace;
using TestSupport;
using Xunit;

namespace Server.Tests;

/// <summary><c>trace record</c> against a real X server (Xvfb) showing a real client (xclock).</summary>
[Collection(SerialTests.Name)]
public sealed class TraceRecordTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("trace-record-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Record_CapturesAnXvfbDisplay()
    {
        using XvfbDisplay xvfb = XvfbDisplay.Start(320, 200);
        string display = xvfb.Name;
        Process? clock = null;
        try
        {
            ProcessStartInfo clockInfo = ToolRunner.Tool("xclock", "-update", "1", "-geometry", "120x120+20+20");
            clockInfo.Environment["DISPLAY"] = display;
            clock = Process.Start(clockInfo)!;
            await Task.Delay(1000, TestContext.Current.CancellationToken);

            string trace = Path.Combine(_directory, "r.fbt");
            RunResult record = await ToolRunner.RunAsync(ToolRunner.Server("trace", "record", "--display", display, "--seconds", "3", "--fps", "10", trace));
            Assert.True(record.ExitCode == 0, record.Errors);

            using var reader = new TraceReader(File.OpenRead(trace));
            Assert.Equal((320, 200), (reader.Width, reader.Height));
            Assert.Equal(new TraceFrameRate(10), reader.Header.FrameRate);
            int changedFrames = 0;
            while (reader.ReadFrame())
            {
                changedFrames += reader.Frame.ChangedPixels > 0 ? 1 : 0;
            }

            Assert.InRange(reader.Statistics.Frames, 25, 35);

            // xclock paints a white face at (20,20); its hands move every second, so several frames change.
            Assert.True(changedFrames >= 2, $"{changedFrames} frames changed");
            byte[] face = reader.Framebuffer.ReadOnlyView.Slice(new Rect(20, 20, 120, 120)).ToPackedArray();
            Assert.True(face.Count(b => b == 0xFF) > face.Length / 4, "the clock's white face is in the last frame");
        }
        finally
        {
            clock?.Kill();
            clock?.Dispose();
        }
    }
}
