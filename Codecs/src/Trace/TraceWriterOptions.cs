namespace Codecs.Trace;

/// <summary>How a <see cref="TraceWriter"/> compresses.</summary>
public sealed record TraceWriterOptions
{
    public const int MinTileSize = 32;
    public const int MaxTileSize = 4096;

    /// <summary>
    /// Codec for rectangles and cursor images. zlib (the default) gives the smallest traces for committed corpora;
    /// LZ4 writes and reads several times faster at a larger size (see <c>docs/benchmarks.md</c>). A rectangle whose
    /// compressed form is not smaller than its raw pixels is stored raw.
    /// </summary>
    public TraceCodec Codec { get; init; } = TraceCodec.Zlib;

    /// <summary>zlib level 1 (fastest) to 9 (smallest); 6 is zlib's default.</summary>
    public int ZlibLevel { get; init; } = 6;

    /// <summary>0 for LZ4's fast compressor; 1 to 12 to use LZ4 HC at that level (same format, slower, smaller).</summary>
    public int Lz4HighCompressionLevel { get; init; }

    /// <summary>
    /// Tile size (32 to 4096) of the frame differ behind <see cref="TraceWriter.WriteFrame(long, Pixels.ReadOnlyImageView)"/>;
    /// 32 or more keeps any frame within <see cref="TraceFormat.MaxRectsPerFrame"/>.
    /// </summary>
    public int TileSize { get; init; } = TraceFrameDiffer.DefaultTileSize;

    internal void Validate()
    {
        if (!Enum.IsDefined(Codec))
        {
            throw new ArgumentOutOfRangeException(nameof(Codec), Codec, "Unknown trace codec.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(ZlibLevel, 1, nameof(ZlibLevel));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ZlibLevel, 9, nameof(ZlibLevel));
        ArgumentOutOfRangeException.ThrowIfNegative(Lz4HighCompressionLevel, nameof(Lz4HighCompressionLevel));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Lz4HighCompressionLevel, Lz4.Lz4Codec.MaxHighCompressionLevel, nameof(Lz4HighCompressionLevel));
        ArgumentOutOfRangeException.ThrowIfLessThan(TileSize, MinTileSize, nameof(TileSize));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(TileSize, MaxTileSize, nameof(TileSize));
    }
}
