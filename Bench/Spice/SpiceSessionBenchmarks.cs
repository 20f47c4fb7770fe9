using System.Collections.Concurrent;
using Bench.Reporting;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Codecs.Lz4;
using Codecs.Spice.Choice;
using Codecs.Spice.Glz;
using Codecs.Spice.Lz;
using Codecs.Spice.Lz4Image;
using Codecs.Spice.Quic;
using Codecs.Trace;

namespace Bench.Spice;

/// <summary>
/// SPICE sessions over whole corpus traces: every changed rectangle of frames 1… as one image, in trace order, through
/// a fresh per-client state per operation (a new 4 Mpixel GLZ dictionary for <see cref="GlzSession"/> and
/// <see cref="AutoSession"/>), with liblz4 <c>LZ4_compress_default</c> on the same rectangles as the yardstick.
/// Extra columns: MB/s of 32-bit input, total output, ratio and speed relative to liblz4:
/// <c>dotnet run -c Release --project Bench -- --filter '*SpiceSessionBenchmarks*'</c>.
/// </summary>
[Config(typeof(SpiceSessionConfig))]
public class SpiceSessionBenchmarks
{
    private SpiceTraceImages.Image[] _images = [];
    private byte[] _scratch = [];

    [Params("terminal-scroll", "browser-scroll", "photo-viewer", "video-window", "window-drag", "gl-anim")]
    public string Trace { get; set; } = "terminal-scroll";

    [GlobalSetup]
    public void Setup()
    {
        _images = SpiceTraceImages.Load(Trace);
        _scratch = new byte[SpiceTraceImages.ScratchLength(_images)];
    }

    [Benchmark(Baseline = true)]
    public long Lz4Encode() => SpiceTraceImages.Run("Lz4Encode", _images, _scratch);

    [Benchmark]
    public long LzSession() => SpiceTraceImages.Run("LzSession", _images, _scratch);

    [Benchmark]
    public long QuicSession() => SpiceTraceImages.Run("QuicSession", _images, _scratch);

    [Benchmark]
    public long GlzSession() => SpiceTraceImages.Run("GlzSession", _images, _scratch);

    /// <summary><see cref="SpiceImageCompressor"/> in AUTO_GLZ: graduality estimate, trials in the ambiguous band.</summary>
    [Benchmark]
    public long AutoSession() => SpiceTraceImages.Run("AutoSession", _images, _scratch);
}

/// <summary>The changed rectangles of a whole trace and one session over them per method.</summary>
public static class SpiceTraceImages
{
    /// <summary>The GLZ window of a session, in pixels (spice-gtk asks for 3.1–16.8 Mpixels).</summary>
    public const int WindowPixels = 1 << 22;

    private static readonly ConcurrentDictionary<string, Image[]> s_images = new();
    private static readonly ConcurrentDictionary<(string, string), long> s_encodedBytes = new();

    public static Image[] Load(string trace) => s_images.GetOrAdd(trace, LoadImages);

    public static long RawBytes(string trace) => Load(trace).Sum(i => (long)i.Pixels.Length);

    public static int ScratchLength(Image[] images) =>
        images.Length == 0 ? 64 : images.Max(i => Math.Max(Lz4Codec.GetMaxEncodedLength(i.Pixels.Length), (int)QuicEncoder.GetMaxEncodedLength(QuicImageType.Rgba, i.Width, i.Height)));

    /// <summary>Total output bytes of a method over the trace (computed in the host for the Ratio column).</summary>
    public static long EncodedBytes(string method, string trace) =>
        s_encodedBytes.GetOrAdd((method, trace), key => Run(key.Item1, Load(key.Item2), new byte[ScratchLength(Load(key.Item2))]));

