using System.Diagnostics;
using System.Globalization;
using Codecs.Trace;
using Spectre.Console;

namespace Server.Cli;

/// <summary>
/// Records an X display with ffmpeg's x11grab. Capture goes first to a lossless FFV1 file so that a busy machine
/// never makes the grabber wait on our compression (which would skew the frame timing); the capture is then imported.
/// </summary>
internal static class TraceRecord
{
    public static ImportResult Run(
        string display,
        double seconds,
        TraceFrameRate frameRate,
        bool drawPointer,
        TraceWriterOptions writerOptions,
        TraceAnnotations annotations,
        string outputPath,
        string? keepCapturePath,
        IAnsiConsole console)
    {
        string capturePath = keepCapturePath ?? Path.Combine(Path.GetTempPath(), $"trace-record-{Environment.ProcessId}-{Guid.NewGuid():N}.mkv");
        try
        {
            Capture(display, seconds, frameRate, drawPointer, capturePath, console);
            FrameSize size = ProbeSize(capturePath);
            using Process decoder = ExternalTool.Start(
                "ffmpeg",
                ["-v", "error", "-nostdin", "-i", capturePath, "-f", "rawvideo", "-pix_fmt", "bgr0", "-"],
                redirectOutput: true);
            ImportResult result = TraceImport.Run(
                decoder.StandardOutput.BaseStream,
                sourceLength: null,
                size,
                frameRate,
                writerOptions,
                annotations,
                outputPath,
                $"Server trace record ({display}, x11grab)",
                console);
            decoder.WaitForExit();
            if (decoder.ExitCode != 0)
            {
                throw new UsageException($"ffmpeg could not decode the capture {capturePath} (exit code {decoder.ExitCode}).");
            }

            return result;
        }
        finally
        {
            if (keepCapturePath is null)
            {
                File.Delete(capturePath);
            }
        }
    }

    private static void Capture(string display, double seconds, TraceFrameRate frameRate, bool drawPointer, string capturePath, IAnsiConsole console)
    {
        string rate = $"{frameRate.Numerator}/{frameRate.Denominator}";
        using Process grabber = ExternalTool.Start(
            "ffmpeg",
            [
                "-v", "error", "-nostdin", "-y",
                "-f", "x11grab", "-draw_mouse", drawPointer ? "1" : "0", "-framerate", rate, "-i", display,
                "-t", seconds.ToString(CultureInfo.InvariantCulture),
                "-c:v", "ffv1", "-pix_fmt", "bgr0", capturePath,
            ]);
        Progress.Run(console, $"record {display}", (long)Math.Ceiling(seconds * 10), task =>
        {
            var clock = Stopwatch.StartNew();
            while (!grabber.WaitForExit(100))
            {
                task.Value = Math.Min(task.MaxValue, clock.Elapsed.TotalSeconds * 10);
            }
        });

        if (grabber.ExitCode != 0)
        {
            throw new UsageException($"ffmpeg x11grab failed on display {display} (exit code {grabber.ExitCode}); is the X server running and DISPLAY reachable?");
        }
    }

    private static FrameSize ProbeSize(string capturePath)
    {
        using Process probe = ExternalTool.Start(
            "ffprobe",
            ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0:s=x", capturePath],
            redirectOutput: true);
        string text = probe.StandardOutput.ReadToEnd().Trim();
        probe.WaitForExit();
        return probe.ExitCode == 0 && FrameSize.TryParse(text, out FrameSize size)
            ? size
            : throw new UsageException($"ffprobe could not read the size of the capture {capturePath} ('{text}').");
    }
}
