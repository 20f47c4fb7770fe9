using System.Collections.Concurrent;
using Bench.Reporting;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using Codecs.Pixels;
using Codecs.Trace;

namespace Bench.Trace;

/// <summary>How a benchmark trace is compressed.</summary>
public enum TraceSetting
{
    Raw,
    Lz4,
    Lz4Hc9,
    Zlib1,
    Zlib6,
    Zlib9,
}

/// <summary>
/// Writes and reads (read + apply every rectangle to the framebuffer) a 60-frame synthetic 1080p desktop session
/// (<see cref="SyntheticDesktop"/>) per codec setting. Extra columns: trace size, bytes per changed pixel, and
/// throughput in MB of changed pixels (4 bytes each) per second:
/// <c>dotnet run -c Release --project Bench -- --filter '*TraceBenchmarks*'</c>.
/// </summary>
[Config(typeof(TraceBenchmarkConfig))]
public class TraceBenchmarks : IDisposable
{
    public const int Frames = 60;

    private static readonly ConcurrentDictionary<TraceSetting, byte[]> s_traces = new();
    private static Framebuffer[]? s_frames;
    private MemoryStream _output = new();

    [Params(TraceSetting.Raw, TraceSetting.Lz4, TraceSetting.Lz4Hc9, TraceSetting.Zlib1, TraceSetting.Zlib6, TraceSetting.Zlib9)]
    public TraceSetting Setting { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _ = Trace(Setting);
        _output = new MemoryStream(Trace(Setting).Length * 2);
    }

    /// <summary>Read every frame and apply it to the reader's framebuffer.</summary>
    [Benchmark]
    public long ReadAndApply()
    {
        using var reader = new TraceReader(new MemoryStream(Trace(Setting), writable: false));
        long changed = 0;
        while (reader.ReadFrame())
        {
            changed += reader.Frame.ChangedPixels;
        }

        return changed;
    }

    /// <summary>Diff every frame against the previous one and write the changed tiles.</summary>
    [Benchmark]
    public long Write()
    {
        _output.SetLength(0);
        WriteTrace(_output, Setting, RenderedFrames());
        return _output.Length;
    }

    public void Dispose()
    {
        _output.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>The trace of the session written with <paramref name="setting"/> (cached per process).</summary>
    public static byte[] Trace(TraceSetting setting) => s_traces.GetOrAdd(setting, s =>
    {
        using var output = new MemoryStream();
        WriteTrace(output, s, RenderedFrames());
        return output.ToArray();
    });

    /// <summary>Changed pixels over all frames (the same for every setting).</summary>
    public static long ChangedPixels(TraceSetting setting)
    {
        using var reader = new TraceReader(new MemoryStream(Trace(setting)), new TraceReaderOptions { DecodePixels = false });
        while (reader.ReadFrame())
        {
        }

        return reader.Statistics.ChangedPixels;
    }

    /// <summary>The writer options of a setting.</summary>
    public static TraceWriterOptions Options(TraceSetting setting) => setting switch
    {
        TraceSetting.Raw => new TraceWriterOptions { Codec = TraceCodec.Raw },
        TraceSetting.Lz4 => new TraceWriterOptions { Codec = TraceCodec.Lz4 },
        TraceSetting.Lz4Hc9 => new TraceWriterOptions { Codec = TraceCodec.Lz4, Lz4HighCompressionLevel = 9 },
        TraceSetting.Zlib1 => new TraceWriterOptions { Codec = TraceCodec.Zlib, ZlibLevel = 1 },
        TraceSetting.Zlib6 => new TraceWriterOptions { Codec = TraceCodec.Zlib, ZlibLevel = 6 },
        _ => new TraceWriterOptions { Codec = TraceCodec.Zlib, ZlibLevel = 9 },
    };

    private static void WriteTrace(Stream output, TraceSetting setting, Framebuffer[] frames)
    {
        TraceWriterOptions options = Options(setting);
        var header = new TraceHeader(SyntheticDesktop.Width, SyntheticDesktop.Height) { FrameRate = new TraceFrameRate(30), Tool = "Bench" };
        using var writer = new TraceWriter(output, header, options, leaveOpen: true);
        for (int i = 0; i < frames.Length; i++)
        {
            writer.AddAnnotation(TraceAnnotation.Video(SyntheticDesktop.VideoArea(i)));
            if (SyntheticDesktop.Scrolls(i))
            {
                writer.AddAnnotation(TraceAnnotation.Scroll(SyntheticDesktop.EditorBody, 0, -16));
            }

            writer.SetCursorPosition(400 + i * 5, 300 + i * 2);
            writer.WriteFrame(header.FrameRate.TimestampOf(i), frames[i].ReadOnlyView);
        }
    }

    private static Framebuffer[] RenderedFrames()
    {
        if (s_frames is null)
        {
            var desktop = new SyntheticDesktop();
            var frames = new Framebuffer[Frames];
            for (int i = 0; i < frames.Length; i++)
            {
                frames[i] = Framebuffer.Allocate(SyntheticDesktop.Width, SyntheticDesktop.Height);
                desktop.Render(i, frames[i]);
            }

            s_frames = frames;
        }

        return s_frames;
    }
}

/// <summary>A short job (the suite runs in a few minutes on 2 cores), allocations, and the trace columns.</summary>
public sealed class TraceBenchmarkConfig : ManualConfig
{
    public TraceBenchmarkConfig()
    {
        AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(6));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(TraceColumns.Create("Trace KB", "Size of the 60-frame trace", (setting, _) => (TraceBenchmarks.Trace(setting).Length / 1024.0).ToString("F0")));
        AddColumn(TraceColumns.Create("B/changed px", "Trace bytes per changed pixel (a raw pixel is 4 bytes)", (setting, _) => ((double)TraceBenchmarks.Trace(setting).Length / TraceBenchmarks.ChangedPixels(setting)).ToString("F3")));
        AddColumn(TraceColumns.Create("MB/s (changed px)", "Changed pixels × 4 bytes processed per second", (setting, meanNs) => meanNs is double ns ? (TraceBenchmarks.ChangedPixels(setting) * 4 / (ns / 1e9) / 1e6).ToString("F0") : "?"));
    }
}

/// <summary>Columns of the trace benchmarks, computed from the case's <see cref="TraceSetting"/> and mean time (ns).</summary>
internal static class TraceColumns
{
    public static ComputedColumn Create(string name, string legend, Func<TraceSetting, double?, string> value) =>
        new("Trace." + name, name, legend, (summary, benchmarkCase) => value(
            (TraceSetting)benchmarkCase.Parameters["Setting"],
            ComputedColumn.MeanNanoseconds(summary, benchmarkCase)));
}
