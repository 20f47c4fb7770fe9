using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using Codecs.Pixels;
using Codecs.Trace;

namespace Bench.Trace;

/// <summary>
/// The trace codecs on a real capture: raw 1920×1080 <c>bgr0</c> frames in the file named by the environment variable
/// <c>FBT_CAPTURE</c> (made with <c>ffmpeg -i X.mkv -frames:v 150 -f rawvideo -pix_fmt bgr0 X.bgrx</c>), imported the way
/// <c>trace import</c> does (whole frames, 64×64 tile diff, 30 fps timestamps):
/// <c>FBT_CAPTURE=/tmp/X.bgrx dotnet run -c Release --project Bench -- --filter '*TraceCaptureBenchmarks*'</c>.
/// Same columns as <see cref="TraceBenchmarks"/>.
/// </summary>
[Config(typeof(TraceCaptureBenchmarkConfig))]
public class TraceCaptureBenchmarks
{
    public const int Width = 1920;
    public const int Height = 1080;

    private static readonly Dictionary<TraceSetting, byte[]> s_traces = [];
    private static byte[][]? s_frames;

    [Params(TraceSetting.Lz4, TraceSetting.Lz4Hc9, TraceSetting.Zlib1, TraceSetting.Zlib6)]
    public TraceSetting Setting { get; set; }

    [GlobalSetup]
    public void Setup() => _ = Trace(Setting);

    [Benchmark]
    public long ReadAndApply()
    {
        using var reader = new TraceReader(new MemoryStream(Trace(Setting), writable: false));
        while (reader.ReadFrame())
        {
        }

        return reader.Statistics.ChangedPixels;
    }

    [Benchmark]
    public long Write()
    {
        using var output = new MemoryStream();
        WriteTrace(output, Setting);
        return output.Length;
    }

    public static byte[] Trace(TraceSetting setting)
    {
        lock (s_traces)
        {
            if (!s_traces.TryGetValue(setting, out byte[]? trace))
            {
                using var output = new MemoryStream();
                WriteTrace(output, setting);
                trace = output.ToArray();
                s_traces.Add(setting, trace);
            }

            return trace;
        }
    }

    public static long ChangedPixels(TraceSetting setting)
    {
        using var reader = new TraceReader(new MemoryStream(Trace(setting)), new TraceReaderOptions { DecodePixels = false });
        while (reader.ReadFrame())
        {
        }

        return reader.Statistics.ChangedPixels;
    }

    private static void WriteTrace(Stream output, TraceSetting setting)
    {
        var header = new TraceHeader(Width, Height) { FrameRate = new TraceFrameRate(30), Tool = "Bench capture" };
        using var writer = new TraceWriter(output, header, TraceBenchmarks.Options(setting), leaveOpen: true);
        byte[][] frames = Frames();
        for (int i = 0; i < frames.Length; i++)
        {
            writer.WriteFrame(header.FrameRate.TimestampOf(i), new ReadOnlyImageView(frames[i], Width, Height, Width * 4, PixelFormat.Bgrx32));
        }
    }

    private static byte[][] Frames()
    {
        if (s_frames is null)
        {
            string path = Environment.GetEnvironmentVariable("FBT_CAPTURE")
                ?? throw new InvalidOperationException("Set FBT_CAPTURE to a file of raw 1920x1080 bgr0 frames.");
            using FileStream file = File.OpenRead(path);
            var frames = new List<byte[]>();
            while (true)
            {
                byte[] frame = new byte[Width * Height * 4];
                if (file.ReadAtLeast(frame, frame.Length, throwOnEndOfStream: false) < frame.Length)
                {
                    break;
                }

                frames.Add(frame);
            }

            s_frames = [.. frames];
        }

        return s_frames;
    }
}

/// <summary>As <see cref="TraceBenchmarkConfig"/>, over the capture's trace.</summary>
public sealed class TraceCaptureBenchmarkConfig : ManualConfig
{
    public TraceCaptureBenchmarkConfig()
    {
        AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(4));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(TraceColumns.Create("Trace KB", "Size of the 60-frame trace", (setting, _) => (TraceCaptureBenchmarks.Trace(setting).Length / 1024.0).ToString("F0")));
        AddColumn(TraceColumns.Create("B/changed px", "Trace bytes per changed pixel (a raw pixel is 4 bytes)", (setting, _) => ((double)TraceCaptureBenchmarks.Trace(setting).Length / TraceCaptureBenchmarks.ChangedPixels(setting)).ToString("F3")));
        AddColumn(TraceColumns.Create("MB/s (changed px)", "Changed pixels × 4 bytes processed per second", (setting, meanNs) => meanNs is double ns ? (TraceCaptureBenchmarks.ChangedPixels(setting) * 4 / (ns / 1e9) / 1e6).ToString("F0") : "?"));
    }
}
