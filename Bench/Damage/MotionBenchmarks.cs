using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Codecs.Pixels;
using Damage;

namespace Bench.Damage;

/// <summary>
/// What scroll/move detection adds to a frame: the diff alone, the diff plus motion detection, and the whole plan
/// (plus rectangle merging). Frames come from the corpus traces by default (<see cref="CorpusFramePairSource"/>):
/// <see cref="DamageScenario.Scroll"/> is the consecutive pair where copies explain the most pixels (a scroll),
/// <see cref="DamageScenario.Rewrite"/> the pair with the most change and nothing moved, and
/// <see cref="DamageScenario.Damage10"/> a pair without a scroll with 10 % of its tiles changed; 2160p frames are four
/// such pairs tiled 2×2. Read-only: the previous frame is never updated, so every call sees the same pair.
/// <see cref="SideBySide"/> also times the three one after the other in rotating order, 4 rounds per operation, and
/// prints their medians (<c>// motion side-by-side</c> lines): the figures to quote on a busy machine.
/// </summary>
/// <remarks>
/// Run: <c>dotnet run -c Release --project Bench -- --filter '*MotionBenchmarks*'</c>
/// (<c>DAMAGE_BENCH_SOURCE=synthetic</c> for the synthetic desktop's terminal scroll and rewrite).
/// </remarks>
[Config(typeof(DamageBenchConfig))]
public class MotionBenchmarks : IDisposable
{
    private FramePool _pool = null!;
    private DirtyTileMap _dirty = null!;
    private DirtyTileMap _residual = null!;
    private MotionDetector _motion = null!;
    private RectangleMerger _merger = null!;
    private readonly List<CopyOperation> _copies = [];
    private readonly List<Rect> _rectangles = [];

    [Params("1080p", "2160p")]
    public string Resolution { get; set; } = "1080p";

    [Params(DamageScenario.Scroll, DamageScenario.Rewrite, DamageScenario.Damage10)]
    public DamageScenario Scenario { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (int width, int height) = Resolution == "2160p" ? (3840, 2160) : (1920, 1080);
        _pool = new FramePool(FramePairSources.FromEnvironment(), width, height, Scenario, 1);
        _dirty = new DirtyTileMap(width, height, DamageOptions.DefaultTileSize);
        _residual = new DirtyTileMap(width, height, DamageOptions.DefaultTileSize);
        _motion = new MotionDetector();
        _merger = new RectangleMerger(RectCostModel.Rfb);

        // Report what the scenario is, once, next to the timings.
        (Framebuffer previous, Framebuffer current, _) = _pool.Next();
        DamageScanner.Scan(previous.ReadOnlyView, current.ReadOnlyView, _dirty);
        MotionResult result = _motion.Detect(previous.ReadOnlyView, current.ReadOnlyView, _dirty, _residual, _copies);
        long merged = _merger.Merge(_residual, _rectangles);
        Console.WriteLine($"// {Resolution} {Scenario}: dirty {_dirty.GetDirtyBoundsArea()} px in {_dirty.DirtyTileCount} tiles, " +
            $"{_copies.Count} copies explain {result.PixelsExplained} px, {_rectangles.Count} rectangles cover {merged} px");
    }

    [GlobalCleanup]
    public void Dispose()
    {
        if (_times[0].Count > 0)
        {
            // The first tenth ran during jitting and the pilot stage.
            double[] medians = _times.Select(t => Median(t.Skip(t.Count / 10))).ToArray();
            double added = Median(_times[1].Zip(_times[0], (motion, diff) => motion - diff).Skip(_times[0].Count / 10));
            Console.WriteLine($"// motion side-by-side {Resolution} {Scenario} ({_times[0].Count} rounds, medians): diff {medians[0]:F2} ms, " +
                $"diff + motion {medians[1]:F2} ms, whole plan {medians[2]:F2} ms; motion adds {added:F2} ms (median of rounds)");
            foreach (List<double> t in _times)
            {
                t.Clear();
            }
        }

        _pool?.Dispose();
        GC.SuppressFinalize(this);
    }

    private readonly List<double>[] _times = [[], [], []];
    private int _round;

    /// <summary>Diff, diff + motion and the whole plan, one after the other (order rotating), 4 rounds.</summary>
    [Benchmark]
    public long SideBySide()
    {
        long sink = 0;
        for (int round = 0; round < 4; round++, _round++)
        {
            for (int k = 0; k < 3; k++)
            {
                int which = (_round + k) % 3;
                long start = Stopwatch.GetTimestamp();
                sink += which switch
                {
                    0 => Diff(),
                    1 => DiffAndMotion(),
                    _ => WholePlan(),
                };
                _times[which].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }

        return sink;
    }

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = values.ToArray();
        Array.Sort(sorted);
        return sorted.Length == 0 ? 0 : sorted[sorted.Length / 2];
    }

    [Benchmark(Baseline = true)]
    public int Diff()
    {
        (Framebuffer previous, Framebuffer current, _) = _pool.Next();
        DamageScanner.Scan(previous.ReadOnlyView, current.ReadOnlyView, _dirty);
        return _dirty.DirtyTileCount;
    }

    [Benchmark]
    public int DiffAndMotion()
    {
        (Framebuffer previous, Framebuffer current, _) = _pool.Next();
        DamageScanner.Scan(previous.ReadOnlyView, current.ReadOnlyView, _dirty);
        return _motion.Detect(previous.ReadOnlyView, current.ReadOnlyView, _dirty, _residual, _copies).Anchors;
    }

    [Benchmark]
    public long WholePlan()
    {
        (Framebuffer previous, Framebuffer current, _) = _pool.Next();
        DamageScanner.Scan(previous.ReadOnlyView, current.ReadOnlyView, _dirty);
        _motion.Detect(previous.ReadOnlyView, current.ReadOnlyView, _dirty, _residual, _copies);
        return _merger.Merge(_residual, _rectangles);
    }
}
