using Codecs.Pixels;

namespace Damage.Sharing;

/// <summary>
/// What one client has not been sent yet: copies to replay first, then a dirty region. Its size is bounded by the
/// display, never by how long the client has been slow.
/// </summary>
/// <remarks>
/// <para>
/// The dirty region lives in a tile map whose tiles keep exact dirty bounds (the union of everything marked in them),
/// so a client that falls behind by a hundred frames costs the same memory as one that is current, and the rectangle
/// merger turns it into a bounded, disjoint list when the client takes it.
/// </para>
/// <para>
/// Copies are kept only from the first plan after a take: they move pixels the client is known to show (the frame of
/// its last take). A later plan's copies move pixels of a frame the client never saw, so their destinations become
/// dirty instead. Applying the kept copies and then repainting the dirty region from the current frame reproduces the
/// current frame exactly: every pixel outside the region is either unchanged since the client's frame or the result of
/// a verified copy of it.
/// </para>
/// </remarks>
internal sealed class PendingDamage
{
    private readonly DirtyTileMap _region;
    private readonly RectangleMerger _merger;
    private readonly List<CopyOperation> _copies = [];
    private int _plansSinceTake;

    public PendingDamage(int width, int height, int tileSize, RectCostModel costModel)
    {
        _region = new DirtyTileMap(width, height, tileSize);
        _merger = new RectangleMerger(costModel);
    }

    public bool IsEmpty => _region.IsClean && _copies.Count == 0;

    public int Width => _region.Width;

    public int Height => _region.Height;

    /// <summary>Forgets everything and marks the whole <paramref name="width"/> × <paramref name="height"/> screen dirty (a new client, a new mode).</summary>
    public void ResetToFullScreen(int width, int height)
    {
        _region.Reset(width, height, _region.TileSize);
        _copies.Clear();
        MarkDirty(new Rect(0, 0, width, height));

        // The client's picture is not a frame we planned from, so no copy may read it until it has taken this repaint.
        _plansSinceTake = 1;
    }

    public void Add(FramePlan plan)
    {
        if (plan.IsFullFrame)
        {
            MarkDirty(new Rect(0, 0, plan.Width, plan.Height));
        }
        else if (_plansSinceTake == 0)
        {
            _copies.AddRange(plan.Copies);
        }
        else
        {
            foreach (CopyOperation copy in plan.Copies)
            {
                MarkDirty(copy.Destination);
            }
        }

        foreach (Rect rectangle in plan.Rectangles)
        {
            MarkDirty(rectangle);
        }

        _plansSinceTake++;
    }

    /// <summary>Adds <paramref name="area"/> (clipped to the screen) to the dirty region.</summary>
    public void MarkDirty(Rect area)
    {
        area = area.Intersect(new Rect(0, 0, _region.Width, _region.Height));
        if (area.IsEmpty)
        {
            return;
        }

        int tileSize = _region.TileSize;
        int firstColumn = area.X / tileSize;
        int lastColumn = (area.Right - 1) / tileSize;
        int firstRow = area.Y / tileSize;
        int lastRow = (area.Bottom - 1) / tileSize;
        for (int row = firstRow; row <= lastRow; row++)
        {
            for (int column = firstColumn; column <= lastColumn; column++)
            {
                Rect inTile = area.Intersect(_region.GetTileRect(column, row));
                Rect existing = _region.GetDirtyBounds(column, row);
                _region.MarkDirty(column, row, existing.IsEmpty ? inTile : existing.Union(inTile));
            }
        }
    }

    /// <summary>Moves the pending copies and the merged dirty rectangles out, leaving nothing pending.</summary>
    public (CopyOperation[] Copies, Rect[] Rectangles) Take(List<Rect> scratch)
    {
        CopyOperation[] copies = [.. _copies];
        _merger.Merge(_region, scratch);
        Rect[] rectangles = [.. scratch];
        _copies.Clear();
        _region.Clear();
        _plansSinceTake = 0;
        return (copies, rectangles);
    }
}
