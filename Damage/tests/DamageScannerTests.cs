using Codecs.Pixels;
using Damage.Tests.Support;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Damage.Tests;

/// <summary>The dirty-tile scan against the pixel-by-pixel reference, on every supported kernel tier.</summary>
public sealed class DamageScannerTests
{
    public static IEnumerable<DamageIsa> SupportedIsas => DiffKernelTests.SupportedIsas;

    public sealed record ScanCase(int Width, int Height, int Pad, int TileSize, int Seed, int Damages, bool Update)
    {
        public override string ToString() => $"{Width}x{Height} pad {Pad} tile {TileSize} seed {Seed} damages {Damages} update {Update}";
    }

    private static Gen<ScanCase> Cases(int maxWidth, int maxHeight) =>
        from width in Gen.Choose(1, maxWidth)
        from height in Gen.Choose(1, maxHeight)
        from pad in Gen.Elements(0, 4, 12, 64, 100)
        from tile in Gen.Elements(16, 32, 64)
        from seed in Gen.Choose(0, int.MaxValue)
        from damages in Gen.Choose(0, 6)
        from update in Gen.Elements(false, true)
        select new ScanCase(width, height, pad, tile, seed, damages, update);

    [Fact]
    public void RandomFramesWithRandomDamage_MatchReference_OnEveryIsa()
    {
        Prop.ForAll(Cases(300, 140).ToArbitrary(), c =>
        {
            foreach (DamageIsa isa in SupportedIsas)
            {
                CheckCase(c, isa, hinted: false);
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(150));
    }

    [Fact]
    public void HintedScan_CoveringTheDamage_MatchesReference()
    {
        Prop.ForAll(Cases(260, 120).ToArbitrary(), c =>
        {
            foreach (DamageIsa isa in SupportedIsas)
            {
                CheckCase(c, isa, hinted: true);
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(100));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 200)]
    [InlineData(200, 1)]
    [InlineData(15, 17)]
    [InlineData(17, 15)]
    [InlineData(63, 65)]
    [InlineData(65, 63)]
    [InlineData(129, 33)]
    [InlineData(1000, 3)]
    public void OddGeometries_EveryPixelDetected(int width, int height)
    {
        foreach (DamageIsa isa in SupportedIsas)
        {
            foreach (int tile in new[] { 16, 32, 64 })
            {
                foreach (int pad in new[] { 0, 4, 60 })
                {
                    var rng = new Random(width * 1000 + height);
                    using Framebuffer previous = TestFrames.Random(width, height, rng, pad);
                    using Framebuffer current = TestFrames.CloneWithNewPadding(previous.ReadOnlyView, rng, pad + 8);
                    var map = new DirtyTileMap(width, height, tile);

                    DamageScanner.Scan(previous.ReadOnlyView, current.ReadOnlyView, map, [current.Bounds], isa);
                    Assert.True(map.IsClean, $"{isa} tile {tile} pad {pad}: equal frames (different padding) reported dirty");

                    // Corners and a middle pixel, one at a time.
                    foreach ((int x, int y) in new[] { (0, 0), (width - 1, 0), (0, height - 1), (width - 1, height - 1), (width / 2, height / 2) })
                    {
                        TestFrames.Poke(current.View, x, y);
                        DamageScanner.Scan(previous.ReadOnlyView, current.ReadOnlyView, map, [current.Bounds], isa);
                        Assert.Equal(1, map.DirtyTileCount);
                        Assert.Equal(new Rect(x, y, 1, 1), map.GetDirtyBounds(x / tile, y / tile));
                        TestFrames.Poke(current.View, x, y);
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData(16)]
    [InlineData(8)]
    public void OtherPixelSizes_MatchReference(int bitsPerPixel)
    {
        PixelFormat format = bitsPerPixel == 16 ? PixelFormat.Rgb565 : PixelFormat.Bgr233;
        foreach (DamageIsa isa in SupportedIsas)
        {
            var rng = new Random(bitsPerPixel);
            using Framebuffer previous = TestFrames.Random(203, 77, rng, 6, format);
            using Framebuffer current = TestFrames.CloneWithNewPadding(previous.ReadOnlyView, rng, 2);
            for (int i = 0; i < 5; i++)
            {
                TestFrames.Scribble(current.View, TestFrames.RandomRect(rng, 203, 77, 40), rng);
            }

            var map = new DirtyTileMap(203, 77, 32);
            DamageScanner.Scan(previous.ReadOnlyView, current.ReadOnlyView, map, [current.Bounds], isa);
            Reference.AssertMatches(map, previous.ReadOnlyView, current.ReadOnlyView, $"{format} {isa}");
        }
    }

    [Fact]
    public void EmptyHints_ScanNothing()
    {
        var rng = new Random(5);
        using Framebuffer previous = TestFrames.Random(100, 100, rng);
        using Framebuffer current = TestFrames.Random(100, 100, rng);
        var map = new DirtyTileMap(100, 100, 16);
        Assert.Equal(0, DamageScanner.Scan(previous.ReadOnlyView, current.ReadOnlyView, map, ReadOnlySpan<Rect>.Empty));
        Assert.True(map.IsClean);
    }

    [Fact]
    public void Hints_LimitTheScanToTheirArea()
    {
        var rng = new Random(6);
        using Framebuffer previous = TestFrames.Random(256, 128, rng);
        using Framebuffer current = TestFrames.Random(256, 128, rng);
        var map = new DirtyTileMap(256, 128, 32);
        var hint = new Rect(40, 10, 50, 20);
        long bytes = DamageScanner.Scan(previous.ReadOnlyView, current.ReadOnlyView, map, [hint]);

        // Everything differs, so every tile meeting the hint is dirty, and nothing else is.
        foreach ((int column, int row) in map)
        {
            Assert.True(map.GetTileRect(column, row).Intersects(hint));
        }

        // Columns 1 and 2 (x 32..95) of row 0 (y 0..31).
        Assert.Equal(2, map.DirtyTileCount);
        Assert.True(bytes < 256 * 128 * 4 / 4, $"scanned {bytes} bytes for a 50x20 hint");
    }

    [Fact]
    public void ScanAndUpdate_CopiesOnlyChangedPixels()
    {
        var rng = new Random(7);
        using Framebuffer previous = TestFrames.Random(300, 200, rng, 16);
        using Framebuffer current = TestFrames.CloneWithNewPadding(previous.ReadOnlyView, rng, 0);
        TestFrames.Scribble(current.View, new Rect(10, 10, 100, 3), rng);
        TestFrames.Scribble(current.View, new Rect(250, 150, 50, 50), rng);
        byte[] padding = PaddingBytes(previous);
        var map = new DirtyTileMap(300, 200, 64);

        DamageScanner.ScanAndUpdate(previous.View, current.ReadOnlyView, map);

        Assert.False(map.IsClean);
        Reference.AssertSamePixels(current.ReadOnlyView, previous.ReadOnlyView);
        Assert.Equal(padding, PaddingBytes(previous));
        DamageScanner.Scan(previous.ReadOnlyView, current.ReadOnlyView, map);
        Assert.True(map.IsClean);
    }

    [Fact]
    public void MismatchedGeometry_Throws()
    {
        using Framebuffer a = Framebuffer.Allocate(10, 10);
        using Framebuffer b = Framebuffer.Allocate(10, 11);
        Assert.Throws<ArgumentException>(() => DamageScanner.Scan(a.ReadOnlyView, b.ReadOnlyView, new DirtyTileMap(10, 10)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DirtyTileMap(10, 10, 24));
    }

    [Fact]
    public void Huge8192x8192Frame_ScansOnce()
    {
        const int Size = 8192;
        using Framebuffer previous = Framebuffer.Allocate(Size, Size);
        using Framebuffer current = Framebuffer.Allocate(Size, Size);
        previous.Span.Fill(0x3C);
        current.Span.Fill(0x3C);
        (int X, int Y)[] pokes = [(0, 0), (Size - 1, Size - 1), (4097, 123), (17, 8000), (8191, 0)];
        foreach ((int x, int y) in pokes)
        {
            TestFrames.Poke(current.View, x, y);
        }

        var map = new DirtyTileMap(Size, Size, 16);
        long bytes = DamageScanner.ScanAndUpdate(previous.View, current.ReadOnlyView, map);

        Assert.Equal(pokes.Length, map.DirtyTileCount);
        foreach ((int x, int y) in pokes)
        {
            Assert.Equal(new Rect(x, y, 1, 1), map.GetDirtyBounds(x / 16, y / 16));
        }

        Assert.True(bytes >= (long)Size * Size * 4, $"scanned {bytes}");
        DamageScanner.Scan(previous.ReadOnlyView, current.ReadOnlyView, map);
        Assert.True(map.IsClean);
    }

    private static void CheckCase(ScanCase c, DamageIsa isa, bool hinted)
    {
        var rng = new Random(c.Seed);
        using Framebuffer previous = TestFrames.Random(c.Width, c.Height, rng, c.Pad);
        using Framebuffer current = TestFrames.CloneWithNewPadding(previous.ReadOnlyView, rng, c.Pad == 0 ? 4 : 0);
        var hints = new List<Rect>();
        for (int i = 0; i < c.Damages; i++)
        {
            Rect area = TestFrames.RandomRect(rng, c.Width, c.Height, rng.Next(1, 80));
            if (rng.Next(3) == 0)
            {
                // A single pixel changed in one byte only.
                TestFrames.Poke(current.View, area.X, area.Y);
            }
            else
            {
                TestFrames.Scribble(current.View, area, rng);
            }

            // Hints cover the damage, sometimes generously, sometimes exactly.
            int grow = rng.Next(0, 20);
            hints.Add(Rect.FromEdges(area.X - grow, area.Y - grow, area.Right + grow, area.Bottom + grow));
        }

        if (hinted && rng.Next(2) == 0)
        {
            hints.Add(TestFrames.RandomRect(rng, c.Width, c.Height));
        }

        ReadOnlySpan<Rect> areas = hinted ? [.. hints] : [current.Bounds];
        using Framebuffer expectedPrevious = TestFrames.CloneWithNewPadding(previous.ReadOnlyView, rng, 0);
        var map = new DirtyTileMap(1, 1, c.TileSize);
        DamageScanner.Scan(previous.View, current.ReadOnlyView, map, areas, isa, c.Update);
        Reference.AssertMatches(map, expectedPrevious.ReadOnlyView, current.ReadOnlyView, $"{c} {isa} hinted={hinted}:");
        if (c.Update)
        {
            Reference.AssertSamePixels(current.ReadOnlyView, previous.ReadOnlyView, $"{c} {isa} updated previous:");
        }
    }

    private static byte[] PaddingBytes(Framebuffer frame)
    {
        var bytes = new List<byte>();
        int row = frame.Width * frame.BytesPerPixel;
        for (int y = 0; y < frame.Height; y++)
        {
            bytes.AddRange(frame.Span.Slice(y * frame.Stride + row, frame.Stride - row).ToArray());
        }

        return [.. bytes];
    }
}
