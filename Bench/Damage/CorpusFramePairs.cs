using System.Collections.Concurrent;
using Codecs.Pixels;
using Codecs.Trace;
using Damage;

namespace Bench.Damage;

/// <summary>
/// Frame pairs from the committed corpus traces (<c>corpus/*.fbt</c>, 1920×1080 real X desktops). 3840×2160 frames
/// are four corpus frames tiled 2×2 (each quadrant from a different pair). Per scenario:
/// <list type="bullet">
/// <item><see cref="DamageScenario.NoChange"/>: a real frame and an identical copy of it (frames spread over all
/// traces).</item>
/// <item><see cref="DamageScenario.Damage1"/> / <see cref="DamageScenario.Damage10"/>: a real consecutive pair with at
/// least that fraction of its 32-pixel tiles changed, cut to exactly that fraction: the current frame keeps the real
/// change of its first dirty tiles in scan order and the rest of its changed tiles are reset to the previous frame.
/// Candidates are taken closest to the fraction first, round robin over the traces, so a pool of pairs mixes the
/// traces' content.</item>
/// <item><see cref="DamageScenario.Scroll"/>: the consecutive pairs whose motion detection explains the most pixels.</item>
/// <item><see cref="DamageScenario.Rewrite"/>: consecutive pairs where nothing moved (no copy found), with the most
/// changed pixels.</item>
/// </list>
/// The per-pair statistics of every trace are computed once per process and cached.
/// </summary>
public sealed class CorpusFramePairSource : IFramePairSource
{
    private const int CorpusWidth = 1920;
    private const int CorpusHeight = 1080;

    private static readonly ConcurrentDictionary<string, IReadOnlyList<PairInfo>> s_pairs = new();
    private static readonly ConcurrentDictionary<string, IReadOnlyList<PairMotion>> s_motion = new();

    private readonly string _directory;

    public CorpusFramePairSource(string? directory = null)
    {
        _directory = directory ?? FindCorpus();
        Traces = Directory.EnumerateFiles(_directory, "*.fbt").Order(StringComparer.Ordinal).ToArray();
        if (Traces.Count == 0)
        {
            throw new FileNotFoundException($"no .fbt trace in {_directory}");
        }
    }

    public string Name => "corpus";

    public IReadOnlyList<string> Traces { get; }

    public IReadOnlyList<(Framebuffer Previous, Framebuffer Current)> Create(int width, int height, DamageScenario scenario, int count)
    {
        int quadrants = (width, height) switch
        {
            (CorpusWidth, CorpusHeight) => 1,
            (2 * CorpusWidth, 2 * CorpusHeight) => 4,
            _ => throw new NotSupportedException($"corpus pairs are {CorpusWidth}x{CorpusHeight} or 2x2 tiles of them, not {width}x{height}"),
        };

        List<PairChoice> choices = Choose(scenario, count * quadrants);
        List<(Framebuffer Previous, Framebuffer Current)> small = Load(choices);
        if (quadrants == 1)
        {
            return small;
        }

        var pairs = new List<(Framebuffer, Framebuffer)>();
        for (int i = 0; i + 4 <= small.Count; i += 4)
        {
            Framebuffer previous = Framebuffer.Allocate(width, height);
            Framebuffer current = Framebuffer.Allocate(width, height);
            for (int q = 0; q < 4; q++)
            {
                var at = new Rect(q % 2 * CorpusWidth, q / 2 * CorpusHeight, CorpusWidth, CorpusHeight);
                small[i + q].Previous.ReadOnlyView.CopyTo(previous.View.Slice(at));
                small[i + q].Current.ReadOnlyView.CopyTo(current.View.Slice(at));
            }

            pairs.Add((previous, current));
        }

        foreach ((Framebuffer p, Framebuffer c) in small)
        {
            p.Dispose();
            c.Dispose();
        }

        return pairs;
    }

    /// <summary>The fraction of 32-pixel tiles a damage scenario changes.</summary>
    public static double TargetDirtyFraction(DamageScenario scenario) => scenario switch
    {
        DamageScenario.Damage1 => 0.01,
        DamageScenario.Damage10 => 0.10,
        _ => 0,
    };

