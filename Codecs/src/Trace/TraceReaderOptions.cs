namespace Codecs.Trace;

/// <summary>How a <see cref="TraceReader"/> reads.</summary>
public sealed record TraceReaderOptions
{
    /// <summary>Check every record's CRC-32C (on by default; off only to fuzz the parsers behind the checksum).</summary>
    public bool VerifyChecksums { get; init; } = true;

    /// <summary>
    /// Decompress rectangles into <see cref="TraceReader.Framebuffer"/> (on by default). Off, the reader only parses
    /// and checksums records, which is enough for statistics, and owns no framebuffer.
    /// </summary>
    public bool DecodePixels { get; init; } = true;

    /// <summary>
    /// Reject display modes larger than this many pixels (default and maximum <see cref="TraceFormat.MaxPixels"/>);
    /// lower it to bound the framebuffer a hostile trace can make the reader allocate.
    /// </summary>
    public long MaxFramebufferPixels { get; init; } = TraceFormat.MaxPixels;
}
