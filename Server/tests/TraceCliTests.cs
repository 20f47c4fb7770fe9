using Codecs.Trace;
using Xunit;

namespace Server.Tests;

/// <summary>The trace verbs as a user runs them: real ffmpeg, real child processes, real files.</summary>
public sealed class TraceCliTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("trace-cli-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>
    /// ffmpeg's own per-frame MD5 of a source, next to the MD5 of the same frames after import into a trace and export
    /// back out: every frame must match. Sources cover full-frame change (testsrc2), sparse change with many unchanged
    /// frames (a seeded Game of Life), and sizes that are not multiples of the tile size.
    /// </summary>
    [Theory]
    [InlineData("testsrc2=size=322x238:rate=15", 322, 238, 40)]
    [InlineData("life=s=257x131:r=15:ratio=0.05:seed=7:life_color=#00ff00:death_color=#102030", 257, 131, 60)]
    [InlineData("mandelbrot=s=64x64:r=15", 64, 64, 30)]
    public async Task ImportThenExport_MatchesFfmpegFrameMd5(string source, int width, int height, int frames)
    {
        string trace = Path.Combine(_directory, "t.fbt");
        string size = $"{width}x{height}";

        RunResult expected = await ToolRunner.RunAsync(ToolRunner.Tool(
            "ffmpeg", "-v", "error", "-nostdin", "-f", "lavfi", "-i", source, "-frames:v", frames.ToString(), "-pix_fmt", "bgr0", "-f", "framemd5", "-"));
        Assert.True(expected.ExitCode == 0, expected.Errors);

        PipeResult import = await ToolRunner.PipeAsync(
            ToolRunner.Tool("ffmpeg", "-v", "error", "-nostdin", "-f", "lavfi", "-i", source, "-frames:v", frames.ToString(), "-f", "rawvideo", "-pix_fmt", "bgr0", "-"),
            ToolRunner.Server("trace", "import", "--size", size, "--fps", "15", trace));
        Assert.True(import.ProducerExitCode == 0, import.ProducerErrors);
        Assert.True(import.ConsumerExitCode == 0, import.ConsumerErrors);

        PipeResult export = await ToolRunner.PipeAsync(
            ToolRunner.Server("trace", "export", trace),
            ToolRunner.Tool("ffmpeg", "-v", "error", "-f", "rawvideo", "-pix_fmt", "bgr0", "-video_size", size, "-framerate", "15", "-i", "-", "-f", "framemd5", "-"));
        Assert.True(export.ProducerExitCode == 0, export.ProducerErrors);
        Assert.True(export.ConsumerExitCode == 0, export.ConsumerErrors);

        string[] expectedHashes = FrameHashes(expected.Output);
        Assert.Equal(frames, expectedHashes.Length);
        Assert.Equal(expectedHashes, FrameHashes(export.Output));
    }

    [Fact]
    public async Task Import_WithAnnotations_StoresThemOnTheirFrames()
    {
        string trace = Path.Combine(_directory, "a.fbt");
        string annotations = Path.Combine(_directory, "moves.txt");
        await File.WriteAllLinesAsync(annotations, ["# frame kind rect offset", "1 move 0,0,8,8 4,2", "2 scroll 0,0,16,12 0,-3", "2 video 1,1,2,2"], TestContext.Current.CancellationToken);
        byte[] frames = new byte[3 * 16 * 12 * 4];
        Random.Shared.NextBytes(frames);

        RunResult import = await ToolRunner.RunAsync(
            ToolRunner.Server("trace", "import", "--size", "16x12", "--fps", "30000/1001", "--codec", "lz4", "--annotate", "video:0,0,4,4", "--annotate-file", annotations, trace),
            frames);
        Assert.True(import.ExitCode == 0, import.Errors);

        using var reader = new TraceReader(File.OpenRead(trace));
        Assert.Equal(new TraceFrameRate(30000, 1001), reader.Header.FrameRate);
        var seen = new List<string>();
        while (reader.ReadFrame())
        {
            seen.AddRange(reader.Frame.Annotations.Select(a => $"{reader.Frame.Index}:{a.Kind}:{a.Area}:{a.Dx},{a.Dy}"));
        }

        Assert.Equal(
            [
                "0:Video:4x4+0+0:0,0",
                "1:Video:4x4+0+0:0,0", "1:Move:8x8+0+0:4,2",
                "2:Video:4x4+0+0:0,0", "2:Scroll:16x12+0+0:0,-3", "2:Video:2x2+1+1:0,0",
            ],
            seen);
    }

    [Fact]
    public async Task Import_InputEndingInsideAFrame_FailsWithAClearMessage()
    {
        string trace = Path.Combine(_directory, "short.fbt");
        RunResult import = await ToolRunner.RunAsync(ToolRunner.Server("trace", "import", "--size", "8x8", "--fps", "15", trace), new byte[(8 * 8 * 4) + 100]);
        Assert.Equal(2, import.ExitCode);
        Assert.Contains("ended inside frame 1", import.Errors, StringComparison.Ordinal);
        Assert.False(File.Exists(trace), "no half-written trace is left under the output name");
    }

    [Fact]
    public async Task Info_OnACorruptTrace_ReportsTheOffsetAndFails()
    {
        string trace = Path.Combine(_directory, "c.fbt");
        byte[] frames = new byte[4 * 32 * 32 * 4];
        new Random(5).NextBytes(frames);
        RunResult import = await ToolRunner.RunAsync(ToolRunner.Server("trace", "import", "--size", "32x32", "--fps", "15", trace), frames);
        Assert.True(import.ExitCode == 0, import.Errors);
        byte[] bytes = await File.ReadAllBytesAsync(trace, TestContext.Current.CancellationToken);
        bytes[bytes.Length / 2] ^= 0x40;
        await File.WriteAllBytesAsync(trace, bytes, TestContext.Current.CancellationToken);

        RunResult info = await ToolRunner.RunAsync(ToolRunner.Server("trace", "info", trace));
        Assert.Equal(1, info.ExitCode);
        Assert.Contains("malformed trace", info.Errors, StringComparison.Ordinal);
        Assert.Contains("offset", info.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_OneFrame_WritesExactlyThatFrame()
    {
        string trace = Path.Combine(_directory, "e.fbt");
        byte[] frames = new byte[5 * 8 * 4 * 4];
        new Random(9).NextBytes(frames);
        for (int i = 3; i < frames.Length; i += 4)
        {
            frames[i] = 0; // bgr0: the fourth byte is padding and is stored as zero
        }

        Assert.Equal(0, (await ToolRunner.RunAsync(ToolRunner.Server("trace", "import", "--size", "8x4", "--fps", "10", trace), frames)).ExitCode);
        RunResult export = await ToolRunner.RunAsync(ToolRunner.Server("trace", "export", "--frames", "3", "--output", Path.Combine(_directory, "f3.raw"), trace));
        Assert.True(export.ExitCode == 0, export.Errors);
        Assert.Equal(frames.AsSpan(3 * 128, 128).ToArray(), await File.ReadAllBytesAsync(Path.Combine(_directory, "f3.raw"), TestContext.Current.CancellationToken));
    }

    private static string[] FrameHashes(string framemd5) =>
        [.. framemd5.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => !line.StartsWith('#'))
            .Select(line => line.Split(',')[^1].Trim())];
}
