using Codecs.Pixels;
using Codecs.Trace;
using Spectre.Console;

namespace Server.Cli;

/// <summary>Turns a stream of raw <c>bgr0</c> frames (ffmpeg's <c>-f rawvideo -pix_fmt bgr0</c>) into a trace.</summary>
internal static class TraceImport
{
    public static ImportResult Run(
        Stream source,
        long? sourceLength,
        FrameSize size,
        TraceFrameRate frameRate,
        TraceWriterOptions writerOptions,
        TraceAnnotations annotations,
        string outputPath,
        string tool,
        IAnsiConsole console)
    {
        int frameBytes = checked(size.Width * size.Height * 4);
        long? totalFrames = sourceLength / frameBytes;
        string partialPath = outputPath + ".partial";
        long frames = 0;
        TraceStatistics statistics;
        long outputBytes;

        using (var output = new FileStream(partialPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        using (Framebuffer frame = Framebuffer.Allocate(size.Width, size.Height))
        using (var writer = new TraceWriter(output, new TraceHeader(size.Width, size.Height) { FrameRate = frameRate, Tool = tool }, writerOptions, leaveOpen: true))
        {
            Progress.Run(console, "import", totalFrames, task =>
            {
                while (true)
                {
                    int read = source.ReadAtLeast(frame.Span, frameBytes, throwOnEndOfStream: false);
                    if (read == 0)
                    {
                        break;
                    }

                    if (read < frameBytes)
                    {
                        throw new UsageException($"the input ended inside frame {frames} ({read} of {frameBytes} bytes); is the size {size} right?");
                    }

                    annotations.StageFor(frames, writer);
                    writer.WriteFrame(frameRate.TimestampOf(frames), frame.ReadOnlyView);
                    frames++;
                    task.Increment(1);
                    task.Description = $"import: {frames} frames, {writer.BytesWritten / 1e6:F1} MB";
                }
            });

            writer.Complete();
            statistics = writer.Statistics;
            outputBytes = writer.BytesWritten;
        }

        File.Move(partialPath, outputPath, overwrite: true);
        return new ImportResult(frames, outputBytes, statistics.ChangedPixels, (long)frames * size.Width * size.Height);
    }

    public static void Report(IAnsiConsole console, string outputPath, ImportResult result)
    {
        double rawMegabytes = result.TotalPixels * 4 / 1e6;
        console.MarkupLineInterpolated(
            $"[green]{outputPath}[/]: {result.Frames} frames, {result.OutputBytes / 1e6:F2} MB ({rawMegabytes:F0} MB of raw frames, {Percent(result.ChangedPixels, result.TotalPixels)} of pixels changed)");
    }

    private static string Percent(long part, long whole) => whole == 0 ? "0%" : $"{100.0 * part / whole:F2}%";
}

internal readonly record struct ImportResult(long Frames, long OutputBytes, long ChangedPixels, long TotalPixels);
