using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Codecs.Pixels;
using Perfolizer.Horology;

namespace Bench.Pixels;

/// <summary>
/// A 1920x1080 desktop-like canonical frame to the formats clients ask for most, and back, on every vector tier:
/// Scalar (baseline) is <c>DOTNET_EnableHWIntrinsic=0</c>, V128 <c>DOTNET_EnableAVX2=0</c>, V256
/// <c>DOTNET_EnableAVX512=0</c>, V512 the machine's default. The Ratio column is time relative to Scalar.
/// </summary>
/// <remarks>
/// <c>dotnet run -c Release --project Bench -- --filter '*PixelConversion*'</c>. The frame stays in memory between
/// operations, but at 8 MB (canonical) it does not stay in a 2-core machine's cache, so this is close to the memory
/// bandwidth a real full-frame update sees.
/// </remarks>
[Config(typeof(PixelIsaConfig))]
public class PixelConversionBenchmarks
{
    public const int Width = 1920;
    public const int Height = 1080;

    private Framebuffer? _frame;
    private Framebuffer? _decoded;
    private PixelConverter? _converter;
    private byte[] _client = [];

    [Params("Rgbx32", "Rgb565 LE", "Rgb565 BE", "Bgr233")]
    public string Format { get; set; } = "Rgbx32";

    [GlobalSetup]
    public void Setup()
    {
        PixelFormat format = Format switch
        {
            "Rgbx32" => PixelFormat.Rgbx32,
            "Rgb565 LE" => PixelFormat.Rgb565,
            "Rgb565 BE" => PixelFormat.Rgb565 with { BigEndian = true },
            "Bgr233" => PixelFormat.Bgr233,
            _ => throw new InvalidOperationException(Format),
        };
        _converter = PixelConverter.Create(format);
        _frame = Framebuffer.Allocate(Width, Height);
        _decoded = Framebuffer.Allocate(Width, Height);
        DesktopFrame.Fill(_frame.View);
        _client = new byte[_converter.GetPackedLength(Width, Height)];
        _converter.FromCanonical(_frame.ReadOnlyView, _client);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _frame?.Dispose();
        _decoded?.Dispose();
    }

    [Benchmark(Description = "canonical -> client")]
    public int FromCanonical() => _converter!.FromCanonical(_frame!.ReadOnlyView, _client);

    [Benchmark(Description = "client -> canonical")]
    public int ToCanonical() => _converter!.ToCanonical(_client, _decoded!.View);
}

/// <summary>
/// Scalar (baseline), V128, V256 and V512 jobs that differ only in the runtime's instruction-set switches, with a
/// short run (the machine has two cores; the frame-sized operations are long and steady), and a megapixel-rate column.
/// </summary>
public sealed class PixelIsaConfig : ManualConfig
{
    public PixelIsaConfig()
    {
        Job quick = Job.Default
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(12)
            .WithIterationTime(TimeInterval.FromMilliseconds(200));
        AddJob(quick.WithEnvironmentVariable("DOTNET_EnableHWIntrinsic", "0").WithId("Scalar").AsBaseline());
        AddJob(quick.WithEnvironmentVariable("DOTNET_EnableAVX2", "0").WithId("V128"));
        AddJob(quick.WithEnvironmentVariable("DOTNET_EnableAVX512", "0").WithId("V256"));
        AddJob(quick.WithId("V512"));
        AddColumn(new MegapixelRateColumn(PixelConversionBenchmarks.Width * PixelConversionBenchmarks.Height));
        WithOrderer(new BenchmarkDotNet.Order.DefaultOrderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared));
    }
}

/// <summary>Megapixels per second from the mean time of one operation over a fixed number of pixels.</summary>
public sealed class MegapixelRateColumn(long pixelsPerOperation) : IColumn
{
    public string Id => nameof(MegapixelRateColumn);

    public string ColumnName => "MPix/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => $"Megapixels converted per second ({pixelsPerOperation} pixels per operation)";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? meanNanoseconds = summary[benchmarkCase]?.ResultStatistics?.Mean;
        return meanNanoseconds is > 0
            ? (pixelsPerOperation / meanNanoseconds.Value * 1000).ToString("N0", CultureInfo.InvariantCulture)
            : "-";
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}

/// <summary>
/// Synthetic desktop content: a wallpaper gradient, flat window bodies with title bars, text-like strokes, and a
/// photo-like noisy region — the mix of flat and busy pixels a real screen has.
/// </summary>
internal static class DesktopFrame
{
    public static void Fill(ImageView view)
    {
        var random = new Random(1080);
        for (int y = 0; y < view.Height; y++)
        {
            Span<byte> row = view.Row(y);
            for (int x = 0; x < view.Width; x++)
            {
                (int r, int g, int b) = Pixel(x, y, view.Width, view.Height, random);
                row[4 * x] = (byte)b;
                row[4 * x + 1] = (byte)g;
                row[4 * x + 2] = (byte)r;
                row[4 * x + 3] = 0xFF;
            }
        }
    }

    private static (int R, int G, int B) Pixel(int x, int y, int width, int height, Random random)
    {
        bool inWindow = x is >= 200 and < 1300 && y is >= 120 and < 900;
        bool inPhoto = x is >= 1350 and < 1850 && y is >= 200 and < 700;
        if (inPhoto)
        {
            int shade = (x - 1350 + y - 200) / 4;
            return (Math.Clamp(shade + random.Next(-24, 24), 0, 255), Math.Clamp(180 - shade / 2 + random.Next(-24, 24), 0, 255), Math.Clamp(90 + random.Next(-24, 24), 0, 255));
        }

        if (inWindow)
        {
            if (y < 150)
            {
                return (45, 85, 160); // title bar
            }

            // Text: short strokes on 18-pixel lines.
            bool text = (y - 150) % 18 is >= 4 and < 14 && (x * 7 + y * 3) % 11 < 3 && (x / 60 + y / 18) % 5 != 0;
            return text ? (20, 20, 20) : (250, 250, 250);
        }

        return (x * 90 / width + 20, y * 120 / height + 40, 140 + x * 80 / width);
    }
}
