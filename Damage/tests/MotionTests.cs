using Codecs.Pixels;
using Damage.Tests.Support;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Damage.Tests;

/// <summary>Scroll and move detection on synthetic desktop content: found when real, never wrong.</summary>
public sealed class MotionTests
{
    private const int Width = 800;
    private const int Height = 600;

    [Theory]
    [InlineData(1, 16)]
    [InlineData(3, 32)]
    [InlineData(7, 64)]
    [InlineData(-2, 32)]
    public void TerminalScroll_IsCopied(int lines, int tileSize)
    {
        // A terminal window with a static frame; its text area scrolls by `lines` text lines.
        var terminal = new Rect(37, 41, 8 * 80, 16 * 30);
        using Framebuffer previous = Desktop();
        using Framebuffer current = Desktop();
        SyntheticScreens.Fill(previous.View, Grow(terminal, 3), 0xFF808080);
        SyntheticScreens.Fill(current.View, Grow(terminal, 3), 0xFF808080);
        SyntheticScreens.Text(previous.View, terminal, document: 1, firstLine: 100);
        SyntheticScreens.Text(current.View, terminal, document: 1, firstLine: 100 + lines);

        FramePlan plan = Plan(previous, current, new DamageOptions { TileSize = tileSize });

        // Copies may reach past the text into the uniform frame (which matches any vertical shift), never elsewhere.
        Assert.NotEmpty(plan.Copies);
        Assert.All(plan.Copies, c => Assert.True(c.Dx == 0 && c.Dy == -16 * lines, $"{c} is not the scroll"));

        // All but the |lines| new lines can come from copies; nearly all of that must.
        AssertExplainedAtLeast(plan, 0.9 * (30 - Math.Abs(lines)) / 30);
    }

    [Fact]
    public void HorizontalScroll_IsCopied()
    {
        var area = new Rect(64, 64, 512, 320);
        using Framebuffer previous = Desktop();
        using Framebuffer current = Desktop();
        SyntheticScreens.Text(previous.View, area, document: 2, firstLine: 0, firstColumn: 10);
        SyntheticScreens.Text(current.View, area, document: 2, firstLine: 0, firstColumn: 13);

        FramePlan plan = Plan(previous, current);

        Assert.Contains(plan.Copies, c => c.Dx == -3 * SyntheticScreens.GlyphWidth && c.Dy == 0);
        AssertExplainedAtLeast(plan, 0.8);
    }

    [Theory]
    [InlineData(37, 11)]
    [InlineData(-5, 0)]
    [InlineData(0, -3)]
    [InlineData(120, -90)]
    [InlineData(1, 1)]
    public void WindowDraggedOverText_IsCopied(int dx, int dy)
    {
        var window = new Rect(203, 151, 260, 190);
        using Framebuffer previous = TextDesktop(3);
        using Framebuffer current = TextDesktop(3);
        SyntheticScreens.Window(previous.View, window, seed: 9);
        SyntheticScreens.Window(current.View, window.Offset(dx, dy), seed: 9);

        FramePlan plan = Plan(previous, current);

        // The window may come in more than one copy (blank text beside it also matches the shift); what matters is
        // that almost none of it is sent again as pixels.
        Rect moved = window.Offset(dx, dy);
        Assert.Contains(plan.Copies, c => c.Dx == dx && c.Dy == dy);
        AssertResentAtMost(plan, moved, 0.05);
    }

    [Fact]
    public void ScrollAndDragInOneFrame_BothCopied()
    {
        var terminal = new Rect(16, 16, 8 * 40, 16 * 20);
        var window = new Rect(420, 300, 200, 150);
        using Framebuffer previous = Desktop();
        using Framebuffer current = Desktop();
        SyntheticScreens.Text(previous.View, terminal, document: 4, firstLine: 0);
        SyntheticScreens.Text(current.View, terminal, document: 4, firstLine: 2);
        SyntheticScreens.Window(previous.View, window, seed: 5);
        SyntheticScreens.Window(current.View, window.Offset(-60, 45), seed: 5);

        FramePlan plan = Plan(previous, current);

        Assert.Contains(plan.Copies, c => c.Dx == 0 && c.Dy == -32);
        Assert.Contains(plan.Copies, c => c.Dx == -60 && c.Dy == 45);
        AssertExplainedAtLeast(plan, 0.6);
    }

