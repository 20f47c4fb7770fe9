using Codecs.Pixels;

namespace Codecs.Trace;

/// <summary>What an annotation says about a frame; values not listed here may appear in newer traces.</summary>
public enum TraceAnnotationKind : byte
{
    /// <summary><see cref="TraceAnnotation.Area"/> is playing video (ground truth for video detection); dx, dy are 0.</summary>
    Video = 1,

    /// <summary>The pixels that were in <see cref="TraceAnnotation.Area"/> moved by (dx, dy), e.g. a dragged window.</summary>
    Move = 2,

    /// <summary>The content of <see cref="TraceAnnotation.Area"/> scrolled by (dx, dy) inside that area.</summary>
    Scroll = 3,
}

/// <summary>
/// Ground truth a recorder knows about a frame. Annotations describe, they never draw: the frame's rectangles alone
/// define its pixels.
/// </summary>
public readonly record struct TraceAnnotation(TraceAnnotationKind Kind, Rect Area, int Dx = 0, int Dy = 0)
{
    public static TraceAnnotation Video(Rect area) => new(TraceAnnotationKind.Video, area);

    public static TraceAnnotation Move(Rect source, int dx, int dy) => new(TraceAnnotationKind.Move, source, dx, dy);

    public static TraceAnnotation Scroll(Rect region, int dx, int dy) => new(TraceAnnotationKind.Scroll, region, dx, dy);

    /// <summary>Why this annotation is invalid in a <paramref name="width"/>×<paramref name="height"/> mode, or null.</summary>
    internal string? Validate(int width, int height)
    {
        if (Kind is not (TraceAnnotationKind.Video or TraceAnnotationKind.Move or TraceAnnotationKind.Scroll))
        {
            return null;
        }

        if (!Inside(Area, width, height))
        {
            return $"{Kind} annotation area {Area} is empty or not inside {width}x{height}";
        }

        return Kind switch
        {
            TraceAnnotationKind.Video when Dx != 0 || Dy != 0 => "a video annotation has a nonzero dx, dy",
            TraceAnnotationKind.Move when !Inside(new Rect(Area.X + Dx, Area.Y + Dy, Area.Width, Area.Height), width, height)
                => $"move annotation destination of {Area} by ({Dx}, {Dy}) is not inside {width}x{height}",
            TraceAnnotationKind.Scroll when Math.Abs((long)Dx) >= Area.Width || Math.Abs((long)Dy) >= Area.Height
                => $"scroll annotation by ({Dx}, {Dy}) is not smaller than its area {Area}",
            _ => null,
        };
    }

    private static bool Inside(Rect area, int width, int height) =>
        area.Width > 0 && area.Height > 0 && area.X >= 0 && area.Y >= 0
        && (long)area.X + area.Width <= width && (long)area.Y + area.Height <= height;
}
