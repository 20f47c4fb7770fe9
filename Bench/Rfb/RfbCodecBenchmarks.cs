using System.Buffers;
using System.Collections.Concurrent;
using Bench.Reporting;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Codecs.Pixels;
using Codecs.Rfb.Decoders;
using Codecs.Rfb.Encoders;
using Codecs.Trace;

namespace Bench.Rfb;

/// <summary>An RFB encoding and its settings, as benchmarked.</summary>
public enum RfbCodec
{
    Raw,
    Hextile,
    Zrle1,
    Zrle6,
    TightLossless,
    TightJpeg8,
    TightLossless4Lanes,

    /// <summary>Tight lossless with the gradient filter on (TigerVNC, gtk-vnc, libvncclient, noVNC ≥ 1.4).</summary>
    TightGradient,
}

/// <summary>
/// Encodes and decodes the changed rectangles of the first frames of each corpus trace (1920×1080) for a noVNC-style
/// Rgbx32 client, one encoder (and one decoder) per pass as per connection. Extra columns: changed MPixel/s and bytes
/// per changed pixel: <c>dotnet run -c Release --project Bench -- --filter '*RfbCodecBenchmarks*'</c>.
/// </summary>
[Config(typeof(RfbBenchmarkConfig))]
public class RfbCodecBenchmarks
{
    /// <summary>Frames taken per trace (after the first, which is the whole screen) and a cap on their changed pixels.</summary>
    public const int MaxFrames = 40;
    public const long MaxPixels = 6_000_000;

    private static readonly ConcurrentDictionary<string, Workload> s_workloads = new();
    private static readonly ConcurrentDictionary<(string, RfbCodec), byte[]> s_encoded = new();
    private static readonly PixelConverter s_converter = PixelConverter.Create(PixelFormat.Rgbx32);
    private static readonly ConcurrentDictionary<(string, RfbCodec), double> s_bestEncodeCpu = new();

    private Workload _workload = null!;
    private byte[] _encoded = [];
    private byte[] _client = [];
    private ArrayBufferWriter<byte> _writer = new();

    [Params("terminal-scroll", "browser-scroll", "photo-viewer", "video-window", "window-drag", "gl-anim")]
    public string Trace { get; set; } = "";

    [Params(RfbCodec.Raw, RfbCodec.Hextile, RfbCodec.Zrle1, RfbCodec.Zrle6, RfbCodec.TightLossless, RfbCodec.TightJpeg8, RfbCodec.TightLossless4Lanes, RfbCodec.TightGradient)]
    public RfbCodec Codec { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _workload = Load(Trace);
        _encoded = Encoded(Trace, Codec);
        _writer = new ArrayBufferWriter<byte>(_encoded.Length + 4096);
        _client = new byte[_workload.MaxWidth * _workload.MaxHeight * 4];
    }

    [Benchmark]
    public int Encode()
    {
        _writer.ResetWrittenCount();
        double start = ProcessCpuClock.Seconds();
        int rects = EncodeAll(_workload, Codec, _writer);
        double cpu = ProcessCpuClock.Seconds() - start;
        s_bestEncodeCpu.AddOrUpdate((Trace, Codec), cpu, (_, best) => Math.Min(best, cpu));
        return rects;
    }

    /// <summary>The least process CPU time one encode pass took (warm-up passes included), in seconds.</summary>
    public static double? BestEncodeCpuSeconds(string trace, RfbCodec codec) =>
        s_bestEncodeCpu.TryGetValue((trace, codec), out double seconds) && seconds > 0 ? seconds : null;

    [Benchmark]
    public int Decode()
    {
        using var decoder = new RfbDecoder(s_converter.Format);
        var view = new ImageView(_client, _workload.MaxWidth, _workload.MaxHeight, _workload.MaxWidth * 4, s_converter.Format);
        return decoder.DecodeRectangles(_encoded, _workload.RectCount(Codec), view);
    }