    [Theory]
    [InlineData(700, 500, 50, 40)]     // dragged partly off the bottom-right corner
    [InlineData(0, 0, 25, 17)]         // dragged out of the top-left corner
    [InlineData(40, 30, -40, -30)]     // dragged into the top-left corner
    [InlineData(-60, 200, 45, 0)]      // partly off the left edge, dragged right
    public void WindowNearEdges_IsCopiedAndExact(int x, int y, int dx, int dy)
    {
        var window = new Rect(x, y, 180, 140);
        using Framebuffer previous = TextDesktop(6);
        using Framebuffer current = TextDesktop(6);
        SyntheticScreens.Window(previous.View, window, seed: 3);
        SyntheticScreens.Window(current.View, window.Offset(dx, dy), seed: 3);

        FramePlan plan = Plan(previous, current);

        Assert.Contains(plan.Copies, c => c.Dx == dx && c.Dy == dy);

        // The part of the moved window whose old pixels were on screen is mostly not sent again. Near edges the
        // window is small, and coincidental matches beside it (blank text lines, the periodic title bar) can leave a
        // few rows of it to the rectangles, hence 10 %.
        Rect copyable = window.Intersect(new Rect(0, 0, Width, Height)).Offset(dx, dy).Intersect(new Rect(0, 0, Width, Height));
        AssertResentAtMost(plan, copyable, 0.10);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void ScrollRegionAtFrameEdge_IsCopied(int atBottom)
    {
        // A full-width text area touching the top (or bottom) edge of the frame.
        Rect area = atBottom == 1 ? new Rect(0, Height - 16 * 20, Width, 16 * 20) : new Rect(0, 0, Width, 16 * 20);
        using Framebuffer previous = Desktop();
        using Framebuffer current = Desktop();
        SyntheticScreens.Text(previous.View, area, document: 8, firstLine: 10);
        SyntheticScreens.Text(current.View, area, document: 8, firstLine: 14);

        FramePlan plan = Plan(previous, current);

        Assert.Contains(plan.Copies, c => c.Dx == 0 && c.Dy == -64);
        AssertExplainedAtLeast(plan, 0.9 * 16 / 20);
    }

    [Fact]
    public void ContentChangedInsideMovedWindow_IsNotCopiedWrong()
    {
        var window = new Rect(100, 100, 240, 180);
        using Framebuffer previous = TextDesktop(7);
        using Framebuffer current = TextDesktop(7);
        SyntheticScreens.Window(previous.View, window, seed: 1);
        Rect moved = window.Offset(70, 30);
        SyntheticScreens.Window(current.View, moved, seed: 1);

        // The application repainted part of the window while it moved: a new block and a one-pixel change.
        var changed = new Rect(moved.X + 50, moved.Y + 60, 40, 30);
        SyntheticScreens.Fill(current.View, changed, 0xFFFF00FF);
        TestFrames.Poke(current.View, moved.X + 150, moved.Y + 100);

        FramePlan plan = Plan(previous, current);

        Assert.Contains(plan.Copies, c => c.Dx == 70 && c.Dy == 30);
        Assert.All(plan.Copies, c => Assert.False(c.Destination.Intersects(changed), $"{c} copies over the repainted block"));
        Assert.All(plan.Copies, c => Assert.False(c.Destination.Contains(new Rect(moved.X + 150, moved.Y + 100, 1, 1)), $"{c} copies over the changed pixel"));
    }

    [Fact]
    public void MovedAndRecoloured_NoCopy()
    {
        var window = new Rect(100, 100, 240, 180);
        using Framebuffer previous = TextDesktop(7);
        using Framebuffer current = TextDesktop(7);
        SyntheticScreens.Window(previous.View, window, seed: 1);
        SyntheticScreens.Window(current.View, window.Offset(40, 20), seed: 1);

        // Every pixel of the moved window is one step brighter: nothing of it may be copied.
        Rect moved = window.Offset(40, 20);
        for (int y = moved.Y; y < moved.Bottom; y++)
        {
            Span<byte> row = current.Row(y).Slice(moved.X * 4, moved.Width * 4);
            for (int i = 0; i < row.Length; i += 4)
            {
                row[i] ^= 1;
            }
        }

        FramePlan plan = Plan(previous, current);

        Assert.All(plan.Copies, c => Assert.False(c.Destination.Intersects(moved), $"{c} copies into the recoloured window"));
    }

    [Fact]
    public void SwappedBlocks_CycleIsBroken()
    {
        // Two noise blocks trade places: copies A→B and B→A would each read what the other wrote.
        var rng = new Random(11);
        using Framebuffer previous = TestFrames.Random(Width, Height, rng);
        using Framebuffer current = TestFrames.CloneWithNewPadding(previous.ReadOnlyView, rng, 0);
        var a = new Rect(64, 64, 128, 128);
        var b = new Rect(320, 192, 128, 128);
        previous.ReadOnlyView.Slice(a).CopyTo(current.View.Slice(b));
        previous.ReadOnlyView.Slice(b).CopyTo(current.View.Slice(a));

        FramePlan plan = Plan(previous, current);

        Assert.Single(plan.Copies);
        Assert.True(plan.Statistics.PixelsExplainedByCopies >= 128 * 128 * 9 / 10);
    }

    [Fact]
    public void RandomMovesAndScribbles_PlanAlwaysReproducesFrame()
    {
        Gen<(int Seed, int Moves, int Scribbles, int Tile)> cases =
            from seed in Gen.Choose(0, int.MaxValue)
            from moves in Gen.Choose(0, 4)
            from scribbles in Gen.Choose(0, 4)
            from tile in Gen.Elements(16, 32, 64)
            select (seed, moves, scribbles, tile);
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var rng = new Random(c.Seed);
            int width = rng.Next(40, 400);
            int height = rng.Next(40, 300);
            using Framebuffer previous = TestFrames.Random(width, height, rng, rng.Next(2) * 8);

            // Low-entropy background, so that moved blocks also meet false hash and uniform matches.
            SyntheticScreens.Fill(previous.View, previous.Bounds, 0xFF000000);
            for (int i = 0; i < 8; i++)
            {
                TestFrames.Scribble(previous.View, TestFrames.RandomRect(rng, width, height, 60), rng);
            }

            using Framebuffer current = TestFrames.CloneWithNewPadding(previous.ReadOnlyView, rng, 0);
            for (int i = 0; i < c.Moves; i++)
            {
                Rect source = TestFrames.RandomRect(rng, width, height, 120);
                Rect target = TestFrames.RandomRect(rng, width - source.Width + 1, height - source.Height + 1, 1) with { Width = source.Width, Height = source.Height };
                current.ReadOnlyView.Slice(source).ToPackedArray().AsSpan().CopyTo(Scratch(source, out byte[] packed));
                WritePacked(current.View, target, packed);
            }

            for (int i = 0; i < c.Scribbles; i++)
            {
                TestFrames.Scribble(current.View, TestFrames.RandomRect(rng, width, height, 30), rng);
            }

            Plan(previous, current, new DamageOptions { TileSize = c.Tile, Motion = new MotionOptions { MinDirtyPixels = 0, MinCopyPixels = 1, MinVotes = 1 } });
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(120));
    }

