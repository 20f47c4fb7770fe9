using Codecs.Pixels;
using Codecs.Trace;
using Xunit;

namespace Codecs.Tests.Trace;

public sealed class TraceFrameDifferTests
{
    [Fact]
    public void IdenticalFrames_NoRects()
    {
        using var a = Framebuffer.Allocate(200, 150);
        using var b = Framebuffer.Allocate(200, 150);
        var changed = new List<Rect>();
        Assert.Equal(0, TraceFrameDiffer.FindChangedTiles(a.ReadOnlyView, b.ReadOnlyView, changed));
        Assert.Empty(changed);
    }

    [Fact]
    public void ChangedTiles_MergeIntoRunsPerTileRow_AndClipAtEdges()
    {
        using var a = Framebuffer.Allocate(200, 150);
        using var b = Framebuffer.Allocate(200, 150);
        b.Row(0)[0] = 1;          // tile (0,0)
        b.Row(10)[4 * 70] = 1;    // tile (1,0): merges with (0,0)
        b.Row(5)[4 * 199] = 1;    // tile (3,0): right edge, 8 wide
        b.Row(149)[4 * 130 + 3] = 1; // tile (2,2): bottom edge, 22 high; only the X byte differs
        var changed = new List<Rect> { new(1, 2, 3, 4) };
        Assert.Equal(3, TraceFrameDiffer.FindChangedTiles(a.ReadOnlyView, b.ReadOnlyView, changed));
        Assert.Equal([new Rect(1, 2, 3, 4), new Rect(0, 0, 128, 64), new Rect(192, 0, 8, 64), new Rect(128, 128, 64, 22)], changed);
    }

    [Fact]
    public void RandomChanges_AreAllCovered_AndOnlyChangedTilesReported()
    {
        var random = new Random(3);
        for (int trial = 0; trial < 30; trial++)
        {
            int width = random.Next(1, 300);
            int height = random.Next(1, 200);
            int tile = random.Next(32, 100);
            using var a = Framebuffer.Allocate(width, height);
            using var b = Framebuffer.Allocate(width, height);
            random.NextBytes(a.Span);
            a.Span.CopyTo(b.Span);
            for (int n = random.Next(0, 10); n > 0; n--)
            {
                b.Span[random.Next(b.Span.Length)] ^= 0x55;
            }

            var changed = new List<Rect>();
            TraceFrameDiffer.FindChangedTiles(a.ReadOnlyView, b.ReadOnlyView, changed, tile);

            // Applying the rectangles to a copy of a gives b.
            using var c = Framebuffer.Allocate(width, height);
            a.Span.CopyTo(c.Span);
            foreach (Rect rect in changed)
            {
                Assert.Equal(0, rect.X % tile);
                Assert.Equal(0, rect.Y % tile);
                b.ReadOnlyView.Slice(rect).CopyTo(c.View.Slice(rect));
            }

            Assert.True(c.ReadOnlyView.ContentEquals(b.ReadOnlyView));
            Assert.All(changed, r => Assert.False(a.ReadOnlyView.Slice(r).ContentEquals(b.ReadOnlyView.Slice(r))));
        }
    }

    [Fact]
    public void StridedViews_AreCompared_WithoutPadding()
    {
        using var a = Framebuffer.Allocate(10, 10, stride: 64);
        using var b = Framebuffer.Allocate(10, 10, stride: 48);
        a.Span[40..64].Fill(0xAA); // padding of row 0
        var changed = new List<Rect>();
        Assert.Equal(0, TraceFrameDiffer.FindChangedTiles(a.ReadOnlyView, b.ReadOnlyView, changed));
    }

    [Fact]
    public void MismatchedFrames_Throw()
    {
        using var a = Framebuffer.Allocate(10, 10);
        using var b = Framebuffer.Allocate(10, 11);
        Assert.Throws<ArgumentException>(() => TraceFrameDiffer.FindChangedTiles(a.ReadOnlyView, b.ReadOnlyView, []));
        Assert.Throws<ArgumentOutOfRangeException>(() => TraceFrameDiffer.FindChangedTiles(a.ReadOnlyView, a.ReadOnlyView, [], 0));
    }
}