    public static IRfbEncoder CreateEncoder(RfbCodec codec) => codec switch
    {
        RfbCodec.Raw => new RawEncoder(s_converter),
        RfbCodec.Hextile => new HextileEncoder(s_converter),
        RfbCodec.Zrle1 => new ZrleEncoder(s_converter, 1),
        RfbCodec.Zrle6 => new ZrleEncoder(s_converter, 6),
        RfbCodec.TightLossless => new TightEncoder(s_converter, 2),
        RfbCodec.TightGradient => new TightEncoder(s_converter, 2) { EnableGradient = true },
        _ => new TightEncoder(s_converter, 2) { QualityLevel = 8 },
    };

    private static int EncodeAll(Workload workload, RfbCodec codec, ArrayBufferWriter<byte> writer)
    {
        int rects = 0;
        if (codec == RfbCodec.TightLossless4Lanes)
        {
            using var parallel = new TightParallelEncoder(s_converter, 2, 4);
            foreach ((Framebuffer atlas, Rect[] areas) in workload.Frames)
            {
                rects += parallel.Encode(atlas, areas, writer);
            }

            return rects;
        }

        IRfbEncoder encoder = CreateEncoder(codec);
        foreach ((Framebuffer atlas, Rect[] areas) in workload.Frames)
        {
            foreach (Rect area in areas)
            {
                rects += encoder.Encode(atlas.ReadOnlyView, area, writer);
            }
        }

        (encoder as IDisposable)?.Dispose();
        return rects;
    }

    public static byte[] Encoded(string trace, RfbCodec codec) => s_encoded.GetOrAdd((trace, codec), key =>
    {
        Workload workload = Load(key.Item1);
        var writer = new ArrayBufferWriter<byte>();
        workload.SetRectCount(key.Item2, EncodeAll(workload, key.Item2, writer));
        return writer.WrittenSpan.ToArray();
    });

    public static long ChangedPixels(string trace) => Load(trace).Pixels;

    /// <summary>
    /// The changed rectangles of the first frames of a trace; each frame's rectangles are copied, stacked top to bottom,
    /// into one small canonical "atlas" framebuffer (so a frame's rectangles can be encoded together, as a server does).
    /// </summary>
    public static Workload Load(string trace) => s_workloads.GetOrAdd(trace, name =>
    {
        string path = Path.Combine(CorpusDirectory(), name + ".fbt");
        using var reader = new TraceReader(File.OpenRead(path));
        var frames = new List<(Framebuffer, Rect[])>();
        long pixels = 0;
        bool first = true;
        while (frames.Count < MaxFrames && pixels < MaxPixels && reader.ReadFrame())
        {
            if (first)
            {
                first = false;
                continue;
            }

            List<Rect> changed = MergeColumns(reader.Frame.Rects);
            if (changed.Count == 0)
            {
                continue;
            }

            int width = changed.Max(r => r.Width);
            int height = changed.Sum(r => r.Height);
            Framebuffer atlas = Framebuffer.Allocate(width, height, PixelFormat.Bgrx32);
            var areas = new Rect[changed.Count];
            int y = 0;
            for (int i = 0; i < changed.Count; i++)
            {
                Rect area = changed[i];
                areas[i] = new Rect(0, y, area.Width, area.Height);
                reader.Framebuffer.ReadOnlyView.Slice(area).CopyTo(atlas.View.Slice(areas[i]));
                y += area.Height;
                pixels += area.Area;
            }

            frames.Add((atlas, areas));
        }

        return new Workload(frames, pixels);
    });

    /// <summary>
    /// The trace stores changed 64×64 tiles merged per tile row; a server sends a column of such rows with the same x
    /// span as one rectangle (libvncserver's damage region does, and so does Damage's <c>RectangleMerger</c>), so
    /// vertically adjacent rectangles with the same x and width are joined. Exact: no pixel is added or lost.
    /// </summary>
    public static List<Rect> MergeColumns(IReadOnlyList<TraceRect> rects)
    {
        var merged = new List<Rect>(rects.Count);
        var open = new Dictionary<(int X, int Width), int>();
        foreach (TraceRect rect in rects)
        {
            Rect area = rect.Area;
            if (open.TryGetValue((area.X, area.Width), out int index) && merged[index].Bottom == area.Y)
            {
                Rect above = merged[index];
                merged[index] = new Rect(above.X, above.Y, above.Width, above.Height + area.Height);
                continue;
            }

            open[(area.X, area.Width)] = merged.Count;
            merged.Add(area);
        }

        return merged;
    }