    [Fact]
    public void MotionDisabled_NoCopies_StillExact()
    {
        var window = new Rect(100, 100, 240, 180);
        using Framebuffer previous = TextDesktop(2);
        using Framebuffer current = TextDesktop(2);
        SyntheticScreens.Window(previous.View, window, seed: 1);
        SyntheticScreens.Window(current.View, window.Offset(40, 20), seed: 1);

        FramePlan plan = Plan(previous, current, new DamageOptions { Motion = new MotionOptions { Enabled = false } });

        Assert.Empty(plan.Copies);
        Assert.False(plan.Statistics.MotionSearched);
    }

    [Fact]
    public void SmallDamage_SkipsSearch()
    {
        using Framebuffer previous = TextDesktop(2);
        using Framebuffer current = TextDesktop(2);
        SyntheticScreens.Fill(current.View, new Rect(10, 10, 8, 16), 0xFFFFFFFF);

        FramePlan plan = Plan(previous, current);

        Assert.False(plan.Statistics.MotionSearched);
        Assert.Empty(plan.Copies);
    }

    private static Span<byte> Scratch(Rect source, out byte[] packed)
    {
        packed = new byte[source.Width * source.Height * 4];
        return packed;
    }

    private static void WritePacked(ImageView view, Rect target, byte[] packed)
    {
        for (int y = 0; y < target.Height; y++)
        {
            packed.AsSpan(y * target.Width * 4, target.Width * 4).CopyTo(view.Row(target.Y + y).Slice(target.X * 4));
        }
    }

    internal static FramePlan Plan(Framebuffer previous, Framebuffer current, DamageOptions? options = null)
    {
        using var tracker = new DamageTracker(options);
        FramePlan first = tracker.Track(previous.ReadOnlyView);
        Assert.True(first.IsFullFrame);
        FramePlan plan = tracker.Track(current.ReadOnlyView);
        Reference.AssertPlanReproduces(plan, previous.ReadOnlyView, current.ReadOnlyView, plan.ToString());
        Reference.AssertSamePixels(current.ReadOnlyView, tracker.PreviousFrame, "tracker's previous frame:");
        return plan;
    }

    private static void AssertResentAtMost(FramePlan plan, Rect area, double fraction)
    {
        long resent = plan.Rectangles.Sum(r => r.Intersect(area).Area);
        Assert.True(resent <= fraction * area.Area,
            $"{plan}: {resent} px of {area} sent again; copies {string.Join(", ", plan.Copies)}; rectangles {string.Join(", ", plan.Rectangles)}");
    }

    private static void AssertExplainedAtLeast(FramePlan plan, double fraction)
    {
        FrameStatistics s = plan.Statistics;
        Assert.True(s.PixelsExplainedByCopies >= fraction * s.DirtyPixels,
            $"copies explain {s.PixelsExplainedByCopies} of {s.DirtyPixels} dirty pixels ({plan})");
    }

    private static Framebuffer Desktop()
    {
        Framebuffer frame = Framebuffer.Allocate(Width, Height);
        SyntheticScreens.Fill(frame.View, frame.Bounds, SyntheticScreens.Desktop);
        return frame;
    }

    private static Framebuffer TextDesktop(int document)
    {
        Framebuffer frame = Framebuffer.Allocate(Width, Height);
        SyntheticScreens.Text(frame.View, frame.Bounds, document, 0);
        return frame;
    }

    private static Rect Grow(Rect r, int by) => Rect.FromEdges(r.X - by, r.Y - by, r.Right + by, r.Bottom + by);
}
