using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Codecs.Pixels;
using Damage;

namespace Bench.Damage;

/// <summary>
/// memcmp, <c>SequenceEqual</c> and the damage scan timed side by side: each benchmark operation is a round of three
/// blocks — 8 memcmp, 8 scans, 8 <c>SequenceEqual</c>, in an order that rotates from round to round — on the same
/// frame pool, and drops the first 2 calls of each block (they warm that block's working set). At the end it reports, per candidate, the ratio to memcmp of the
/// 10th percentiles and of the medians of all per-call times, and the median over rounds of the ratio of the blocks'
/// medians (blocks of one round are milliseconds apart, so they share the machine's noise: the robust figure on a busy
/// machine).
/// </summary>
/// <remarks>
/// <para>
/// Buffers: on <see cref="DamageScenario.NoChange"/> all three compare the same two buffers (previous and current,
/// equal). With damage, memcmp and <c>SequenceEqual</c> compare the previous frame with an identical twin, so that
/// they read two whole frames as the scan does, instead of stopping at the first difference. In the streaming
/// regimes every call takes the next of the pool's 16 distinct pairs, so no call finds its frames in cache.
/// </para>
/// <para>
/// On a shared, noisy machine, separate BenchmarkDotNet cases (as in <see cref="DamageDiffBenchmarks"/>) run minutes
/// apart and their ratios wander; these interleaved ratios are the ones to quote.
/// Run: <c>dotnet run -c Release --project Bench -- --filter '*DiffSideBySideBenchmarks*'</c>; the ratios are printed
/// as <c>// side-by-side</c> lines.
/// </para>
/// </remarks>
[Config(typeof(DamageBenchConfig))]
public unsafe class DiffSideBySideBenchmarks : IDisposable
{
    private const int BlockCalls = 8;
    private const int WarmCalls = 2;

    private readonly List<double> _memcmp = [];
    private readonly List<double> _scan = [];
    private readonly List<double> _sequenceEqual = [];
    private readonly List<(double Scan, double SequenceEqual)> _roundRatios = [];
    private readonly double[] _block = new double[BlockCalls - WarmCalls];
    private FramePool _pool = null!;
    private DirtyTileMap _map = null!;
    private int _round;

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
        // The block order rotates from round to round: a block that follows one reading the same buffers starts
        // warmer, and with damage the baselines and the scan read different pairs (previous + twin, previous + current).
        long sink = 0;
        double memcmp = 0;
        double scan = 0;
        double sequenceEqual = 0;
        for (int k = 0; k < 3; k++)
        {
            switch ((_round + k) % 3)
            {
                case 0:
                    sink += MemcmpBlock();
                    memcmp = BlockMedian(_memcmp);
                    break;
                case 1:
                    sink += ScanBlock();
                    scan = BlockMedian(_scan);
                    break;
                default:
                    sink += SequenceEqualBlock();
                    sequenceEqual = BlockMedian(_sequenceEqual);
                    break;
            }
        }

        _round++;
        _roundRatios.Add((memcmp / scan, memcmp / sequenceEqual));
        return sink;
    }

    private long MemcmpBlock()
    {
        long sink = 0;
        for (int i = 0; i < BlockCalls; i++)
        {
            (Framebuffer previous, Framebuffer current, Framebuffer twin) = _pool.Next();
            Framebuffer other = Scenario == DamageScenario.NoChange ? current : twin;
            long start = Stopwatch.GetTimestamp();
            sink += LibC.Memcmp(previous.Pointer, other.Pointer, (nuint)previous.Length);
            Record(_memcmp, i, start);
        }

        return sink;
    }

    private long ScanBlock()
    {
        long sink = 0;
        for (int i = 0; i < BlockCalls; i++)
        {
            (Framebuffer previous, Framebuffer current, _) = _pool.Next();
            long start = Stopwatch.GetTimestamp();
            DamageScanner.Scan(previous.ReadOnlyView, current.ReadOnlyView, _map);
            Record(_scan, i, start);
            sink += _map.DirtyTileCount;
        }

        return sink;
    }

    private long SequenceEqualBlock()
    {
        long sink = 0;
        for (int i = 0; i < BlockCalls; i++)
        {
            (Framebuffer previous, Framebuffer current, Framebuffer twin) = _pool.Next();
            Framebuffer other = Scenario == DamageScenario.NoChange ? current : twin;
            long start = Stopwatch.GetTimestamp();
            sink += previous.Span.SequenceEqual(other.Span) ? 1 : 0;
            Record(_sequenceEqual, i, start);
        }

        return sink;
    }

    [GlobalCleanup]
    public void Dispose()
    {
        if (_roundRatios.Count > 0)
        {
            // The first tenth of the rounds ran during jitting and BenchmarkDotNet's pilot stage.
            int skip = _roundRatios.Count / 10;
            double[] memcmp = Sorted(_memcmp.Skip(skip * (BlockCalls - WarmCalls)));
            double[] scan = Sorted(_scan.Skip(skip * (BlockCalls - WarmCalls)));
            double[] sequenceEqual = Sorted(_sequenceEqual.Skip(skip * (BlockCalls - WarmCalls)));
            double scanRatio = Median(Sorted(_roundRatios.Skip(skip).Select(r => r.Scan)));
            double sequenceEqualRatio = Median(Sorted(_roundRatios.Skip(skip).Select(r => r.SequenceEqual)));
            (int width, int height) = FramePool.RegimeSize(Regime);
            double gigabytes = 2.0 * width * height * 4 / 1e9;
            Console.WriteLine(
                $"// side-by-side {Regime} {Scenario} ({_roundRatios.Count - skip} rounds × {BlockCalls - WarmCalls} calls, µs p10/median): " +
                $"memcmp {P10(memcmp):F0}/{Median(memcmp):F0} ({gigabytes / P10(memcmp) * 1e6:F1} GB/s), " +
                $"scan {P10(scan):F0}/{Median(scan):F0}, SequenceEqual {P10(sequenceEqual):F0}/{Median(sequenceEqual):F0}; " +
                $"speed vs memcmp (rounds' median | p10 | median): " +
                $"scan {scanRatio:F2}× | {P10(memcmp) / P10(scan):F2}× | {Median(memcmp) / Median(scan):F2}×, " +
                $"SequenceEqual {sequenceEqualRatio:F2}× | {P10(memcmp) / P10(sequenceEqual):F2}× | {Median(memcmp) / Median(sequenceEqual):F2}×");
            _memcmp.Clear();
            _scan.Clear();
            _sequenceEqual.Clear();
            _roundRatios.Clear();
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

    /// <summary>The median of the block just recorded (the last <c>BlockCalls − WarmCalls</c> times).</summary>
    private double BlockMedian(List<double> times)
    {
        times.CopyTo(times.Count - _block.Length, _block, 0, _block.Length);
        Array.Sort(_block);
        return _block[_block.Length / 2];
    }

    private static double[] Sorted(IEnumerable<double> values)
    {
        double[] sorted = values.ToArray();
        Array.Sort(sorted);
        return sorted;
    }

    private static double P10(double[] sorted) => sorted[sorted.Length / 10];

    private static double Median(double[] sorted) => sorted[sorted.Length / 2];
}
