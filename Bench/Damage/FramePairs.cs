using Codecs.Pixels;
using Damage;

namespace Bench.Damage;

/// <summary>What changed between the two frames of a benchmark pair.</summary>
public enum DamageScenario
{
    /// <summary>Identical frames.</summary>
    NoChange,

    /// <summary>About 1 % of the pixels changed (a few edited text lines and a small widget).</summary>
    Damage1,

    /// <summary>About 10 % of the pixels changed (a browser page's text reflowed, plus text edits).</summary>
    Damage10,

    /// <summary>The terminal scrolled by 3 lines (copies explain most of the change).</summary>
    Scroll,

    /// <summary>The terminal's text was replaced by other text: as much change as <see cref="Scroll"/>, nothing moved.</summary>
    Rewrite,
}

/// <summary>Where benchmark frame pairs come from: the corpus traces, synthetic desktops or raw frame files.</summary>
public interface IFramePairSource
{
    string Name { get; }

    /// <summary>
    /// Up to <paramref name="count"/> distinct (previous, current) pairs of <paramref name="width"/> × <paramref name="height"/>
    /// Bgrx32 frames showing <paramref name="scenario"/>; at least one. A source with fewer distinct pairs returns
    /// what it has and <see cref="FramePool"/> fills the pool with copies of them.
    /// </summary>
    IReadOnlyList<(Framebuffer Previous, Framebuffer Current)> Create(int width, int height, DamageScenario scenario, int count);
}

/// <summary>
/// Picks the source: <c>DAMAGE_BENCH_RAW=frames.bgr0</c> (with <c>DAMAGE_BENCH_RAW_SIZE=WxH</c>) selects raw frames;
/// otherwise <c>DAMAGE_BENCH_SOURCE=corpus|synthetic</c>, default the corpus (or the caller's fallback).
/// </summary>
public static class FramePairSources
{
    public static IFramePairSource FromEnvironment(string fallback = "corpus")
    {
        string? raw = Environment.GetEnvironmentVariable("DAMAGE_BENCH_RAW");
        if (string.IsNullOrEmpty(raw))
        {
            string source = Environment.GetEnvironmentVariable("DAMAGE_BENCH_SOURCE") is { Length: > 0 } named ? named : fallback;
            return source switch
            {
                "corpus" => new CorpusFramePairSource(),
                "synthetic" => new SyntheticFramePairSource(),
                _ => throw new ArgumentException($"DAMAGE_BENCH_SOURCE={source}: expected corpus or synthetic"),
            };
        }

        string size = Environment.GetEnvironmentVariable("DAMAGE_BENCH_RAW_SIZE") ?? "1920x1080";
        string[] parts = size.Split('x');
        return new RawFramePairSource(raw, int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }
}

/// <summary>Pairs drawn by <see cref="SyntheticDesktop"/>.</summary>
public sealed class SyntheticFramePairSource : IFramePairSource
{
    public string Name => "synthetic";

    public IReadOnlyList<(Framebuffer Previous, Framebuffer Current)> Create(int width, int height, DamageScenario scenario, int count) =>
        [CreatePair(width, height, scenario)];

    private static (Framebuffer Previous, Framebuffer Current) CreatePair(int width, int height, DamageScenario scenario)
    {
        Framebuffer previous = Framebuffer.Allocate(width, height);
        Framebuffer current = Framebuffer.Allocate(width, height);
        SyntheticDesktop.Draw(previous.View, document: 1, firstLine: 0);
        previous.CopyTo(current);
        long pixels = (long)width * height;
        Rect terminal = SyntheticDesktop.Terminal(width, height);
        switch (scenario)
        {
            case DamageScenario.Damage1:
                // Edited lines in the terminal plus a clock-sized widget, ~1 % of the frame.
                ChangeLines(current.View, terminal, pixels / 100 - 64 * 16, seed: 3);
                SyntheticDesktop.Fill(current.View, new Rect(width - 80, 4, 64, 16), 0xFF00FF00);
                break;
            case DamageScenario.Damage10:
                // Edited lines over ~10 % of the frame.
                ChangeLines(current.View, terminal, pixels / 10, seed: 4);
                break;
            case DamageScenario.Scroll:
                SyntheticDesktop.Text(current.View, terminal, document: 1, firstLine: 3, 0xFF1E1E1E, 0xFFD4D4D4);
                break;
            case DamageScenario.Rewrite:
                SyntheticDesktop.Text(current.View, terminal, document: 2, firstLine: 0, 0xFF1E1E1E, 0xFFD4D4D4);
                break;
        }

        return (previous, current);
    }

