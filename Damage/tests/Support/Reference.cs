using Codecs.Pixels;
using Xunit;

namespace Damage.Tests.Support;

/// <summary>The obvious, slow answers the damage engine is checked against.</summary>
internal static class Reference
{
    /// <summary>Exact changed-pixel bounds of each tile, pixel by pixel (empty for clean tiles).</summary>
    public static Rect[,] TileBounds(ReadOnlyImageView a, ReadOnlyImageView b, int tile)
    {
        int columns = (a.Width + tile - 1) / tile;
        int rows = (a.Height + tile - 1) / tile;
        var bounds = new Rect[columns, rows];
        int bpp = a.BytesPerPixel;
        for (int y = 0; y < a.Height; y++)
        {
            ReadOnlySpan<byte> rowA = a.Row(y);
            ReadOnlySpan<byte> rowB = b.Row(y);
            for (int x = 0; x < a.Width; x++)
            {
                if (!rowA.Slice(x * bpp, bpp).SequenceEqual(rowB.Slice(x * bpp, bpp)))
                {
                    ref Rect r = ref bounds[x / tile, y / tile];
                    r = r.Union(new Rect(x, y, 1, 1));
                }
            }
        }

        return bounds;
    }

    /// <summary>Asserts that <paramref name="map"/> reports exactly the reference tiles and bounds.</summary>
    public static void AssertMatches(DirtyTileMap map, ReadOnlyImageView previous, ReadOnlyImageView current, string context = "")
    {
        Rect[,] expected = TileBounds(previous, current, map.TileSize);
        Assert.Equal(expected.GetLength(0), map.Columns);
        Assert.Equal(expected.GetLength(1), map.Rows);
        int dirty = 0;
        for (int row = 0; row < map.Rows; row++)
        {
            for (int column = 0; column < map.Columns; column++)
            {
                Rect want = expected[column, row];
                if (!want.IsEmpty)
                {
                    dirty++;
                }

                Assert.True(want.IsEmpty != map.IsDirty(column, row), $"{context} tile ({column},{row}) dirty={map.IsDirty(column, row)}, expected bounds {want}");
                Assert.True(want == map.GetDirtyBounds(column, row), $"{context} tile ({column},{row}): got {map.GetDirtyBounds(column, row)}, expected {want}");
            }
        }

        Assert.Equal(dirty, map.DirtyTileCount);
    }

    /// <summary>Asserts that two views hold the same pixels, naming the first differing pixel.</summary>
    public static void AssertSamePixels(ReadOnlyImageView expected, ReadOnlyImageView actual, string context = "")
    {
        Assert.Equal(expected.Width, actual.Width);
        Assert.Equal(expected.Height, actual.Height);
        for (int y = 0; y < expected.Height; y++)
        {
            ReadOnlySpan<byte> e = expected.Row(y);
            ReadOnlySpan<byte> a = actual.Row(y);
            int i = e.CommonPrefixLength(a);
            if (i != e.Length)
            {
                Assert.Fail($"{context} pixel ({i / expected.BytesPerPixel},{y}) differs.");
            }
        }
    }

    /// <summary>Checks the plan's structural promises: rectangles inside the frame and disjoint, copies inside and with disjoint destinations.</summary>
    public static void AssertWellFormed(FramePlan plan)
    {
        var bounds = new Rect(0, 0, plan.Width, plan.Height);
        for (int i = 0; i < plan.Rectangles.Count; i++)
        {
            Assert.True(bounds.Contains(plan.Rectangles[i]) && !plan.Rectangles[i].IsEmpty, $"rectangle {plan.Rectangles[i]}");
            for (int j = i + 1; j < plan.Rectangles.Count; j++)
            {
                Assert.False(plan.Rectangles[i].Intersects(plan.Rectangles[j]), $"{plan.Rectangles[i]} overlaps {plan.Rectangles[j]}");
            }
        }

        for (int i = 0; i < plan.Copies.Count; i++)
        {
            CopyOperation c = plan.Copies[i];
            Assert.True(bounds.Contains(c.Source) && bounds.Contains(c.Destination) && !c.Source.IsEmpty, $"copy {c}");
            for (int j = i + 1; j < plan.Copies.Count; j++)
            {
                Assert.False(c.Destination.Intersects(plan.Copies[j].Destination), $"copy {c} and {plan.Copies[j]} write the same pixels");
            }
        }
    }

    /// <summary>
    /// Applies the plan to a copy of <paramref name="previous"/> the way a client does (copies in order, each reading
    /// the state the earlier ones left, then the rectangles) and asserts the result is <paramref name="current"/>.
    /// Also asserts that every copy, applied alone to the previous frame, writes only correct pixels.
    /// </summary>
    public static void AssertPlanReproduces(FramePlan plan, ReadOnlyImageView previous, ReadOnlyImageView current, string context = "")
    {
        AssertWellFormed(plan);
        using Framebuffer client = Framebuffer.Allocate(previous.Width, previous.Height, previous.Format);
        previous.CopyTo(client.View);
        foreach (CopyOperation copy in plan.Copies)
        {
            FramePlan.ApplyCopy(client.View, copy);
        }

        // A copy's destination must already be right before the rectangles repaint anything.
        foreach (CopyOperation copy in plan.Copies)
        {
            AssertSamePixels(current.Slice(copy.Destination), client.ReadOnlyView.Slice(copy.Destination), $"{context} copy {copy}:");
        }

        foreach (Rect rect in plan.Rectangles)
        {
            current.Slice(rect).CopyTo(client.View.Slice(rect));
        }

        AssertSamePixels(current, client.ReadOnlyView, context);

        using Framebuffer viaApply = Framebuffer.Allocate(previous.Width, previous.Height, previous.Format);
        previous.CopyTo(viaApply.View);
        plan.ApplyTo(viaApply.View, current);
        AssertSamePixels(current, viaApply.ReadOnlyView, $"{context} ApplyTo:");
    }
}
