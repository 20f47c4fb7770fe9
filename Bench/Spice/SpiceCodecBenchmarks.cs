using System.Collections.Concurrent;
using Bench.Reporting;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Codecs.Lz4;
using Codecs.Spice.Glz;
using Codecs.Spice.Lz;
using Codecs.Spice.Lz4Image;
using Codecs.Spice.Quic;
using Codecs.Trace;

namespace Bench.Spice;

/// <summary>
/// SPICE image codecs on the changed 64×64 tiles of the corpus traces (the first tiles of the changed rectangles of
/// frames 1…, up to <see cref="SpiceTiles.MaxTiles"/> per trace), with liblz4 <c>LZ4_compress_default</c> as the
/// yardstick in the same run. Each operation codes every tile once. Extra columns: MB/s of 32-bit input, the
/// compression ratio (raw bytes / encoded bytes) and the speed relative to liblz4 on the same trace:
/// <c>dotnet run -c Release --project Bench -- --filter '*SpiceCodecBenchmarks*'</c>.
/// </summary>
[Config(typeof(SpiceBenchmarkConfig))]
public class SpiceCodecBenchmarks : IDisposable
{
    private readonly QuicEncoder _quic = new();
    private readonly QuicDecoder _quicDecoder = new();
    private readonly LzEncoder _lz = new();
    private readonly Lz4ImageEncoder _lz4Image = new();
    private byte[][] _tiles = [];
    private byte[][] _quicEncoded = [];
    private byte[][] _lzEncoded = [];
    private byte[] _scratch = [];
    private byte[] _decoded = [];
    private GlzEncoder _glz = new(new GlzEncoderWindow(1 << 22));

    [Params("terminal-scroll", "browser-scroll", "photo-viewer", "video-window", "window-drag", "gl-anim")]
    public string Trace { get; set; } = "terminal-scroll";

    [GlobalSetup]
    public void Setup()
    {
        _tiles = SpiceTiles.Load(Trace);
        _scratch = new byte[QuicEncoder.GetMaxEncodedLength(QuicImageType.Rgba, 64, 64) * 2];
        _decoded = new byte[64 * 64 * 4];
        _quicEncoded = [.. _tiles.Select(t => SpiceTiles.EncodeQuic(_quic, t))];
        _lzEncoded = [.. _tiles.Select(t => SpiceTiles.EncodeLz(_lz, t))];
        _glz = new GlzEncoder(new GlzEncoderWindow(1 << 22));
    }

    [Benchmark(Baseline = true)]
    public long Lz4Encode()
    {
        long total = 0;
        foreach (byte[] tile in _tiles)
        {
            Lz4Codec.TryEncode(tile, _scratch, out int written);
            total += written;
        }

        return total;
    }

    [Benchmark]
    public long QuicEncode()
    {
        long total = 0;
        foreach (byte[] tile in _tiles)
        {
            _quic.TryEncode(QuicImageType.Rgb32, tile, 64, 64, 256, _scratch, out int written);
            total += written;
        }

        return total;
    }

    [Benchmark]
    public long QuicDecode()
    {
        long total = 0;
        foreach (byte[] encoded in _quicEncoded)
        {
            total += _quicDecoder.Decode(encoded, _decoded, 256).Width;
        }

        return total;
    }

    [Benchmark]
    public long LzEncode()
    {
        long total = 0;
        foreach (byte[] tile in _tiles)
        {
            _lz.TryEncode(LzImageType.Rgb32, tile, 64, 64, 256, true, _scratch, out int written);
            total += written;
        }

        return total;
    }

    [Benchmark]
    public long LzDecode()
    {
        long total = 0;
        foreach (byte[] encoded in _lzEncoded)
        {
            total += LzDecoder.Decode(encoded, _decoded).Width;
        }

        return total;
    }

    [Benchmark]
    public long Lz4ImageEncode()
    {
        long total = 0;
        foreach (byte[] tile in _tiles)
        {
            _lz4Image.TryEncode(SpiceBitmapFormat.Rgb32, tile, 64, 64, 256, true, _scratch, out int written);
            total += written;
        }

        return total;
    }

    /// <summary>GLZ as a session: the window keeps the recent tiles (steady state across operations).</summary>
    [Benchmark]
    public long GlzEncode()
    {
        long total = 0;
        foreach (byte[] tile in _tiles)
        {
            _glz.TryEncode(LzImageType.Rgb32, tile, 64, 64, 256, true, _scratch, out int written, out _);
            total += written;
        }

        return total;
    }

