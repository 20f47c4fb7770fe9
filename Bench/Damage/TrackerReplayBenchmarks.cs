using BenchmarkDotNet.Attributes;
using Codecs.Pixels;
using Damage;

namespace Bench.Damage;

/// <summary>
/// The whole tracker (diff, motion, previous-frame update, rectangles) over a sequence of frames, and — printed once —
/// the fraction of changed pixels that copies explain over the sequence.
/// </summary>
/// <remarks>
/// <para>
/// Frames come from <c>DAMAGE_BENCH_RAW</c> (packed Bgrx32 frames, <c>DAMAGE_BENCH_RAW_SIZE=WxH</c>, at most
/// <c>DAMAGE_BENCH_RAW_FRAMES</c> of them, default 60), e.g. a corpus capture converted with
/// <c>ffmpeg -i corpus-raw/browser-scroll.mkv -frames:v 60 -f rawvideo -pix_fmt bgr0 /tmp/browser.bgr0</c>;
/// otherwise 30 synthetic 1080p frames whose terminal scrolls by one line per frame while a window is dragged.
/// </para>
/// <para>Run: <c>dotnet run -c Release --project Bench -- --filter '*TrackerReplayBenchmarks*'</c>.</para>
/// </remarks>
[Config(typeof(DamageBenchConfig))]
public class TrackerReplayBenchmarks : IDisposable
{
    private readonly List<Framebuffer> _frames = [];
    private DamageTracker _tracker = null!;

    [Params(true, false)]
    public bool Motion { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        string? raw = Environment.GetEnvironmentVariable("DAMAGE_BENCH_RAW");
        if (string.IsNullOrEmpty(raw))
        {
            Synthetic();
        }
        else
        {
            Load(raw);
        }

        _tracker = new DamageTracker(new DamageOptions { Motion = new MotionOptions { Enabled = Motion } });
        long dirty = 0;
        long explained = 0;
        long rectanglePixels = 0;
        int copies = 0;
        int rectangles = 0;
        foreach (Framebuffer frame in _frames)
        {
            FrameStatistics s = _tracker.Track(frame.ReadOnlyView).Statistics;
            if (frame == _frames[0])
            {
                continue;
            }

            dirty += s.DirtyPixels;
            explained += s.PixelsExplainedByCopies;
            rectanglePixels += s.RectanglePixels;
            copies += s.CopyCount;
            rectangles += s.RectangleCount;
        }

        Console.WriteLine($"// {(raw is null ? "synthetic" : Path.GetFileName(raw))} motion={Motion}: {_frames.Count} frames, dirty {dirty} px, " +
            $"copies explain {explained} px ({(dirty == 0 ? 0 : 100.0 * explained / dirty):F1} %), {copies} copies, " +
            $"{rectangles} rectangles covering {rectanglePixels} px");
    }

    [Benchmark]
    public long TrackSequence()
    {
        _tracker.Reset();
        long pixels = 0;
        foreach (Framebuffer frame in _frames)
        {
            pixels += _tracker.Track(frame.ReadOnlyView).Statistics.RectanglePixels;
        }

        return pixels;
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _tracker?.Dispose();
        foreach (Framebuffer frame in _frames)
        {
            frame.Dispose();
        }

        _frames.Clear();
        GC.SuppressFinalize(this);
    }

    private void Synthetic()
    {
        const int Width = 1920;
        const int Height = 1080;
        var window = new Rect(1200, 600, 400, 300);
        for (int i = 0; i < 30; i++)
        {
            Framebuffer frame = Framebuffer.Allocate(Width, Height);
            SyntheticDesktop.Draw(frame.View, document: 1, firstLine: i);
            Rect moved = window.Offset(-17 * i, -9 * i);
            SyntheticDesktop.Fill(frame.View, moved, 0xFF404040);
            SyntheticDesktop.Text(frame.View, Rect.FromEdges(moved.X + 4, moved.Y + 24, moved.Right - 4, moved.Bottom - 4), 9, 0, 0xFFF0F0F0, 0xFF101010);
            _frames.Add(frame);
        }
    }

    private void Load(string path)
    {
        string size = Environment.GetEnvironmentVariable("DAMAGE_BENCH_RAW_SIZE") ?? "1920x1080";
        string[] parts = size.Split('x');
        int width = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
        int height = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        int limit = int.Parse(Environment.GetEnvironmentVariable("DAMAGE_BENCH_RAW_FRAMES") ?? "60", System.Globalization.CultureInfo.InvariantCulture);
        using FileStream file = File.OpenRead(path);
        for (int i = 0; i < limit; i++)
        {
            Framebuffer frame = Framebuffer.Allocate(width, height);
            if (file.ReadAtLeast(frame.Span, frame.Span.Length, throwOnEndOfStream: false) < frame.Span.Length)
            {
                frame.Dispose();
                break;
            }

            _frames.Add(frame);
        }
    }
}
