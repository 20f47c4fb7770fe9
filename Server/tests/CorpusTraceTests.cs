using Codecs.Trace;
using Xunit;

namespace Server.Tests;

/// <summary>The committed corpus: every trace reads completely, through the CLI and through the library.</summary>
public sealed class CorpusTraceTests
{
    public static TheoryData<string> Traces()
    {
        var data = new TheoryData<string>();
        foreach (string path in Directory.EnumerateFiles(Path.Combine(ToolRunner.RepositoryRoot, "corpus"), "*.fbt").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(path));
        }

        return data;
    }

    [Fact]
    public void Corpus_HoldsTheSixScenariosWithinTheSizeBudget()
    {
        string[] names = [.. Directory.EnumerateFiles(Path.Combine(ToolRunner.RepositoryRoot, "corpus"), "*.fbt").Select(Path.GetFileNameWithoutExtension)!];
        Assert.Superset(
            new HashSet<string>(["terminal-scroll", "browser-scroll", "photo-viewer", "video-window", "window-drag", "gl-anim"]),
            new HashSet<string>(names));
        long totalBytes = Directory.EnumerateFiles(Path.Combine(ToolRunner.RepositoryRoot, "corpus"), "*.fbt").Sum(path => new FileInfo(path).Length);
        Assert.InRange(totalBytes, 1, 100_000_000);
    }

    [Theory]
    [MemberData(nameof(Traces))]
    public async Task TraceInfo_ReadsTheWholeTrace(string name)
    {
        RunResult info = await ToolRunner.RunAsync(ToolRunner.Server("trace", "info", Path.Combine(ToolRunner.RepositoryRoot, "corpus", name)));
        Assert.True(info.ExitCode == 0, info.Errors);
        Assert.Contains("1920x1080", info.Output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Traces))]
    public void Trace_IsAtLeastTenSecondsAtFifteenFps(string name)
    {
        using var reader = new TraceReader(File.OpenRead(Path.Combine(ToolRunner.RepositoryRoot, "corpus", name)));
        Assert.Equal((1920, 1080), (reader.Header.Width, reader.Header.Height));
        Assert.True(reader.Header.FrameRate.FramesPerSecond >= 15, $"{reader.Header.FrameRate}");
        long changedFrames = 0;
        while (reader.ReadFrame())
        {
            changedFrames += reader.Frame.ChangedPixels > 0 ? 1 : 0;
        }

        double seconds = (reader.Statistics.LastTimestampMicroseconds - reader.Statistics.FirstTimestampMicroseconds) / 1e6;
        Assert.True(seconds >= 9.9, $"{seconds:F2} s");
        Assert.True(reader.Statistics.Frames >= 150, $"{reader.Statistics.Frames} frames");
        Assert.True(changedFrames >= 5, $"only {changedFrames} of {reader.Statistics.Frames} frames change: the scenario is not moving");
    }
}
