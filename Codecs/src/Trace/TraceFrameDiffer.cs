using Codecs.Pixels;

namespace Codecs.Trace;

/// <summary>
/// Exact tile diff of two frames: the tiles (default 64×64, clipped at the right and bottom edges) whose pixels differ,
/// merged along each tile row into horizontal runs. Simple and scalar per tile row (<c>SequenceEqual</c> per pixel row);
/// the SIMD damage engine lives in Damage.
/// </summary>
public static class TraceFrameDiffer
{
    public const int DefaultTileSize = 64;

    /// <summary>
    /// Appends to <paramref name="changed"/> one rectangle per run of consecutive changed tiles in each tile row, top to
    /// bottom, left to right. The frames must have the same size and format.
    /// </summary>
    /// <returns>The number of rectangles appended.</returns>
    public static int FindChangedTiles(ReadOnlyImageView previous, ReadOnlyImageView current, List<Rect> changed, int tileSize = DefaultTileSize)
    {
        ArgumentNullException.ThrowIfNull(changed);
        ArgumentOutOfRangeException.ThrowIfLessThan(tileSize, 1);
        if (previous.Width != current.Width || previous.Height != current.Height || previous.Format != current.Format)
        {
            throw new ArgumentException($"Frames differ in size or format: {previous.Width}x{previous.Height} {previous.Format} and {current.Width}x{current.Height} {current.Format}.", nameof(current));
        }

        int before = changed.Count;
        int bytesPerPixel = current.BytesPerPixel;
        for (int tileY = 0; tileY < current.Height; tileY += tileSize)
        {
            int tileHeight = Math.Min(tileSize, current.Height - tileY);
            int runStart = -1;
            for (int tileX = 0; tileX < current.Width; tileX += tileSize)
            {
                int tileWidth = Math.Min(tileSize, current.Width - tileX);
                bool tileChanged = TileDiffers(previous, current, tileX * bytesPerPixel, tileWidth * bytesPerPixel, tileY, tileHeight);
                if (tileChanged && runStart < 0)
                {
                    runStart = tileX;
                }
                else if (!tileChanged && runStart >= 0)
                {
                    changed.Add(new Rect(runStart, tileY, tileX - runStart, tileHeight));
                    runStart = -1;
                }
            }

            if (runStart >= 0)
            {
                changed.Add(new Rect(runStart, tileY, current.Width - runStart, tileHeight));
            }
        }

        return changed.Count - before;
    }

    private static bool TileDiffers(ReadOnlyImageView previous, ReadOnlyImageView current, int byteX, int byteWidth, int y, int height)
    {
        for (int row = y; row < y + height; row++)
        {
            if (!previous.Row(row).Slice(byteX, byteWidth).SequenceEqual(current.Row(row).Slice(byteX, byteWidth)))
            {
                return true;
            }
        }

        return false;
    }
}
