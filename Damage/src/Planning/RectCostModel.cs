namespace Damage;

/// <summary>
/// What a rectangle costs a protocol, for merging dirty tiles: each rectangle costs <see cref="OverheadBytes"/>, each
/// pixel sent costs <see cref="BytesPerPixel"/> whether it changed or not. Merging two rectangles into their bounding
/// box saves one overhead and pays for the unchanged pixels between them (overdraw), so it happens when
/// <c>overdrawPixels × BytesPerPixel ≤ OverheadBytes</c>.
/// </summary>
/// <param name="OverheadBytes">Fixed cost of one more rectangle: header, encoder set-up, flush (bytes).</param>
/// <param name="BytesPerPixel">Expected encoded size of one pixel (bytes; raw 32-bit is 4, compressed desktop content far less).</param>
/// <param name="MaxRectangles">Upper bound on the rectangles of one frame; above it rectangles are coalesced at more overdraw.</param>
public readonly record struct RectCostModel(double OverheadBytes, double BytesPerPixel, int MaxRectangles)
{
    /// <summary>
    /// RFB with a compressing encoding (Tight/ZRLE): a 12-byte rectangle header plus compression control, a zlib sync
    /// flush and the lost context of a new rectangle (≈ 64 bytes in all), about 1 byte per desktop pixel; at most 256
    /// rectangles per update.
    /// </summary>
    public static RectCostModel Rfb { get; } = new(64, 1.0, 256);

    /// <summary>RFB Raw: 12-byte header, 4 bytes per pixel; overdraw is expensive, so rectangles stay tight.</summary>
    public static RectCostModel RfbRaw { get; } = new(12, 4.0, 1024);

    /// <summary>
    /// SPICE: each rectangle is a draw command with its own image header and compression set-up (≈ 256 bytes),
    /// about 1 byte per pixel; at most 64 commands per frame.
    /// </summary>
    public static RectCostModel Spice { get; } = new(256, 1.0, 64);

    /// <summary>Estimated bytes to send <paramref name="rectangles"/> rectangles covering <paramref name="pixels"/> pixels.</summary>
    public double Cost(long rectangles, long pixels) => rectangles * OverheadBytes + pixels * BytesPerPixel;

    internal void Validate()
    {
        if (!(OverheadBytes >= 0) || !(BytesPerPixel >= 0) || double.IsInfinity(OverheadBytes) || double.IsInfinity(BytesPerPixel))
        {
            throw new ArgumentOutOfRangeException(nameof(OverheadBytes), "Costs must be finite and not negative.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRectangles, 1, nameof(MaxRectangles));
    }
}
