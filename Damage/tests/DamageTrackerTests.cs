using Codecs.Pixels;
using Damage.Device;
using Damage.Tests.Support;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Damage.Tests;

/// <summary>Frame sequences through the tracker: every plan turns a client's copy of the previous frame into the current one.</summary>
public sealed class DamageTrackerTests
{
    [Fact]
    public void RandomSequences_EveryPlanReproducesTheFrame()
    {
        Gen<(int Seed, int Tile, bool Motion, bool Hints)> cases =
            from seed in Gen.Choose(0, int.MaxValue)
            from tile in Gen.Elements(16, 32, 64)
            from motion in Gen.Elements(false, true)
            from hints in Gen.Elements(false, true)
            select (seed, tile, motion, hints);
        Prop.ForAll(cases.ToArbitrary(), c =>
        {
            var rng = new Random(c.Seed);
            int width = rng.Next(1, 420);
            int height = rng.Next(1, 260);
            var options = new DamageOptions
            {
                TileSize = c.Tile,
                CostModel = new RectCostModel(rng.Next(0, 300), rng.Next(0, 5), rng.Next(1, 50)),
                Motion = new MotionOptions { Enabled = c.Motion, MinDirtyPixels = rng.Next(0, 3000), MinCopyPixels = rng.Next(0, 300) },
            };
            using var tracker = new DamageTracker(options);
            using Framebuffer client = Framebuffer.Allocate(width, height);
            using Framebuffer frame = TestFrames.Random(width, height, rng, rng.Next(3) * 4);
            SyntheticScreens.Text(frame.View, frame.Bounds, rng.Next(), 0);

            FramePlan first = tracker.Track(frame.ReadOnlyView);
            Assert.True(first.IsFullFrame);
            first.ApplyTo(client.View, frame.ReadOnlyView);
            for (int step = 0; step < 6; step++)
            {
                List<Rect> hints = Mutate(frame.View, rng);
                using Framebuffer before = TestFrames.CloneWithNewPadding(client.ReadOnlyView, rng, 0);
                FramePlan plan = tracker.Track(frame.ReadOnlyView, c.Hints ? hints : null);
                Reference.AssertPlanReproduces(plan, before.ReadOnlyView, frame.ReadOnlyView, $"step {step} {plan}");
                plan.ApplyTo(client.View, frame.ReadOnlyView);
                Reference.AssertSamePixels(frame.ReadOnlyView, tracker.PreviousFrame, $"step {step} tracker previous:");
                Assert.Equal(plan.Statistics.RectangleCount, plan.Rectangles.Count);
                Assert.True(plan.Rectangles.Count <= options.CostModel.MaxRectangles);
                Assert.Equal(plan.Statistics.RectanglePixels, plan.Rectangles.Sum(r => r.Area));
                Assert.True(plan.Statistics.OverdrawPixels >= 0);
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(80));
    }

    [Fact]
    public void UnchangedFrame_EmptyPlan()
    {
        var rng = new Random(1);
        using Framebuffer frame = TestFrames.Random(640, 480, rng, 64);
        using var tracker = new DamageTracker();
        tracker.Track(frame.ReadOnlyView);

        FramePlan plan = tracker.Track(frame.ReadOnlyView);

        Assert.True(plan.IsEmpty);
        Assert.Equal(0, plan.Statistics.TilesDirty);
        Assert.Equal(640L * 480 * 4, plan.Statistics.BytesScanned);
    }

    [Fact]
    public void ModeChange_GivesFullFrame()
    {
        var rng = new Random(2);
        using Framebuffer small = TestFrames.Random(100, 80, rng);
        using Framebuffer large = TestFrames.Random(120, 90, rng);
        using var tracker = new DamageTracker();
        tracker.Track(small.ReadOnlyView);

        FramePlan resized = tracker.Track(large.ReadOnlyView);
        FramePlan forced = tracker.Track(large.ReadOnlyView, modeChanged: true);

        Assert.True(resized.IsFullFrame);
        Assert.Equal([large.Bounds], resized.Rectangles);
        Assert.True(forced.IsFullFrame);
        Assert.False(tracker.Track(large.ReadOnlyView).IsFullFrame);
    }

    [Fact]
    public void DisplayUpdate_HintsLimitTheScan()
    {
        var rng = new Random(3);
        using Framebuffer frame = TestFrames.Random(512, 512, rng);
        using var tracker = new DamageTracker();
        using (var first = new DisplayUpdate(0, TimeSpan.Zero, frame, true, null, null, default, [], 1, null))
        {
            Assert.True(tracker.Track(first).IsFullFrame);
        }

        var change = new Rect(100, 100, 20, 20);
        TestFrames.Scribble(frame.View, change, rng);
        using var update = new DisplayUpdate(1, TimeSpan.Zero, frame, false, [change], null, default, [], 1, null);

        FramePlan plan = tracker.Track(update);

        Assert.Equal([change], plan.Rectangles);
        Assert.True(plan.Statistics.BytesScanned < 512 * 512 * 4 / 50, $"{plan.Statistics.BytesScanned} bytes scanned for a 20x20 hint");
    }

    [Fact]
    public void Counters_Accumulate()
    {
        var rng = new Random(4);
        using Framebuffer frame = TestFrames.Random(300, 200, rng);
        using var tracker = new DamageTracker();
        tracker.Track(frame.ReadOnlyView);
        TestFrames.Scribble(frame.View, new Rect(0, 0, 10, 10), rng);
        tracker.Track(frame.ReadOnlyView);
        TestFrames.Scribble(frame.View, new Rect(200, 100, 10, 10), rng);
        tracker.Track(frame.ReadOnlyView);

        Assert.Equal(3, tracker.FramesTracked);
        Assert.Equal(3, tracker.RectanglesEmitted);
        // Two full compares, plus the second look the dirty tiles get to find their exact bounds.
        Assert.InRange(tracker.BytesScanned, 2L * 300 * 200 * 4, 2L * 300 * 200 * 4 + 2 * 32 * 32 * 4);
        tracker.Reset();
        Assert.False(tracker.HasPreviousFrame);
        Assert.True(tracker.Track(frame.ReadOnlyView).IsFullFrame);
    }

    /// <summary>Changes the frame the way desktops do (text edits, a moved block, a scroll, noise) and returns hints covering it.</summary>
    private static List<Rect> Mutate(ImageView frame, Random rng)
    {
        var hints = new List<Rect>();
        int width = frame.Width;
        int height = frame.Height;
        int kind = rng.Next(5);
        if (kind == 0)
        {
            return hints;
        }

        if (kind == 1 || kind == 4)
        {
            for (int i = rng.Next(1, 5); i > 0; i--)
            {
                Rect r = TestFrames.RandomRect(rng, width, height, 50);
                TestFrames.Scribble(frame, r, rng);
                hints.Add(r);
            }
        }

        if (kind == 2 || kind == 4)
        {
            // Move a block somewhere else.
            Rect source = TestFrames.RandomRect(rng, width, height, 100);
            int x = rng.Next(0, width - source.Width + 1);
            int y = rng.Next(0, height - source.Height + 1);
            byte[] pixels = ((ReadOnlyImageView)frame).Slice(source).ToPackedArray();
            for (int row = 0; row < source.Height; row++)
            {
                pixels.AsSpan(row * source.Width * 4, source.Width * 4).CopyTo(frame.Row(y + row).Slice(x * 4));
            }

            hints.Add(new Rect(x, y, source.Width, source.Height));
        }

        if (kind == 3)
        {
            // Scroll a band of the frame up by a few rows, new rows at the bottom.
            Rect band = TestFrames.RandomRect(rng, width, height);
            int by = rng.Next(1, Math.Max(2, band.Height));
            for (int row = 0; row + by < band.Height; row++)
            {
                ((ReadOnlySpan<byte>)frame.Row(band.Y + row + by).Slice(band.X * 4, band.Width * 4)).CopyTo(frame.Row(band.Y + row).Slice(band.X * 4));
            }

            TestFrames.Scribble(frame, Rect.FromEdges(band.X, Math.Max(band.Y, band.Bottom - by), band.Right, band.Bottom), rng);
            hints.Add(band);
        }

        return hints;
    }
}