    /// <summary>Rewrites whole text lines of the terminal (spread over it) until about <paramref name="budget"/> pixels are covered.</summary>
    private static void ChangeLines(ImageView view, Rect terminal, long budget, int seed)
    {
        int lines = terminal.Height / 16;
        long perLine = terminal.Width * 16L;
        int count = (int)Math.Clamp(budget / perLine, 1, lines);
        for (int i = 0; i < count; i++)
        {
            int line = (int)((long)i * lines / count);
            var area = new Rect(terminal.X, terminal.Y + line * 16, terminal.Width, 16);
            SyntheticDesktop.Text(view, area, document: seed, firstLine: 1000 + line, 0xFF1E1E1E, 0xFFD4D4D4);
        }
    }
}

/// <summary>
/// Pairs of consecutive frames from a raw file of packed Bgrx32 frames — what
/// <c>ffmpeg -i capture.mkv -f rawvideo -pix_fmt bgr0 frames.bgr0</c> writes from the corpus captures. For each scenario
/// it picks the consecutive pair whose changed fraction is closest to the scenario's (0, 1 %, 10 %), or for
/// <see cref="DamageScenario.Scroll"/> the pair where copies explain the most pixels and for
/// <see cref="DamageScenario.Rewrite"/> the most changed pair without copies.
/// </summary>
public sealed class RawFramePairSource(string path, int frameWidth, int frameHeight) : IFramePairSource
{
    public string Name => Path.GetFileName(path);

    public IReadOnlyList<(Framebuffer Previous, Framebuffer Current)> Create(int width, int height, DamageScenario scenario, int count) =>
        [CreatePair(width, height, scenario)];

    private (Framebuffer Previous, Framebuffer Current) CreatePair(int width, int height, DamageScenario scenario)
    {
        if (width != frameWidth || height != frameHeight)
        {
            throw new NotSupportedException($"{path} holds {frameWidth}x{frameHeight} frames, not {width}x{height}.");
        }

        long frameBytes = (long)width * height * 4;
        long frames = new FileInfo(path).Length / frameBytes;
        if (frames < 2)
        {
            throw new InvalidDataException($"{path} holds fewer than two {width}x{height} frames.");
        }

        using FileStream file = File.OpenRead(path);
        using Framebuffer a = Framebuffer.Allocate(width, height);
        using Framebuffer b = Framebuffer.Allocate(width, height);
        using var tracker = new DamageTracker();
        ReadFrame(file, 0, a);
        tracker.Track(a.ReadOnlyView);
        long best = -1;
        double bestScore = double.MaxValue;
        for (long i = 1; i < frames; i++)
        {
            Framebuffer current = (i & 1) == 1 ? b : a;
            ReadFrame(file, i, current);
            FrameStatistics s = tracker.Track(current.ReadOnlyView).Statistics;
            double changed = (double)s.DirtyPixels / (width * (double)height);
            double score = scenario switch
            {
                DamageScenario.NoChange => changed,
                DamageScenario.Damage1 => Math.Abs(changed - 0.01),
                DamageScenario.Damage10 => Math.Abs(changed - 0.10),
                DamageScenario.Scroll => -s.PixelsExplainedByCopies,
                _ => s.CopyCount == 0 ? -changed : double.MaxValue,
            };
            if (score < bestScore)
            {
                bestScore = score;
                best = i;
            }
        }

        Framebuffer previous = Framebuffer.Allocate(width, height);
        Framebuffer current1 = Framebuffer.Allocate(width, height);
        ReadFrame(file, best - 1, previous);
        ReadFrame(file, best, current1);
        return (previous, current1);
    }

