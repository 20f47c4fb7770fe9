using Codecs.Trace;

namespace Codecs.Tests.Spice;

/// <summary>Synthetic and corpus test images for the SPICE codecs, as 32-bit B,G,R,X (or B,G,R,A) pixels.</summary>
internal static class SpiceTestImages
{
    private static readonly Lazy<IReadOnlyList<(string Name, byte[] Pixels, int Width, int Height)>> s_corpus = new(LoadCorpus);

    public static readonly string[] Kinds = ["solid", "text", "gradient", "noise", "mixed"];

    /// <summary>A 32-bit image of the given kind; <paramref name="alpha"/> makes the 4th byte vary too.</summary>
    public static byte[] Make(string kind, int width, int height, int seed, bool alpha = false)
    {
        var rng = new Random(seed);
        var img = new byte[width * height * 4];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int o = ((y * width) + x) * 4;
                uint v = kind switch
                {
                    "solid" => 0x00336699u,
                    "text" => ((x / 3) + (y / 7)) % 5 == 0 || rng.Next(13) == 0 ? 0x00101010u : 0x00F0F0E8u,
                    "gradient" => (uint)(((x * 255 / Math.Max(1, width - 1)) << 16) | ((y * 255 / Math.Max(1, height - 1)) << 8) | ((x + y) & 0xFF)),
                    "noise" => (uint)rng.Next(),
                    _ => x < width / 2 ? (uint)((x * 7) ^ (y * 3)) : (uint)(rng.Next(4) * 0x111111),
                };
                img[o] = (byte)v;
                img[o + 1] = (byte)(v >> 8);
                img[o + 2] = (byte)(v >> 16);
                img[o + 3] = alpha ? (byte)(kind == "noise" ? rng.Next(256) : (x * 3) ^ (y / 2)) : (byte)0;
            }
        }

        return img;
    }

    /// <summary>One mid-trace frame of each corpus trace (1920×1080 B,G,R,X).</summary>
    public static IReadOnlyList<(string Name, byte[] Pixels, int Width, int Height)> CorpusFrames => s_corpus.Value;

    /// <summary>Copies a sub-rectangle of a 32-bit image into a tight buffer.</summary>
    public static byte[] Crop(byte[] pixels, int width, int x, int y, int w, int h)
    {
        var tile = new byte[w * h * 4];
        for (int row = 0; row < h; row++)
        {
            pixels.AsSpan((((y + row) * width) + x) * 4, w * 4).CopyTo(tile.AsSpan(row * w * 4));
        }

        return tile;
    }

    public static string CorpusDirectory()
    {
        for (string? dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(Path.Combine(dir, "Codecs.sln")))
            {
                return Path.Combine(dir, "corpus");
            }
        }

        throw new DirectoryNotFoundException("Codecs.sln not found above " + AppContext.BaseDirectory);
    }

    private static List<(string, byte[], int, int)> LoadCorpus()
    {
        var frames = new List<(string, byte[], int, int)>();
        foreach (string path in Directory.GetFiles(CorpusDirectory(), "*.fbt").Order(StringComparer.Ordinal))
        {
            using FileStream stream = File.OpenRead(path);
            using var reader = new TraceReader(stream);
            for (int i = 0; i < 20 && reader.ReadFrame(); i++)
            {
            }

            var fb = reader.Framebuffer;
            var pixels = new byte[fb.Width * fb.Height * 4];
            for (int y = 0; y < fb.Height; y++)
            {
                fb.Row(y)[..(fb.Width * 4)].CopyTo(pixels.AsSpan(y * fb.Width * 4));
            }

            frames.Add((Path.GetFileNameWithoutExtension(path), pixels, fb.Width, fb.Height));
        }

        return frames;
    }
}
