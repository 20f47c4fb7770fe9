using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Codecs.Pixels;
using Damage;

namespace Bench.Damage;

/// <summary>
/// The frame diff against glibc <c>memcmp</c> and <c>SequenceEqual</c> on frames of the same size in the same regime.
/// The baselines always read two whole frames (they compare the previous frame with an identical twin, so they never
/// stop early); the diff compares previous and current and, when they differ, finds every dirty tile's exact bounds.
/// </summary>
/// <remarks>
/// Regimes: <c>1080p-cached</c> cycles one 1920×1080 pair (16.6 MB, inside the 32 MiB L3); <c>1080p-stream</c> and
/// <c>2160p-stream</c> cycle 16 pairs (265 MB / 1 GB), so every frame comes from memory.
/// Run: <c>dotnet run -c Release --project Bench -- --filter '*DamageDiffBenchmarks*'</c>.
/// </remarks>
[Config(typeof(DamageBenchConfig))]
public unsafe partial class DamageDiffBenchmarks : IDisposable
{
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
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _pool?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true)]
    public int Memcmp()
    {
        (Framebuffer previous, _, Framebuffer twin) = _pool.Next();
        return LibC.Memcmp(previous.Pointer, twin.Pointer, (nuint)previous.Length);
    }

    [Benchmark]
    public bool SequenceEqual()
    {
        (Framebuffer previous, _, Framebuffer twin) = _pool.Next();
        return previous.Span.SequenceEqual(twin.Span);
    }

    /// <summary>The scan as the library runs it (<see cref="DamageScanner.ActiveIsa"/>).</summary>
    [Benchmark]
    public int DamageScan()
    {
        (Framebuffer previous, Framebuffer current, _) = _pool.Next();
        DamageScanner.Scan(previous.ReadOnlyView, current.ReadOnlyView, _map);
        return _map.DirtyTileCount;
    }

    /// <summary>The same scan with the 512-bit kernels (the evidence for preferring 256-bit ones by default).</summary>
    [Benchmark]
    public int DamageScan512()
    {
        (Framebuffer previous, Framebuffer current, _) = _pool.Next();
        Rect all = previous.Bounds;
        DamageScanner.Scan(previous.ReadOnlyView, current.ReadOnlyView, _map, new ReadOnlySpan<Rect>(in all), DamageScanner.AcceleratedIsa);
        return _map.DirtyTileCount;
    }
}

/// <summary>glibc, for the baseline.</summary>
internal static unsafe partial class LibC
{
    [LibraryImport("libc", EntryPoint = "memcmp")]
    [SuppressGCTransition]
    public static partial int Memcmp(byte* a, byte* b, nuint length);
}
