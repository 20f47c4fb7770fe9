namespace Damage;

/// <summary>Tuning of scroll and move detection (<see cref="MotionDetector"/>).</summary>
public sealed record MotionOptions
{
    /// <summary>Whether to look for moved content at all.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Skip detection when the dirty tiles' bounds cover fewer pixels than this (a caret, a clock).</summary>
    public int MinDirtyPixels { get; init; } = 4096;

    /// <summary>Offsets verified per frame, most voted first.</summary>
    public int MaxCandidateOffsets { get; init; } = 8;

    /// <summary>Anchor matches an offset needs before it is verified.</summary>
    public int MinVotes { get; init; } = 2;

    /// <summary>Matches one anchor may vote for; more means the anchor's content is too common to tell anything.</summary>
    public int MaxMatchesPerAnchor { get; init; } = 4;

    /// <summary>Anchors (16-pixel row segments of changed blocks) hashed per frame; more changed blocks are sampled.</summary>
    public int MaxAnchors { get; init; } = 16384;

    /// <summary>Copies emitted per frame at most (those explaining the most changed pixels are kept).</summary>
    public int MaxCopies { get; init; } = 64;

    /// <summary>A copy must explain at least this many changed pixels to be worth its own message.</summary>
    public int MinCopyPixels { get; init; } = 256;

    public static MotionOptions Default { get; } = new();

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(MinDirtyPixels);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxCandidateOffsets, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MinVotes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMatchesPerAnchor, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAnchors, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxCopies, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(MinCopyPixels);
    }
}
