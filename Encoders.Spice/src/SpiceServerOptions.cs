using Codecs.Spice.Choice;

namespace Encoders.Spice;

/// <summary>Configuration of a <see cref="SpiceServer"/>.</summary>
public sealed record SpiceServerOptions
{
    /// <summary>The ticket password (at most 60 UTF-8 bytes); null accepts any ticket.</summary>
    public string? Password { get; init; }

    /// <summary>When the password stops being accepted (SPICE's ticket expiry); null = never.</summary>
    public DateTimeOffset? PasswordExpiry { get; init; }

    /// <summary>
    /// Use one compression for every image (tests, or a fixed configuration): <see cref="SpiceImageCompression.Off"/>
    /// = raw bitmaps, QUIC, LZ, GLZ, LZ4 (LZ when the client cannot decode GLZ or LZ4). Null = choose per image.
    /// </summary>
    public SpiceImageCompression? ForcedCompression { get; init; }

    /// <summary>Send tiles with CACHE_ME and repeat them as FROM_CACHE (within the client's DISPLAY_INIT budget).</summary>
    public bool ImageCache { get; init; } = true;

    /// <summary>Side of the grid-aligned tiles damage rectangles are cut into (solid fills, cache hits, encode units).</summary>
    public int TileSize { get; init; } = 128;

    /// <summary>SET_ACK window on the display channel; the sender pauses above twice this many unacknowledged messages. 0 = off.</summary>
    public int AckWindow { get; init; } = 20;

    /// <summary>How long the display channel waits for DISPLAY_INIT before drawing without GLZ and cache.</summary>
    public TimeSpan DisplayInitWait { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Clock for ticket expiry and multimedia time.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