    /// <summary>One session of <paramref name="method"/> over every image; returns the output bytes.</summary>
    public static long Run(string method, Image[] images, byte[] scratch)
    {
        long total = 0;
        switch (method)
        {
            case "Lz4Encode":
                foreach (Image i in images)
                {
                    Lz4Codec.TryEncode(i.Pixels, scratch, out int w);
                    total += w;
                }

                break;
            case "LzSession":
                var lz = new LzEncoder();
                foreach (Image i in images)
                {
                    lz.TryEncode(LzImageType.Rgb32, i.Pixels, i.Width, i.Height, i.Width * 4, true, scratch, out int w);
                    total += w;
                }

                break;
            case "QuicSession":
                var quic = new QuicEncoder();
                var lzSmall = new LzEncoder();
                foreach (Image i in images)
                {
                    // QUIC needs 3×3; thinner rectangles go LZ as the compressor would send them.
                    int w;
                    _ = i.Width >= 3 && i.Height >= 3
                        ? quic.TryEncode(QuicImageType.Rgb32, i.Pixels, i.Width, i.Height, i.Width * 4, scratch, out w)
                        : lzSmall.TryEncode(LzImageType.Rgb32, i.Pixels, i.Width, i.Height, i.Width * 4, true, scratch, out w);
                    total += w;
                }

                break;
            case "GlzSession":
                var window = new GlzEncoderWindow(WindowPixels);
                var glz = new GlzEncoder(window);
                var lzLarge = new LzEncoder();
                foreach (Image i in images)
                {
                    int w;
                    _ = window.CanEncode(i.Width, i.Height)
                        ? glz.TryEncode(LzImageType.Rgb32, i.Pixels, i.Width, i.Height, i.Width * 4, true, scratch, out w, out _)
                        : lzLarge.TryEncode(LzImageType.Rgb32, i.Pixels, i.Width, i.Height, i.Width * 4, true, scratch, out w);
                    total += w;
                }

                break;
            case "AutoSession":
                using (var compressor = new SpiceImageCompressor(new GlzEncoderWindow(WindowPixels)))
                {
                    var request = new SpiceImageRequest { Compression = SpiceImageCompression.AutoGlz, GlzAvailable = true };
                    foreach (Image i in images)
                    {
                        SpiceImageDecision d = compressor.Compress(new SpiceBitmap(i.Pixels, i.Width, i.Height, i.Width * 4, SpiceBitmapFormat.Rgb32), request, scratch);
                        total += d.Type == SpiceImageType.Bitmap ? d.RawLength : d.DataLength;
                    }
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(method));
        }

        return total;
    }

    private static Image[] LoadImages(string trace)
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "Codecs.sln")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        string path = Path.Combine(dir ?? throw new DirectoryNotFoundException("Codecs.sln not found"), "corpus", trace + ".fbt");
        var images = new List<Image>();
        using FileStream stream = File.OpenRead(path);
        using var reader = new TraceReader(stream);
        reader.ReadFrame();
        while (reader.ReadFrame())
        {
            var fb = reader.Framebuffer;
            foreach (TraceRect rect in reader.Frame.Rects)
            {
                images.Add(new Image(rect.Area.Width, rect.Area.Height, fb.ReadOnlyView.Slice(rect.Area).ToPackedArray()));
            }
        }

        return [.. images];
    }

    public sealed record Image(int Width, int Height, byte[] Pixels);
}

public sealed class SpiceSessionConfig : ManualConfig
{
    public SpiceSessionConfig()
    {
        // Each operation is a whole trace (15–380 MB of pixels): one invocation per iteration, few iterations.
        AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(3).WithInvocationCount(1).WithUnrollFactor(1));
        AddColumn(Column("MB/s", "MB of 32-bit rectangle pixels coded per second"));
        AddColumn(Column("Output", "Total output of one session, KiB"));
        AddColumn(Column("Ratio", "Raw bytes / output bytes"));
        AddColumn(Column("Speed/lz4", "Throughput relative to liblz4 LZ4_compress_default on the same trace"));
    }

    private static ComputedColumn Column(string name, string legend) =>
        new("SpiceSession." + name, name, legend, (summary, benchmarkCase) => Value(name, summary, benchmarkCase));

    private static string Value(string name, Summary summary, BenchmarkCase benchmarkCase)
    {
        string trace = (string)benchmarkCase.Parameters["Trace"];
        string method = benchmarkCase.Descriptor.WorkloadMethod.Name;
        double? mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
        switch (name)
        {
            case "Output":
                return (SpiceTraceImages.EncodedBytes(method, trace) / 1024).ToString();
            case "Ratio":
                return ((double)SpiceTraceImages.RawBytes(trace) / SpiceTraceImages.EncodedBytes(method, trace)).ToString("F2");
            case "MB/s":
                return mean is double ns ? (SpiceTraceImages.RawBytes(trace) / (ns / 1e9) / 1e6).ToString("F0") : "?";
            default:
                BenchmarkCase? lz4 = summary.BenchmarksCases.FirstOrDefault(c =>
                    c.Descriptor.WorkloadMethod.Name == "Lz4Encode" && (string)c.Parameters["Trace"] == trace);
                double? lz4Mean = lz4 is null ? null : summary[lz4]?.ResultStatistics?.Mean;
                return mean is double m && lz4Mean is double l ? (l / m).ToString("F2") : "?";
        }
    }
}