    /// <summary>Which corpus pairs make up a pool of <paramref name="count"/> pairs, and how many dirty tiles each keeps.</summary>
    private List<PairChoice> Choose(DamageScenario scenario, int count)
    {
        var perTrace = Traces.Select(t => (Trace: t, Pairs: PairsOf(t))).ToArray();
        int tiles = perTrace[0].Pairs.Count > 0 ? perTrace[0].Pairs[0].Tiles : 1;
        IEnumerable<PairChoice>[] candidates;
        switch (scenario)
        {
            case DamageScenario.NoChange:
                // Frame i of each trace, spread: the k-th choice from a trace is at k / count of its length.
                candidates = perTrace.Select(t => Enumerable.Range(0, count)
                    .Select(k => t.Pairs[(int)((long)k * t.Pairs.Count / count)])
                    .Select(p => new PairChoice(t.Trace, p.Index, KeepTiles: int.MaxValue, Identical: true))).ToArray();
                break;
            case DamageScenario.Damage1 or DamageScenario.Damage10:
                int keep = Math.Max(1, (int)Math.Round(TargetDirtyFraction(scenario) * tiles));
                candidates = perTrace.Select(t => t.Pairs.Where(p => p.DirtyTiles >= keep).OrderBy(p => p.DirtyTiles).ThenBy(p => p.Index)
                    .Select(p => new PairChoice(t.Trace, p.Index, keep, Identical: false))).ToArray();
                break;
            case DamageScenario.Scroll:
                candidates = [MotionOf().Where(m => m.Explained > 0).OrderByDescending(m => m.Explained)
                    .Select(m => new PairChoice(m.Trace, m.Index, KeepTiles: int.MaxValue, Identical: false))];
                break;
            case DamageScenario.Rewrite:
                candidates = [MotionOf().Where(m => m.Copies == 0).OrderByDescending(m => m.DirtyPixels)
                    .Select(m => new PairChoice(m.Trace, m.Index, KeepTiles: int.MaxValue, Identical: false))];
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(scenario));
        }

        var chosen = new List<PairChoice>(count);
        IEnumerator<PairChoice>[] cursors = candidates.Select(c => c.GetEnumerator()).ToArray();
        bool any = true;
        while (chosen.Count < count && any)
        {
            any = false;
            foreach (IEnumerator<PairChoice> cursor in cursors)
            {
                if (chosen.Count < count && cursor.MoveNext())
                {
                    chosen.Add(cursor.Current);
                    any = true;
                }
            }
        }

        if (chosen.Count < count)
        {
            throw new InvalidOperationException($"the corpus has only {chosen.Count} pairs for {scenario}, {count} wanted");
        }

