using Codecs.Trace;
using Spectre.Console;

namespace Server.Cli;

/// <summary>Writes a trace's frames as raw <c>bgr0</c> frames, for ffmpeg to turn into a video or images.</summary>
internal static class TraceExport
{
    /// <summary>
    /// Writes output frames <c>first..last</c> (inclusive) to <c>destination</c>: a constant-rate replay at the nominal
    /// frame rate, or with <c>everyRecordedFrame</c> one output frame per recorded frame. Returns the frames written.
    /// </summary>
    public static long Run(string inputPath, Stream destination, long first, long last, bool everyRecordedFrame, IAnsiConsole console)
    {
        using FileStream input = File.OpenRead(inputPath);
        using var reader = new TraceReader(input);
        TraceHeader header = reader.Header;
        int width = reader.Width;
        int height = reader.Height;
        console.MarkupLineInterpolated(
            $"[grey]{inputPath}: {width}x{height} bgr0 at {header.FrameRate}; e.g. ffmpeg -f rawvideo -pix_fmt bgr0 -video_size {width}x{height} -framerate {header.FrameRate.Numerator}/{header.FrameRate.Denominator} -i - out.mkv[/]");

        long written = 0;
        long? total = last == long.MaxValue ? null : last - first + 1;
        Progress.Run(console, "export", total, task =>
        {
            for (long index = 0; index <= last; index++)
            {
                bool more = everyRecordedFrame ? reader.ReadFrame() : reader.AdvanceToOutputFrame(index);
                if (!more)
                {
                    break;
                }

                if (index < first)
                {
                    continue;
                }

                if (reader.Width != width || reader.Height != height)
                {
                    throw new UsageException(
                        $"the mode changes to {reader.Width}x{reader.Height} at output frame {index}; raw video has one size, so export the frames before and after it separately (--frames).");
                }

                destination.Write(reader.Framebuffer.Span);
                written++;
                task.Increment(1);
                task.Description = $"export: {written} frames";
            }
        });

        destination.Flush();
        return written;
    }

    /// <summary>"N" or "FIRST-LAST" (inclusive, 0-based); null means all.</summary>
    public static (long First, long Last) ParseRange(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return (0, long.MaxValue);
        }

        string[] parts = text.Split('-');
        if (parts.Length is 1 or 2
            && long.TryParse(parts[0], out long first) && first >= 0
            && (parts.Length == 1 || parts[1].Length == 0 || long.TryParse(parts[1], out _)))
        {
            long last = parts.Length == 1 ? first : parts[1].Length == 0 ? long.MaxValue : long.Parse(parts[1]);
            if (last >= first)
            {
                return (first, last);
            }
        }

        throw new UsageException($"'{text}' is not a frame range like 10, 10-20 or 10-.");
    }
}