    private static string CorpusDirectory()
    {
        for (string? dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(Path.Combine(dir, "Codecs.sln")))
            {
                return Path.Combine(dir, "corpus");
            }
        }

        string fallback = Path.Combine(Directory.GetCurrentDirectory(), "corpus");
        return Directory.Exists(fallback) ? fallback : throw new DirectoryNotFoundException("corpus/ not found");
    }

    public sealed class Workload(List<(Framebuffer Atlas, Rect[] Areas)> frames, long pixels)
    {
        private readonly ConcurrentDictionary<RfbCodec, int> _rectCounts = new();

        public List<(Framebuffer Atlas, Rect[] Areas)> Frames { get; } = frames;

        public long Pixels { get; } = pixels;

        public int MaxWidth { get; } = Math.Max(1, frames.Count == 0 ? 1 : frames.Max(f => f.Atlas.Width));

        public int MaxHeight { get; } = Math.Max(1, frames.Count == 0 ? 1 : frames.Max(f => f.Atlas.Height));

        public int RectCount(RfbCodec codec) => _rectCounts[codec];

        public void SetRectCount(RfbCodec codec, int count) => _rectCounts[codec] = count;
    }
}

/// <summary>
/// A short in-process job (2-core machine): 1 warm-up and 30 measured single-invocation iterations. MPix/s is taken
/// from the fastest iteration (the one least disturbed by the other processes on the shared cores, i.e. closest to a
/// per-CPU-second rate); the Mean/Median columns show the spread.
/// </summary>
public sealed class RfbBenchmarkConfig : ManualConfig
{
    private static ComputedColumn RfbColumn(string name, string legend, Func<string, RfbCodec, double?, string> value) =>
        new("Rfb." + name, name, legend, (summary, benchmarkCase) => value(
            (string)benchmarkCase.Parameters["Trace"],
            (RfbCodec)benchmarkCase.Parameters["Codec"],
            summary[benchmarkCase]?.ResultStatistics?.Min));

    public RfbBenchmarkConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(1)
            .WithIterationCount(30)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .WithId("Short"));
        AddColumn(RfbColumn("MPix/s", "Changed pixels (millions) encoded or decoded per second, fastest iteration", (trace, codec, minNs) =>
            minNs is double ns ? (RfbCodecBenchmarks.ChangedPixels(trace) / (ns / 1e9) / 1e6).ToString("F1") : "?"));
        AddColumn(new ComputedColumn("Rfb.CpuMPix", "MPix/CPU-s", "Encode rows: changed pixels (millions) per second of process CPU time (getrusage), least-CPU pass, as the libvncserver peer harness measures", (summary, benchmarkCase) =>
            benchmarkCase.Descriptor.WorkloadMethod.Name == nameof(RfbCodecBenchmarks.Encode)
                && RfbCodecBenchmarks.BestEncodeCpuSeconds((string)benchmarkCase.Parameters["Trace"], (RfbCodec)benchmarkCase.Parameters["Codec"]) is double s
                ? (RfbCodecBenchmarks.ChangedPixels((string)benchmarkCase.Parameters["Trace"]) / s / 1e6).ToString("F1")
                : "-"));
        AddColumn(RfbColumn("Bytes", "Encoded bytes of the whole workload (rectangle headers included)", (trace, codec, _) =>
            RfbCodecBenchmarks.Encoded(trace, codec).Length.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        AddColumn(RfbColumn("B/changed px", "Encoded bytes (headers included) per changed pixel", (trace, codec, _) =>
            ((double)RfbCodecBenchmarks.Encoded(trace, codec).Length / RfbCodecBenchmarks.ChangedPixels(trace)).ToString("F3")));
        AddColumn(RfbColumn("changed MPix", "Changed pixels in the workload (millions)", (trace, _, _) => (RfbCodecBenchmarks.ChangedPixels(trace) / 1e6).ToString("F2")));
    }
}