        return chosen;
    }

    /// <summary>Reads the chosen pairs (each trace once, in order) and cuts their damage to the chosen tile count.</summary>
    private List<(Framebuffer Previous, Framebuffer Current)> Load(IReadOnlyList<PairChoice> choices)
    {
        var result = new (Framebuffer Previous, Framebuffer Current)[choices.Count];
        var map = new DirtyTileMap(CorpusWidth, CorpusHeight, DamageOptions.DefaultTileSize);
        foreach (IGrouping<string, (PairChoice Choice, int Slot)> trace in choices.Select((c, i) => (c, i)).GroupBy(x => x.c.Trace))
        {
            var wanted = trace.ToLookup(x => x.Choice.Index);
            long last = trace.Max(x => x.Choice.Index);
            using var reader = new TraceReader(File.OpenRead(trace.Key));
            using Framebuffer previous = Framebuffer.Allocate(CorpusWidth, CorpusHeight);
            for (long index = 0; index <= last && reader.ReadFrame(); index++)
            {
                Framebuffer frame = reader.Framebuffer;
                foreach ((PairChoice choice, int slot) in wanted[index])
                {
                    Framebuffer p = Framebuffer.Allocate(CorpusWidth, CorpusHeight);
                    Framebuffer c = Framebuffer.Allocate(CorpusWidth, CorpusHeight);
                    (choice.Identical ? frame : previous).CopyTo(p);
                    frame.CopyTo(c);
                    if (choice.KeepTiles < int.MaxValue)
                    {
                        CutDamage(p, c, choice.KeepTiles, map);
                    }

                    result[slot] = (p, c);
                }

                frame.CopyTo(previous);
            }
        }

        return [.. result];
    }

    /// <summary>Keeps the change of the first <paramref name="keep"/> dirty tiles (scan order) and resets the others to <paramref name="previous"/>.</summary>
    private static void CutDamage(Framebuffer previous, Framebuffer current, int keep, DirtyTileMap map)
    {
        DamageScanner.Scan(previous.ReadOnlyView, current.ReadOnlyView, map);
        int seen = 0;
        foreach ((int column, int row) in map)
        {
            if (++seen > keep)
            {
                Rect tile = map.GetTileRect(column, row);
                previous.ReadOnlyView.Slice(tile).CopyTo(current.View.Slice(tile));
            }
        }
    }

    /// <summary>Dirty tiles (tile 32) of every consecutive pair of a trace; entry i is the pair (frame i−1, frame i).</summary>
    private static IReadOnlyList<PairInfo> PairsOf(string trace) => s_pairs.GetOrAdd(trace, path =>
    {
        var pairs = new List<PairInfo>();
        var map = new DirtyTileMap(CorpusWidth, CorpusHeight, DamageOptions.DefaultTileSize);
        using var reader = new TraceReader(File.OpenRead(path));
        using Framebuffer previous = Framebuffer.Allocate(CorpusWidth, CorpusHeight);
        for (long index = 0; reader.ReadFrame(); index++)
        {
            Framebuffer frame = reader.Framebuffer;
            if (frame.Width != CorpusWidth || frame.Height != CorpusHeight)
            {
                throw new InvalidDataException($"{path}: frame {index} is {frame.Width}x{frame.Height}");
            }

            if (index > 0)
            {
                DamageScanner.Scan(previous.ReadOnlyView, frame.ReadOnlyView, map);
                pairs.Add(new PairInfo(index, map.DirtyTileCount, map.Columns * map.Rows));
            }

            frame.CopyTo(previous);
        }

        return pairs;
    });

    /// <summary>Motion detection on every consecutive pair of every trace (computed once, for the motion scenarios).</summary>
    private IReadOnlyList<PairMotion> MotionOf() => s_motion.GetOrAdd(_directory, _ =>
    {
        var all = new List<PairMotion>();
        var dirty = new DirtyTileMap(CorpusWidth, CorpusHeight, DamageOptions.DefaultTileSize);
        var residual = new DirtyTileMap(CorpusWidth, CorpusHeight, DamageOptions.DefaultTileSize);
        var detector = new MotionDetector();
        var copies = new List<CopyOperation>();
        foreach (string path in Traces)
        {
            using var reader = new TraceReader(File.OpenRead(path));
            using Framebuffer previous = Framebuffer.Allocate(CorpusWidth, CorpusHeight);
            for (long index = 0; reader.ReadFrame(); index++)
            {
                Framebuffer frame = reader.Framebuffer;
                if (index > 0)
                {
                    DamageScanner.Scan(previous.ReadOnlyView, frame.ReadOnlyView, dirty);
                    MotionResult motion = detector.Detect(previous.ReadOnlyView, frame.ReadOnlyView, dirty, residual, copies);
                    all.Add(new PairMotion(path, index, dirty.GetDirtyBoundsArea(), motion.PixelsExplained, copies.Count));
                }

                frame.CopyTo(previous);
            }
        }

        return all;
    });

    private static string FindCorpus()
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

    private readonly record struct PairInfo(long Index, int DirtyTiles, int Tiles);

    private readonly record struct PairMotion(string Trace, long Index, long DirtyPixels, long Explained, int Copies);

    /// <summary>Pair (Index − 1, Index) of a trace, or (Index, Index) when <paramref name="Identical"/>; damage cut to <paramref name="KeepTiles"/> dirty tiles.</summary>
    private readonly record struct PairChoice(string Trace, long Index, int KeepTiles, bool Identical);
}