    public void Dispose()
    {
        _lz4Image.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>Tiles of a corpus trace and the encoded sizes the ratio column reports (computed in the host process).</summary>
public static class SpiceTiles
{
    public const int MaxTiles = 400;

    private static readonly ConcurrentDictionary<string, byte[][]> s_tiles = new();
    private static readonly ConcurrentDictionary<(string, string), long> s_encodedBytes = new();

    public static byte[][] Load(string trace) => s_tiles.GetOrAdd(trace, LoadTiles);

    public static long RawBytes(string trace) => Load(trace).Length * 64L * 64 * 4;

    /// <summary>Total encoded bytes of the method's codec over the trace's tiles; 0 for decoders.</summary>
    public static long EncodedBytes(string method, string trace) => s_encodedBytes.GetOrAdd((method, trace), key =>
    {
        byte[][] tiles = Load(key.Item2);
        var scratch = new byte[QuicEncoder.GetMaxEncodedLength(QuicImageType.Rgba, 64, 64) * 2];
        long total = 0;
        switch (key.Item1)
        {
            case "Lz4Encode":
                foreach (byte[] t in tiles)
                {
                    Lz4Codec.TryEncode(t, scratch, out int w);
                    total += w;
                }

                break;
            case "QuicEncode" or "QuicDecode":
                var quic = new QuicEncoder();
                total = tiles.Sum(t => (long)EncodeQuic(quic, t).Length);
                break;
            case "LzEncode" or "LzDecode":
                var lz = new LzEncoder();
                total = tiles.Sum(t => (long)EncodeLz(lz, t).Length);
                break;
            case "Lz4ImageEncode":
                using (var lz4 = new Lz4ImageEncoder())
                {
                    foreach (byte[] t in tiles)
                    {
                        lz4.TryEncode(SpiceBitmapFormat.Rgb32, t, 64, 64, 256, true, scratch, out int w);
                        total += w;
                    }
                }

                break;
            case "GlzEncode":
                // One pass in trace order through a fresh window: the ratio a client session would see. (The timed
                // benchmark replays the tiles, so from its second operation on it also finds the previous replay.)
                var glz = new GlzEncoder(new GlzEncoderWindow(1 << 22));
                foreach (byte[] t in tiles)
                {
                    glz.TryEncode(LzImageType.Rgb32, t, 64, 64, 256, true, scratch, out int w, out _);
                    total += w;
                }

                break;
        }

        return total;
    });

    public static byte[] EncodeQuic(QuicEncoder encoder, byte[] tile)
    {
        var dst = new byte[QuicEncoder.GetMaxEncodedLength(QuicImageType.Rgb32, 64, 64)];
        encoder.TryEncode(QuicImageType.Rgb32, tile, 64, 64, 256, dst, out int written);
        return dst[..written];
    }

    public static byte[] EncodeLz(LzEncoder encoder, byte[] tile)
    {
        var dst = new byte[LzEncoder.GetMaxEncodedLength(LzImageType.Rgb32, 64, 64)];
        encoder.TryEncode(LzImageType.Rgb32, tile, 64, 64, 256, true, dst, out int written);
        return dst[..written];
    }

    private static byte[][] LoadTiles(string trace)
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "Codecs.sln")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        string path = Path.Combine(dir ?? throw new DirectoryNotFoundException("Codecs.sln not found"), "corpus", trace + ".fbt");
        var tiles = new List<byte[]>();
        using FileStream stream = File.OpenRead(path);
        using var reader = new TraceReader(stream);
        reader.ReadFrame();
        while (tiles.Count < MaxTiles && reader.ReadFrame())
        {
            var fb = reader.Framebuffer;
            foreach (TraceRect rect in reader.Frame.Rects)
            {
                for (int y = rect.Area.Y; y + 64 <= rect.Area.Bottom && tiles.Count < MaxTiles; y += 64)
                {
                    for (int x = rect.Area.X; x + 64 <= rect.Area.Right && tiles.Count < MaxTiles; x += 64)
                    {
                        var tile = new byte[64 * 64 * 4];
                        for (int row = 0; row < 64; row++)
                        {
                            fb.Row(y + row).Slice(x * 4, 256).CopyTo(tile.AsSpan(row * 256));
                        }

                        tiles.Add(tile);
                    }
                }
            }
        }

        return [.. tiles];
    }
}

public sealed class SpiceBenchmarkConfig : ManualConfig
{
    public SpiceBenchmarkConfig()
    {
        // Short: 2 cores, 42 cases.
        AddJob(Job.Default.WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(5));
        AddColumn(SpiceColumn("MB/s", "MB of 32-bit tile pixels coded per second"));
        AddColumn(SpiceColumn("Ratio", "Raw tile bytes / encoded bytes"));
        AddColumn(SpiceColumn("Speed/lz4", "Throughput relative to liblz4 LZ4_compress_default on the same trace"));
    }

    /// <summary>Throughput, compression ratio and speed relative to liblz4 on the same trace.</summary>
    private static ComputedColumn SpiceColumn(string name, string legend) =>
        new("Spice." + name, name, legend, (summary, benchmarkCase) => SpiceValue(name, summary, benchmarkCase));

    private static string SpiceValue(string name, Summary summary, BenchmarkCase benchmarkCase)
    {
        string trace = (string)benchmarkCase.Parameters["Trace"];
        string method = benchmarkCase.Descriptor.WorkloadMethod.Name;
        double? mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
        switch (name)
        {
            case "Ratio":
                long encoded = SpiceTiles.EncodedBytes(method, trace);
                return encoded == 0 ? "-" : ((double)SpiceTiles.RawBytes(trace) / encoded).ToString("F2");
            case "MB/s":
                return mean is double ns ? (SpiceTiles.RawBytes(trace) / (ns / 1e9) / 1e6).ToString("F0") : "?";
            default:
                BenchmarkCase? lz4 = summary.BenchmarksCases.FirstOrDefault(c =>
                    c.Descriptor.WorkloadMethod.Name == "Lz4Encode" && (string)c.Parameters["Trace"] == trace);
                double? lz4Mean = lz4 is null ? null : summary[lz4]?.ResultStatistics?.Mean;
                return mean is double m && lz4Mean is double l ? (l / m).ToString("F2") : "?";
        }
    }
}

