using BenchmarkDotNet.Attributes;
using Codecs.Pixels;
using Damage;

namespace Bench.Damage;

/// <summary>
/// The measurements behind <see cref="DamageOptions.DefaultTileSize"/>: diff plus rectangle merging per tile size,
/// and (printed once per case) the rectangles and overdraw each tile size leads to under the RFB cost model.
/// </summary>
/// <remarks>Run: <c>dotnet run -c Release --project Bench -- --filter '*TileSizeBenchmarks*'</c>.</remarks>
[Config(typeof(DamageBenchConfig))]
public class TileSizeBenchmarks : IDisposable
{
    private FramePool _pool = null!;
    private DirtyTileMap _dirty = null!;
    private RectangleMerger _merger = null!;
    private readonly List<Rect> _rectangles = [];

    [Params(16, 32, 64)]
    public int TileSize { get; set; }

    [Params(DamageScenario.NoChange, DamageScenario.Damage1, DamageScenario.Damage10, DamageScenario.Rewrite)]
    public DamageScenario Scenario { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _pool = new FramePool(FramePairSources.FromEnvironment(fallback: "synthetic"), 1920, 1080, Scenario, 1);
        _dirty = new DirtyTileMap(1920, 1080, TileSize);
        _merger = new RectangleMerger(RectCostModel.Rfb);
        (Framebuffer previous, Framebuffer current, _) = _pool.Next();
        DamageScanner.Scan(previous.ReadOnlyView, current.ReadOnlyView, _dirty);
        long pixels = _merger.Merge(_dirty, _rectangles);
        long dirty = _dirty.GetDirtyBoundsArea();
        Console.WriteLine($"// tile {TileSize} {Scenario}: {_dirty.DirtyTileCount} dirty tiles, bounds {dirty} px, " +
            $"{_rectangles.Count} rectangles, {pixels} px, overdraw {pixels - dirty} px, " +
            $"RFB cost {RectCostModel.Rfb.Cost(_rectangles.Count, pixels):F0} bytes");
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _pool?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark]
    public int DiffAndMerge()
    {
        (Framebuffer previous, Framebuffer current, _) = _pool.Next();
        DamageScanner.Scan(previous.ReadOnlyView, current.ReadOnlyView, _dirty);
        _merger.Merge(_dirty, _rectangles);
        return _rectangles.Count;
    }
}
