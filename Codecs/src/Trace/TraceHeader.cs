using Codecs.Pixels;

namespace Codecs.Trace;

/// <summary>The trace's HEADER record: initial display mode, pixel format, nominal frame rate and the writing tool.</summary>
public sealed record TraceHeader
{
    public TraceHeader(int width, int height)
    {
        Width = width;
        Height = height;
    }

    /// <summary>Width of the initial display mode (1 to <see cref="TraceFormat.MaxDimension"/>).</summary>
    public int Width { get; init; }

    /// <summary>Height of the initial display mode (1 to <see cref="TraceFormat.MaxDimension"/>).</summary>
    public int Height { get; init; }

    /// <summary>Pixel layout of every rectangle; this library writes the canonical <see cref="PixelFormat.Bgrx32"/>.</summary>
    public PixelFormat PixelFormat { get; init; } = PixelFormat.Bgrx32;

    /// <summary>The rate the frames were captured or are meant to be replayed at.</summary>
    public TraceFrameRate FrameRate { get; init; } = new(30);

    /// <summary>Free text naming the program that wrote the trace (at most 255 UTF-8 bytes), e.g. "fbt-import 1.0".</summary>
    public string Tool { get; init; } = "";

    /// <summary>Reserved flag bits; none are defined in version 1.0 (writers write 0, readers ignore them).</summary>
    public uint Flags { get; init; }
}
