using System.IO.Compression;
using BenchmarkDotNet.Attributes;
using Codecs.Deflate;
using Codecs.Pixels;
using Codecs.Rfb;

namespace Bench.Rfb;

/// <summary>How the gradient residuals are compressed: <see cref="RunHuffmanDeflater"/> or zlib-ng.</summary>
public enum GradientCoder
{
    /// <summary>Literals and runs one pixel (3 bytes) back, Huffman-coded per block (what Tight uses at levels 1–3).</summary>
    RunHuffmanPixel,

    /// <summary>The same with runs one byte back (zlib's Z_RLE distance).</summary>
    RunHuffmanByte,

    ZlibLevel1,
    ZlibLevel2,
    ZlibLevel6,
    ZlibHuffmanOnly,
    ZlibRle,
}

/// <summary>
/// Compresses the Tight gradient residuals of the corpus photo and video rectangles (each changed rectangle of
/// <see cref="RfbCodecBenchmarks"/>' workload as 888 TPIXEL bytes through <see cref="TightGradient"/>, with a sync flush
/// each, as one connection's stream) with each coder:
/// <c>dotnet run -c Release --project Bench -- --filter '*GradientCoderBenchmarks*'</c>.
/// </summary>
[Config(typeof(GradientCoderBenchmarkConfig))]
public class GradientCoderBenchmarks
{
    private static readonly Dictionary<string, List<byte[]>> s_residuals = [];
    private static readonly Dictionary<(string, GradientCoder), long> s_sizes = [];
    private List<byte[]> _chunks = [];

    [Params("photo-viewer", "video-window")]
    public string Trace { get; set; } = "";

    [Params(GradientCoder.RunHuffmanPixel, GradientCoder.RunHuffmanByte, GradientCoder.ZlibLevel1, GradientCoder.ZlibLevel2, GradientCoder.ZlibLevel6, GradientCoder.ZlibHuffmanOnly, GradientCoder.ZlibRle)]
    public GradientCoder Coder { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _chunks = Residuals(Trace);
        lock (s_sizes)
        {
            s_sizes[(Trace, Coder)] = Compress();
        }
    }

    [Benchmark]
    public long Compress() => Compress(_chunks, Coder);

    public static long Size(string trace, GradientCoder coder)
    {
        lock (s_sizes)
        {
            return s_sizes.TryGetValue((trace, coder), out long size) ? size : -1;
        }
    }

    public static long InputBytes(string trace) => Residuals(trace).Sum(c => (long)c.Length);

    private static long Compress(List<byte[]> chunks, GradientCoder coder)
    {
        if (coder is GradientCoder.RunHuffmanPixel or GradientCoder.RunHuffmanByte)
        {
            var deflater = new RunHuffmanDeflater(coder == GradientCoder.RunHuffmanPixel ? 3 : 1);
            foreach (byte[] chunk in chunks)
            {
                deflater.Compress(chunk);
            }

            return deflater.BytesOut;
        }

        var options = coder switch
        {
            GradientCoder.ZlibLevel1 => new ZLibCompressionOptions { CompressionLevel = 1 },
            GradientCoder.ZlibLevel2 => new ZLibCompressionOptions { CompressionLevel = 2 },
            GradientCoder.ZlibLevel6 => new ZLibCompressionOptions { CompressionLevel = 6 },
            GradientCoder.ZlibHuffmanOnly => new ZLibCompressionOptions { CompressionLevel = 2, CompressionStrategy = ZLibCompressionStrategy.HuffmanOnly },
            _ => new ZLibCompressionOptions { CompressionLevel = 2, CompressionStrategy = ZLibCompressionStrategy.RunLengthEncoding },
        };
        using var sink = new MemoryStream();
        using (var zlib = new ZLibStream(sink, options, leaveOpen: true))
        {
            foreach (byte[] chunk in chunks)
            {
                zlib.Write(chunk);
                zlib.Flush();
            }
        }

        return sink.Length;
    }

    private static List<byte[]> Residuals(string trace)
    {
        lock (s_residuals)
        {
            if (s_residuals.TryGetValue(trace, out List<byte[]>? cached))
            {
                return cached;
            }

            var chunks = new List<byte[]>();
            foreach ((Framebuffer atlas, Rect[] areas) in RfbCodecBenchmarks.Load(trace).Frames)
            {
                foreach (Rect area in areas)
                {
                    // Tight pieces are at most 65 536 pixels: filter and send each band of rows on its own.
                    int rows = Math.Max(1, 65536 / area.Width);
                    for (int y = 0; y < area.Height; y += rows)
                    {
                        Rect band = new(area.X, area.Y + y, area.Width, Math.Min(rows, area.Height - y));
                        // noVNC's TPIXEL bytes: R, G, B (the atlas is BGRX).
                        byte[] bytes = new byte[band.Area * 3];
                        ReadOnlyImageView view = atlas.ReadOnlyView.Slice(band);
                        for (int row = 0; row < band.Height; row++)
                        {
                            ReadOnlySpan<byte> source = view.Row(row);
                            for (int x = 0; x < band.Width; x++)
                            {
                                int o = (row * band.Width + x) * 3;
                                bytes[o] = source[4 * x + 2];
                                bytes[o + 1] = source[4 * x + 1];
                                bytes[o + 2] = source[4 * x];
                            }
                        }

                        byte[] residuals = new byte[bytes.Length];
                        TightGradient.Filter(bytes, band.Width * 3, band.Height, 3, residuals);
                        chunks.Add(residuals);
                    }
                }
            }

            s_residuals[trace] = chunks;
            return chunks;
        }
    }
}

/// <summary>The RFB job, with the residual bytes and compressed size per coder as columns.</summary>
public sealed class GradientCoderBenchmarkConfig : BenchmarkDotNet.Configs.ManualConfig
{
    public GradientCoderBenchmarkConfig()
    {
        AddJob(new RfbBenchmarkConfig().GetJobs().Single());
        AddColumn(new Reporting.ComputedColumn("Gradient.In", "Residual bytes", "Gradient residual bytes compressed per pass", (_, benchmarkCase) =>
            GradientCoderBenchmarks.InputBytes((string)benchmarkCase.Parameters["Trace"]).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        AddColumn(new Reporting.ComputedColumn("Gradient.Out", "Compressed bytes", "Compressed size of the whole stream", (_, benchmarkCase) =>
            GradientCoderBenchmarks.Size((string)benchmarkCase.Parameters["Trace"], (GradientCoder)benchmarkCase.Parameters["Coder"]).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        AddColumn(new Reporting.ComputedColumn("Gradient.MBps", "MB/s", "Residual megabytes compressed per second, fastest iteration", (summary, benchmarkCase) =>
            summary[benchmarkCase]?.ResultStatistics?.Min is double ns
                ? (GradientCoderBenchmarks.InputBytes((string)benchmarkCase.Parameters["Trace"]) / (ns / 1e9) / 1e6).ToString("F1", System.Globalization.CultureInfo.InvariantCulture)
                : "?"));
    }
}
