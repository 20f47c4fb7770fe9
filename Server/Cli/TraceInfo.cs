using Codecs.Trace;
using Spectre.Console;

namespace Server.Cli;

/// <summary>Reads a whole trace (checking every record) and summarises it.</summary>
internal static class TraceInfo
{
    public static void Run(string inputPath, bool perFrame, IAnsiConsole console)
    {
        long fileBytes = new FileInfo(inputPath).Length;
        using FileStream input = File.OpenRead(inputPath);
        using var reader = new TraceReader(input, new TraceReaderOptions { DecodePixels = false });
        TraceHeader header = reader.Header;

        var changedFractions = new List<double>();
        var annotationKinds = new Dictionary<TraceAnnotationKind, long>();
        long unchangedFrames = 0;
        Table? frames = perFrame ? new Table().AddColumns("frame", "time (ms)", "rects", "changed px", "changed", "bytes", "notes") : null;

        while (reader.ReadFrame())
        {
            TraceFrame frame = reader.Frame;
            double fraction = (double)frame.ChangedPixels / ((long)frame.Width * frame.Height);
            changedFractions.Add(Math.Min(1, fraction));
            if (frame.ChangedPixels == 0)
            {
                unchangedFrames++;
            }

            foreach (TraceAnnotation annotation in frame.Annotations)
            {
                annotationKinds[annotation.Kind] = annotationKinds.GetValueOrDefault(annotation.Kind) + 1;
            }

            frames?.AddRow(
                frame.Index.ToString(),
                (frame.TimestampMicroseconds / 1000.0).ToString("F1"),
                frame.Rects.Count.ToString(),
                frame.ChangedPixels.ToString(),
                $"{100 * fraction:F2}%",
                frame.EncodedBytes.ToString(),
                Markup.Escape(Notes(frame)));
        }

        TraceStatistics statistics = reader.Statistics;
        long frameCount = statistics.Frames;
        double durationSeconds = frameCount == 0 ? 0
            : (statistics.LastTimestampMicroseconds - statistics.FirstTimestampMicroseconds) / 1e6 + 1 / header.FrameRate.FramesPerSecond;
        long rawBytes = Enum.GetValues<TraceCodec>().Sum(statistics.RawBytesByCodec);
        long encodedBytes = Enum.GetValues<TraceCodec>().Sum(statistics.EncodedBytesByCodec);
        changedFractions.Sort();

        var summary = new Table().HideHeaders().AddColumns("", "");
        summary.AddRow("file", Markup.Escape($"{inputPath} ({fileBytes / 1e6:F2} MB, format 1.{reader.FormatMinorVersion})"));
        summary.AddRow("recorded by", Markup.Escape(header.Tool.Length == 0 ? "-" : header.Tool));
        summary.AddRow("mode", Markup.Escape($"{header.Width}x{header.Height} {header.PixelFormat}"));
        summary.AddRow("frame rate", header.FrameRate.ToString());
        summary.AddRow("frames", $"{frameCount} ({unchangedFrames} unchanged)");
        summary.AddRow("duration", $"{durationSeconds:F2} s");
        summary.AddRow("rectangles", $"{statistics.Rects} ({(frameCount == 0 ? 0 : (double)statistics.Rects / frameCount):F1} per frame)");
        summary.AddRow("changed pixels", $"{statistics.ChangedPixels} in all; per frame mean {100 * Mean(changedFractions):F2}%, median {100 * Quantile(changedFractions, 0.5):F2}%, p95 {100 * Quantile(changedFractions, 0.95):F2}%, max {100 * Quantile(changedFractions, 1):F2}%");
        summary.AddRow("pixel data", $"{rawBytes / 1e6:F1} MB raw -> {encodedBytes / 1e6:F2} MB ({(encodedBytes == 0 ? 0 : (double)rawBytes / encodedBytes):F1}:1)");
        foreach (TraceCodec codec in Enum.GetValues<TraceCodec>())
        {
            if (statistics.RectsByCodec(codec) > 0)
            {
                summary.AddRow($"  {codec}", $"{statistics.RectsByCodec(codec)} rects, {statistics.RawBytesByCodec(codec) / 1e6:F1} MB -> {statistics.EncodedBytesByCodec(codec) / 1e6:F2} MB");
            }
        }

        summary.AddRow("mode changes", statistics.ModeChanges.ToString());
        summary.AddRow("cursor", $"{statistics.CursorPositions} positions, {statistics.CursorShapes} shapes");
        summary.AddRow("annotations", annotationKinds.Count == 0 ? "none" : string.Join(", ", annotationKinds.OrderBy(p => p.Key).Select(p => $"{p.Value} {p.Key.ToString().ToLowerInvariant()}")));
        if (statistics.SkippedRecords > 0)
        {
            summary.AddRow("skipped records", $"{statistics.SkippedRecords} (unknown types from a newer writer)");
        }

        if (frames is not null)
        {
            console.Write(frames);
        }

        console.Write(summary);
    }

    private static string Notes(TraceFrame frame)
    {
        var notes = new List<string>();
        if (frame.ModeChanged)
        {
            notes.Add($"mode {frame.Width}x{frame.Height}");
        }

        if (frame.CursorShapeChanged)
        {
            notes.Add("cursor shape");
        }

        notes.AddRange(frame.Annotations.Select(a => a.Dx == 0 && a.Dy == 0
            ? $"{a.Kind.ToString().ToLowerInvariant()} {a.Area}"
            : $"{a.Kind.ToString().ToLowerInvariant()} {a.Area} by {a.Dx},{a.Dy}"));
        return string.Join("; ", notes);
    }

    private static double Mean(List<double> values) => values.Count == 0 ? 0 : values.Average();

    private static double Quantile(List<double> sorted, double q) =>
        sorted.Count == 0 ? 0 : sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(q * sorted.Count) - 1 < 0 ? 0 : Math.Ceiling(q * sorted.Count) - 1)];
}
