namespace Damage.Sharing;

/// <summary>Counters of a <see cref="SharedDisplay"/>, read by the host (a snapshot; the display keeps counting).</summary>
public readonly record struct SharedDisplayStatistics
{
    /// <summary>Device updates tracked (each scanned once, whatever the number of clients).</summary>
    public long Frames { get; init; }

    /// <summary>Frames the device folded into those updates because nobody pulled in time.</summary>
    public long SourceFrames { get; init; }

    public long BytesScanned { get; init; }

    public long CopiesFound { get; init; }

    public long PixelsExplainedByCopies { get; init; }

    /// <summary>Time spent tracking (scan, motion, merge) in <see cref="System.Diagnostics.Stopwatch"/> ticks.</summary>
    public long TrackTicks { get; init; }

    /// <summary>Time the pump waited for clients to release their read leases, in Stopwatch ticks.</summary>
    public long ReaderWaitTicks { get; init; }

    public int Clients { get; init; }
}
