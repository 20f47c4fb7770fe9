using Codecs.Pixels;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Damage.Tests;

/// <summary>Rectangle merging: covers every dirty bound, never overlaps, respects the bound, follows the cost model.</summary>
public sealed class RectangleMergerTests
{
    [Fact]
    public void RandomTileMaps_CoveredDisjointAndBounded()
    {
        Gen<(int Seed, int Tile, int MaxRects, int Overhead, int PerPixel)> cases =
            from seed in Gen.Choose(0, int.MaxValue)
            from tile in Gen.Elements(16, 32, 64)
            from maxRects in Gen.Elements(1, 2, 5, 16, 64, 1000)
            from overhead in Gen.Elements(0, 12, 64, 256, 4096)
            from perPixel in Gen.Elements(0, 1, 4)
            select (seed, tile, maxRects, overhead, perPixel);
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var rng = new Random(c.Seed);
            int width = rng.Next(1, 700);
            int height = rng.Next(1, 500);
            DirtyTileMap map = RandomMap(rng, width, height, c.Tile, rng.NextDouble());
            var merger = new RectangleMerger(new RectCostModel(c.Overhead, c.PerPixel, c.MaxRects));
            var rects = new List<Rect>();

            long pixels = merger.Merge(map, rects);

            AssertCoveredAndDisjoint(map, rects);
            Assert.True(rects.Count <= c.MaxRects, $"{rects.Count} rectangles, bound {c.MaxRects}");
            Assert.Equal(rects.Sum(r => r.Area), pixels);
            Assert.True(pixels >= map.GetDirtyBoundsArea());
            Assert.Equal(map.IsClean, rects.Count == 0);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(300));
    }

    [Fact]
    public void AdjacentFullTiles_BecomeOneRectangle()
    {
        var map = new DirtyTileMap(256, 256, 32);
        for (int row = 1; row < 4; row++)
        {
            for (int column = 2; column < 6; column++)
            {
                map.MarkDirty(column, row, map.GetTileRect(column, row));
            }
        }

        var rects = new List<Rect>();
        new RectangleMerger(RectCostModel.RfbRaw).Merge(map, rects);

        Assert.Equal([new Rect(64, 32, 128, 96)], rects);
    }

    [Fact]
    public void DistantSmallChanges_StaySeparate_WhenPixelsAreExpensive()
    {
        var map = new DirtyTileMap(512, 512, 32);
        map.MarkDirty(0, 0, new Rect(3, 3, 2, 2));
        map.MarkDirty(10, 12, new Rect(330, 390, 4, 4));
        var rects = new List<Rect>();

        new RectangleMerger(new RectCostModel(64, 4, 100)).Merge(map, rects);
        Assert.Equal(2, rects.Count);

        // Free pixels: one box is cheaper.
        new RectangleMerger(new RectCostModel(64, 0, 100)).Merge(map, rects);
        Assert.Equal([Rect.FromEdges(3, 3, 334, 394)], rects);
    }

    [Fact]
    public void NeighbouringPartialTiles_MergeWhenOverdrawIsCheaperThanAHeader()
    {
        // Two changes 6 pixels apart in neighbouring tiles: the 6×4 gap costs 24 bytes at 1 byte/pixel < 64 overhead.
        var map = new DirtyTileMap(128, 64, 16);
        map.MarkDirty(0, 0, new Rect(10, 5, 6, 4));
        map.MarkDirty(1, 0, new Rect(22, 5, 4, 4));
        var rects = new List<Rect>();

        new RectangleMerger(RectCostModel.Rfb).Merge(map, rects);
        Assert.Equal([new Rect(10, 5, 16, 4)], rects);

        new RectangleMerger(new RectCostModel(12, 4, 100)).Merge(map, rects);
        Assert.Equal(2, rects.Count);
    }

    [Fact]
    public void MaxRectangles_IsHonouredOnACheckerboard()
    {
        var map = new DirtyTileMap(1024, 1024, 16);
        for (int row = 0; row < map.Rows; row++)
        {
            for (int column = (row & 1); column < map.Columns; column += 2)
            {
                map.MarkDirty(column, row, map.GetTileRect(column, row));
            }
        }

        var rects = new List<Rect>();
        long pixels = new RectangleMerger(new RectCostModel(12, 4, 16)).Merge(map, rects);

        Assert.True(rects.Count <= 16);
        AssertCoveredAndDisjoint(map, rects);
        Assert.True(pixels >= map.GetDirtyBoundsArea());
    }

    [Fact]
    public void CostModel_RejectsNonsense()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RectangleMerger(new RectCostModel(-1, 1, 10)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RectangleMerger(new RectCostModel(1, double.NaN, 10)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RectangleMerger(new RectCostModel(1, 1, 0)));
    }

    internal static DirtyTileMap RandomMap(Random rng, int width, int height, int tile, double density)
    {
        var map = new DirtyTileMap(width, height, tile);
        for (int row = 0; row < map.Rows; row++)
        {
            for (int column = 0; column < map.Columns; column++)
            {
                if (rng.NextDouble() < density * density)
                {
                    Rect t = map.GetTileRect(column, row);
                    int x0 = rng.Next(t.X, t.Right);
                    int y0 = rng.Next(t.Y, t.Bottom);
                    map.MarkDirty(column, row, Rect.FromEdges(x0, y0, rng.Next(x0 + 1, t.Right + 1), rng.Next(y0 + 1, t.Bottom + 1)));
                }
            }
        }

        return map;
    }

    internal static void AssertCoveredAndDisjoint(DirtyTileMap map, List<Rect> rects)
    {
        var bounds = new Rect(0, 0, map.Width, map.Height);
        for (int i = 0; i < rects.Count; i++)
        {
            Assert.True(bounds.Contains(rects[i]) && !rects[i].IsEmpty, $"{rects[i]} outside {bounds}");
            for (int j = i + 1; j < rects.Count; j++)
            {
                Assert.False(rects[i].Intersects(rects[j]), $"{rects[i]} overlaps {rects[j]}");
            }
        }

        foreach ((int column, int row) in map)
        {
            Rect dirty = map.GetDirtyBounds(column, row);
            long covered = rects.Sum(r => r.Intersect(dirty).Area);
            Assert.True(covered == dirty.Area, $"tile ({column},{row}) bounds {dirty}: {covered} of {dirty.Area} px covered");
        }
    }
}
