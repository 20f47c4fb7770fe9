using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Codecs.Pixels;
using Damage;

namespace Bench.Damage;

/// <summary>
/// memcmp, <c>SequenceEqual</c> and the damage scan timed side by side: each benchmark operation runs a block of each
/// in turn on the same frame pool (12 calls, the first 2 discarded as warm-up of that block's working set), so the three
/// share the machine's noise, and at the end the per-call times are compared (p10 and median).
/// </summary>
/// <remarks>
/// On a shared, noisy machine, separate BenchmarkDotNet cases (as in <see cref="DamageDiffBenchmarks"/>) run minutes
/// apart and their ratios wander; these interleaved ratios are the ones to quote.
/// Run: <c>dotnet run -c Release --project Bench -- --filter '*DiffSideBySideBenchmarks*'</c>; the ratios are printed
/// as <c>// side-by-side</c> lines.
/// </remarks>
[Config(typeof(DamageBenchConfig))]
public unsafe class DiffSideBySideBenchmarks : IDisposable
{
    private const int BlockCalls = 12;
    private const int WarmCalls = 2;

    private readonly List<double> _memcmp = [];
    private readonly List<double> _sequenceEqual = [];
    private readonly List<double> _scan = [];
    private FramePool _pool = null!;
    private DirtyTileMap _map = null!;

    [Params("1080p-cached", "1080p-stream", "2160p-stream")]
    public string Regime { get; set; } = "1080p-cached";

    [Params(DamageScenario.NoChange, DamageScenario.Damage1, DamageScenario.Damage10)]
    public DamageScenario Scenario { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _pool = FramePool.ForRegime(Regime, Scenario);
        (int width, int height) = FramePool.RegimeSize(Regime);
        _map = new DirtyTileMap(width, height, DamageOptions.DefaultTileSize);
        (double tiles, double pixels) = _pool.MeanDamage();
        Console.WriteLine($"// pool {Regime} {Scenario}: {_pool.SourceName}, {_pool.DistinctPairs} distinct of {_pool.Count} pairs, " +
            $"dirty tiles {tiles:P2}, pixels in dirty bounds {pixels:P2}");
    }

    [Benchmark]
    public long Round()
    {
        long sink = 0;
        for (int i = 0; i < BlockCalls; i++)
        {
            (Framebuffer previous, _, Framebuffer twin) = _pool.Next();
            long start = Stopwatch.GetTimestamp();
            sink += LibC.Memcmp(previous.Pointer, twin.Pointer, (nuint)previous.Length);
            Record(_memcmp, i, start);
        }

        for (int i = 0; i < BlockCalls; i++)
        {
            (Framebuffer previous, Framebuffer current, _) = _pool.Next();
            long start = Stopwatch.GetTimestamp();
            DamageScanner.Scan(previous.ReadOnlyView, current.ReadOnlyView, _map);
            Record(_scan, i, start);
            sink += _map.DirtyTileCount;
        }

        for (int i = 0; i < BlockCalls; i++)
        {
            (Framebuffer previous, _, Framebuffer twin) = _pool.Next();
            long start = Stopwatch.GetTimestamp();
            sink += previous.Span.SequenceEqual(twin.Span) ? 1 : 0;
            Record(_sequenceEqual, i, start);
        }

        return sink;
    }

    [GlobalCleanup]
    public void Dispose()
    {
        if (_memcmp.Count > 0)
        {
            _memcmp.Sort();
            _scan.Sort();
            _sequenceEqual.Sort();
            double p10 = _memcmp[_memcmp.Count / 10];
            double median = _memcmp[_memcmp.Count / 2];
            (int width, int height) = FramePool.RegimeSize(Regime);
            double gigabytes = 2.0 * width * height * 4 / 1e9;
            Console.WriteLine(
                $"// side-by-side {Regime} {Scenario} ({_memcmp.Count} calls each, µs p10/median): " +
                $"memcmp {p10:F0}/{median:F0} ({gigabytes / p10 * 1e6:F1} GB/s), " +
                $"scan {_scan[_scan.Count / 10]:F0}/{_scan[_scan.Count / 2]:F0}, " +
                $"SequenceEqual {_sequenceEqual[_sequenceEqual.Count / 10]:F0}/{_sequenceEqual[_sequenceEqual.Count / 2]:F0}; " +
                $"scan speed vs memcmp p10 {p10 / _scan[_scan.Count / 10]:F2}× median {median / _scan[_scan.Count / 2]:F2}×, " +
                $"SequenceEqual p10 {p10 / _sequenceEqual[_sequenceEqual.Count / 10]:F2}× median {median / _sequenceEqual[_sequenceEqual.Count / 2]:F2}×");
            _memcmp.Clear();
            _scan.Clear();
            _sequenceEqual.Clear();
        }

        _pool?.Dispose();
        GC.SuppressFinalize(this);
    }

    private static void Record(List<double> times, int call, long start)
    {
        if (call >= WarmCalls)
        {
            times.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }
    }
}