    private void ReadFrame(FileStream file, long index, Framebuffer frame)
    {
        file.Position = index * frame.Length;
        file.ReadExactly(frame.Span);
    }
}

/// <summary>
/// The frames a benchmark cycles through: one pair (cache-resident regime) or 16 distinct pairs (streaming regime:
/// 16 × 2 frames far exceed the 32 MiB L3, so every scan reads from memory; a source with fewer distinct pairs is
/// repeated as copies at other addresses). Each pair also has a twin of its previous frame, so that the
/// memcmp/SequenceEqual baselines read full frames even when the pair differs.
/// </summary>
public sealed class FramePool : IDisposable
{
    private readonly Framebuffer[] _previous;
    private readonly Framebuffer[] _current;
    private readonly Framebuffer[] _twin;
    private int _next;

    /// <summary>
    /// The pool a benchmark regime names: "1080p-cached" (one pair, reused from cache) or "1080p-stream" /
    /// "2160p-stream" (16 rotating pairs, so every frame comes from memory).
    /// </summary>
    public static FramePool ForRegime(string regime, DamageScenario scenario)
    {
        (int width, int height) = RegimeSize(regime);
        int copies = regime.EndsWith("cached", StringComparison.Ordinal) ? 1 : 16;
        return new FramePool(FramePairSources.FromEnvironment(), width, height, scenario, copies);
    }

    /// <summary>The frame size of a benchmark regime.</summary>
    public static (int Width, int Height) RegimeSize(string regime) =>
        regime.StartsWith("2160p", StringComparison.Ordinal) ? (3840, 2160) : (1920, 1080);

    public FramePool(IFramePairSource source, int width, int height, DamageScenario scenario, int copies)
    {
        IReadOnlyList<(Framebuffer Previous, Framebuffer Current)> pairs = source.Create(width, height, scenario, copies);
        DistinctPairs = pairs.Count;
        SourceName = source.Name;
        _previous = new Framebuffer[copies];
        _current = new Framebuffer[copies];
        _twin = new Framebuffer[copies];
        for (int i = 0; i < copies; i++)
        {
            (Framebuffer previous, Framebuffer current) = pairs[i % pairs.Count];
            _previous[i] = i < pairs.Count ? previous : Clone(previous);
            _current[i] = i < pairs.Count ? current : Clone(current);
            _twin[i] = Clone(previous);
        }
    }

    public int Count => _previous.Length;

    /// <summary>How many of the pool's pairs are different frames (the rest are copies).</summary>
    public int DistinctPairs { get; }

    public string SourceName { get; }

    /// <summary>Dirty tiles (tile 32) and pixels inside the exact dirty bounds, averaged over the pool's pairs.</summary>
    public (double DirtyTileFraction, double DirtyPixelFraction) MeanDamage()
    {
        var map = new DirtyTileMap(_previous[0].Width, _previous[0].Height, DamageOptions.DefaultTileSize);
        double tiles = 0;
        double pixels = 0;
        for (int i = 0; i < Count; i++)
        {
            DamageScanner.Scan(_previous[i].ReadOnlyView, _current[i].ReadOnlyView, map);
            tiles += (double)map.DirtyTileCount / (map.Columns * map.Rows);
            pixels += (double)map.GetDirtyBoundsArea() / ((long)map.Width * map.Height);
        }

        return (tiles / Count, pixels / Count);
    }

    /// <summary>The next pair in rotation.</summary>
    public (Framebuffer Previous, Framebuffer Current, Framebuffer Twin) Next()
    {
        int i = _next;
        _next = i + 1 == _previous.Length ? 0 : i + 1;
        return (_previous[i], _current[i], _twin[i]);
    }

    public void Dispose()
    {
        foreach (Framebuffer f in _previous.Concat(_current).Concat(_twin))
        {
            f.Dispose();
        }
    }

    private static Framebuffer Clone(Framebuffer source)
    {
        Framebuffer copy = Framebuffer.Allocate(source.Width, source.Height, source.Format, source.Stride);
        source.Span.CopyTo(copy.Span);
        return copy;
    }
}
