using Codecs.Pixels;
using Codecs.Trace;
using Fuzz.Seeds;

namespace Fuzz.Targets;

/// <summary>
/// Reads the input as a <c>.fbt</c> trace to the end: every frame applied, cursor and annotations touched. Runs twice,
/// with record checksums checked (the normal reader) and unchecked (so mutations reach the parsers behind the
/// checksum). Framebuffers are capped at 2^20 pixels so a mutated mode cannot make each input slow.
/// </summary>
public sealed class TraceReaderFuzzer : IFuzzer
{
    private static readonly TraceReaderOptions[] s_options =
    [
        new() { MaxFramebufferPixels = 1 << 20 },
        new() { MaxFramebufferPixels = 1 << 20, VerifyChecksums = false },
    ];

    public string Name => "TraceReader";

    public void FuzzTarget(ReadOnlySpan<byte> input)
    {
        byte[] bytes = input.ToArray();
        Codecs.CodecDataException? first = null;
        foreach (TraceReaderOptions options in s_options)
        {
            try
            {
                ReadAll(bytes, options);
            }
            catch (Codecs.CodecDataException ex)
            {
                first ??= ex;
            }
        }

        if (first is not null)
        {
            throw first;
        }
    }

    public IEnumerable<byte[]> CreateSeeds()
    {
        foreach (TraceCodec codec in Enum.GetValues<TraceCodec>())
        {
            using var output = new MemoryStream();
            using (var writer = new TraceWriter(output, new TraceHeader(70, 50), new TraceWriterOptions { Codec = codec }, leaveOpen: true))
            {
                long timestamp = 0;
                foreach ((string _, Framebuffer image) in SeedImages.All(70, 50))
                {
                    using (image)
                    {
                        writer.WriteFrame(timestamp, image.ReadOnlyView, [new Rect(0, 0, 70, 50)]);
                        timestamp += 66_667;
                    }
                }

                writer.Complete();
            }

            yield return output.ToArray();
        }
    }

    private static void ReadAll(byte[] bytes, TraceReaderOptions options)
    {
        using var reader = new TraceReader(new MemoryStream(bytes, writable: false), options);
        long sum = 0;
        while (reader.ReadFrame())
        {
            TraceFrame frame = reader.Frame;
            sum += frame.ChangedPixels + frame.Rects.Count + frame.Annotations.Count + reader.Cursor.Pixels.Length;
            if (frame.ChangedPixels > 0)
            {
                sum += reader.Framebuffer.Span[0];
            }
        }

        if (reader.Statistics.Frames != reader.Frame.Index + 1 || sum < 0)
        {
            throw new InvalidOperationException("The reader's frame count disagrees with the frames it returned.");
        }
    }
}
