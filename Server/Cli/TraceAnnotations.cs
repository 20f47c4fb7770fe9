using System.Globalization;
using Codecs.Pixels;
using Codecs.Trace;

namespace Server.Cli;

/// <summary>
/// Ground truth the recorder knows, attached to frames at import: <c>--annotate video:X,Y,W,H</c> (every frame) and
/// <c>--annotate-file F</c> with lines <c>FRAME KIND X,Y,W,H [DX,DY]</c> (KIND video, move or scroll; FRAME 0-based;
/// for move and scroll the rectangle is the source area in the previous frame). '#' starts a comment.
/// </summary>
internal sealed class TraceAnnotations
{
    private readonly List<TraceAnnotation> _everyFrame = [];
    private readonly Dictionary<long, List<TraceAnnotation>> _byFrame = [];

    public int Count => _everyFrame.Count + _byFrame.Values.Sum(list => list.Count);

    public static TraceAnnotations Parse(IEnumerable<string> everyFrame, string? file)
    {
        var annotations = new TraceAnnotations();
        foreach (string spec in everyFrame)
        {
            int colon = spec.IndexOf(':', StringComparison.Ordinal);
            string kind = colon < 0 ? "" : spec[..colon];
            if (kind != "video")
            {
                throw new UsageException($"'--annotate {spec}': only video:X,Y,W,H applies to every frame; give moves and scrolls per frame with --annotate-file.");
            }

            annotations._everyFrame.Add(TraceAnnotation.Video(CliValues.ParseRect(spec[(colon + 1)..])));
        }

        if (file is not null)
        {
            int lineNumber = 0;
            foreach (string rawLine in File.ReadLines(file))
            {
                lineNumber++;
                string line = rawLine.Split('#')[0].Trim();
                if (line.Length == 0)
                {
                    continue;
                }

                try
                {
                    (long frame, TraceAnnotation annotation) = ParseLine(line);
                    if (!annotations._byFrame.TryGetValue(frame, out List<TraceAnnotation>? list))
                    {
                        list = [];
                        annotations._byFrame.Add(frame, list);
                    }

                    list.Add(annotation);
                }
                catch (UsageException ex)
                {
                    throw new UsageException($"{file}:{lineNumber}: {ex.Message}");
                }
            }
        }

        return annotations;
    }

    /// <summary>Stages the annotations of frame <paramref name="frameIndex"/> on the writer.</summary>
    public void StageFor(long frameIndex, TraceWriter writer)
    {
        foreach (TraceAnnotation annotation in _everyFrame)
        {
            writer.AddAnnotation(annotation);
        }

        if (_byFrame.TryGetValue(frameIndex, out List<TraceAnnotation>? list))
        {
            foreach (TraceAnnotation annotation in list)
            {
                writer.AddAnnotation(annotation);
            }
        }
    }

    private static (long Frame, TraceAnnotation Annotation) ParseLine(string line)
    {
        string[] fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length is < 3 or > 4 || !long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out long frame))
        {
            throw new UsageException($"'{line}' is not 'FRAME KIND X,Y,W,H [DX,DY]'.");
        }

        Rect area = CliValues.ParseRect(fields[2]);
        int[] offset = fields.Length == 4 ? CliValues.ParseInts(fields[3], 2, "DX,DY") : [0, 0];
        TraceAnnotation annotation = fields[1] switch
        {
            "video" when fields.Length == 3 => TraceAnnotation.Video(area),
            "move" when fields.Length == 4 => TraceAnnotation.Move(area, offset[0], offset[1]),
            "scroll" when fields.Length == 4 => TraceAnnotation.Scroll(area, offset[0], offset[1]),
            _ => throw new UsageException($"'{line}': KIND is video (no offset), move or scroll (with DX,DY)."),
        };
        return (frame, annotation);
    }
}
