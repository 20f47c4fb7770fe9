using Codecs.Pixels;
using Codecs.Trace;
using Xunit;

namespace Codecs.Tests.Trace;

/// <summary>
/// The seed inputs of the <c>TraceReader</c> fuzz target in <c>corpus/fuzz/TraceReader/</c>: this test replays every file
/// there (only <see cref="CodecDataException"/> may escape, valid seeds must read to the end), and rewrites the
/// generated seeds when the environment variable <c>FBT_WRITE_SEEDS=1</c> is set:
/// <c>FBT_WRITE_SEEDS=1 dotnet test Codecs/tests/Codecs.Tests.csproj -c Release --filter TraceFuzzSeedTests</c>.
/// </summary>
public sealed class TraceFuzzSeedTests
{
    [Fact]
    public void Seeds_ReplayWithOnlyCodecDataException()
    {
        string directory = SeedDirectory();
        if (Environment.GetEnvironmentVariable("FBT_WRITE_SEEDS") == "1")
        {
            Directory.CreateDirectory(directory);
            foreach ((string name, byte[] bytes) in GenerateSeeds())
            {
                File.WriteAllBytes(Path.Combine(directory, name), bytes);
            }
        }

        string[] files = Directory.GetFiles(directory).Order(StringComparer.Ordinal).ToArray();
        Assert.True(files.Length >= 5, $"{files.Length} seeds in {directory}");
        foreach (string file in files)
        {
            byte[] input = File.ReadAllBytes(file);
            Assert.True(input.Length <= 8 * 1024, $"{file} is {input.Length} bytes; seeds stay small");
            bool valid = Path.GetFileName(file).StartsWith("valid-", StringComparison.Ordinal);
            foreach (TraceReaderOptions options in new[] { new TraceReaderOptions(), new TraceReaderOptions { VerifyChecksums = false } })
            {
                if (valid)
                {
                    Assert.True(TraceTestData.ReadAll(input, options) > 0, file);
                }
                else
                {
                    Assert.Throws<CodecDataException>(() => TraceTestData.ReadAll(input, options));
                }
            }
        }
    }

    private static IEnumerable<(string Name, byte[] Bytes)> GenerateSeeds()
    {
        yield return ("valid-zlib.fbt", TraceTestData.SmallTrace(TraceCodec.Zlib, seed: 1, frames: 5, width: 40, height: 24));
        yield return ("valid-lz4.fbt", TraceTestData.SmallTrace(TraceCodec.Lz4, seed: 2, frames: 5, width: 40, height: 24));
        yield return ("valid-raw.fbt", TraceTestData.SmallTrace(TraceCodec.Raw, seed: 3, frames: 3, width: 20, height: 20));
        yield return ("valid-explicit-rects.fbt", ExplicitRects());
        yield return ("valid-unknown-records.fbt", new TraceTestData.Builder()
            .Preamble(minor: 3)
            .Header(4, 4, 30000, 1001, "seed", extension: [1, 2])
            .Record((byte)'x', [7, 7])
            .Frame(0, 3)
            .Record((byte)'y', [])
            .Rect(1, 1, 2, 2, TraceCodec.Raw, Enumerable.Range(0, 16).Select(i => (byte)i).ToArray())
            .Record((byte)'P', [255, 255, 255, 255, 3, 0, 0, 0, 1])
            .End(1, 0)
            .ToArray());
        byte[] zlib = TraceTestData.SmallTrace(TraceCodec.Zlib, seed: 4, frames: 3, width: 20, height: 20);
        yield return ("truncated-zlib.fbt", zlib[..(zlib.Length * 2 / 3)]);
        byte[] flipped = (byte[])zlib.Clone();
        flipped[flipped.Length / 2] ^= 0x10;
        yield return ("bitflip-zlib.fbt", flipped);
    }

    private static byte[] ExplicitRects()
    {
        using var output = new MemoryStream();
        using var frame = Framebuffer.Allocate(33, 17);
        var random = new Random(9);
        using (var writer = new TraceWriter(output, new TraceHeader(33, 17), new TraceWriterOptions { Codec = TraceCodec.Lz4 }, leaveOpen: true))
        {
            for (int i = 0; i < 4; i++)
            {
                TraceTestData.Scribble(frame, random);
                writer.AddAnnotation(TraceAnnotation.Scroll(new Rect(0, 0, 33, 17), 0, 2));
                writer.WriteFrame(i * 40_000, frame.ReadOnlyView, [new Rect(0, 0, 33, 1), new Rect(32, 0, 1, 17), new Rect(5, 5, 10, 10), new Rect(6, 6, 1, 1)]);
            }
        }

        return output.ToArray();
    }

    private static string SeedDirectory()
    {
        for (string? dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(Path.Combine(dir, "Codecs.sln")))
            {
                return Path.Combine(dir, "corpus", "fuzz", "TraceReader");
            }
        }

        throw new DirectoryNotFoundException("Codecs.sln not found above " + AppContext.BaseDirectory);
    }
}
