namespace Codecs.Trace;

/// <summary>
/// The nominal frame rate <see cref="Numerator"/>/<see cref="Denominator"/> frames per second (30/1, 30000/1001...),
/// and the mapping between frame indices and microsecond timestamps that importers and exporters share.
/// </summary>
/// <remarks>
/// Frame <c>k</c> of a constant-rate sequence has timestamp <c>floor(k × 10^6 × Denominator / Numerator)</c>
/// (<see cref="TimestampOf"/>), and <see cref="FrameIndexAt"/> is its exact inverse on those timestamps.
/// </remarks>
public readonly record struct TraceFrameRate
{
    public TraceFrameRate(int numerator, int denominator = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numerator, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(numerator, TraceFormat.MaxFrameRateTerm);
        ArgumentOutOfRangeException.ThrowIfLessThan(denominator, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(denominator, TraceFormat.MaxFrameRateTerm);
        Numerator = numerator;
        Denominator = denominator;
    }

    public int Numerator { get; }

    public int Denominator { get; }

    public double FramesPerSecond => (double)Numerator / Denominator;

    /// <summary>The timestamp (µs) of frame <paramref name="frameIndex"/> of a constant-rate sequence starting at 0.</summary>
    public long TimestampOf(long frameIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(frameIndex);
        Int128 microseconds = (Int128)frameIndex * 1_000_000 * Denominator / Numerator;
        return microseconds > long.MaxValue ? long.MaxValue : (long)microseconds;
    }

    /// <summary>The index of the last frame whose <see cref="TimestampOf"/> is at or before <paramref name="timestampMicroseconds"/>.</summary>
    public long FrameIndexAt(long timestampMicroseconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(timestampMicroseconds);

        // floor(k·10^6·d / n) <= t  <=>  k·10^6·d < (t + 1)·n  <=>  k <= ((t + 1)·n − 1) / (10^6·d)
        Int128 index = (((Int128)timestampMicroseconds + 1) * Numerator - 1) / ((Int128)1_000_000 * Denominator);
        return index > long.MaxValue ? long.MaxValue : (long)index;
    }

    public override string ToString() => Denominator == 1 ? $"{Numerator} fps" : $"{Numerator}/{Denominator} fps";
}
