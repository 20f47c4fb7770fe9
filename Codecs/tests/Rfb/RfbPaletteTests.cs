using Codecs.Rfb;
using Xunit;

namespace Codecs.Tests.Rfb;

/// <summary>
/// <see cref="RfbPalette.BuildIndexed"/> against its definition: colours[indices[i]] = values[i], counts, limit; the
/// sizes mix vector blocks (≤ 4 colours), blocks that meet a new colour, run-by-run stretches and tails.
/// </summary>
public class RfbPaletteTests
{
    [Theory]
    [InlineData(1, 2, 1)]
    [InlineData(1000, 2, 2)]
    [InlineData(1000, 5, 3)]
    [InlineData(4099, 4, 5)]
    [InlineData(333, 3, 40)]
    [InlineData(4096, 40, 1)]
    [InlineData(4096, 256, 4)]
    [InlineData(65536, 200, 7)]
    [InlineData(17, 3, 2)]
    [InlineData(47, 9, 3)]
    [InlineData(100, 1, 100)]
    [InlineData(5000, 6, 60)]
    [InlineData(20000, 30, 12)]
    public void BuildIndexed_IndicesMapBackToValues(int length, int colours, int maxRun)
    {
        CheckIndexed(length, colours, maxRun, slack: 0);
        CheckIndexed(length, colours, maxRun, slack: RfbPalette.IndexSlack);
    }

    /// <summary>With <paramref name="slack"/> extra index bytes (scratch), the vector paths run to the very end.</summary>
    private static void CheckIndexed(int length, int colours, int maxRun, int slack)
    {
        var random = new Random(length + colours);
        uint[] values = RandomRuns(random, length, colours, maxRun);
        int distinct = values.Distinct().Count();
        var palette = new RfbPalette();
        byte[] indices = new byte[length + slack];

        Assert.True(palette.BuildIndexed(values, 256, indices));
        Assert.Equal(distinct, palette.Count);
        Assert.Equal(values.Distinct().ToArray(), palette.Colours.ToArray()); // order of first appearance
        for (int i = 0; i < length; i++)
        {
            Assert.Equal(values[i], palette.Colours[indices[i]]);
        }

        for (int k = 0; k < palette.Count; k++)
        {
            Assert.Equal(values.Count(v => v == palette.Colours[k]), palette.Counts[k]);
        }
    }

    [Fact]
    public void BuildIndexed_FailsAboveTheLimit_AndTheInstanceIsReusable()
    {
        var random = new Random(7);
        uint[] many = RandomRuns(random, 5000, 20, 3);
        var palette = new RfbPalette();
        byte[] indices = new byte[many.Length];
        int distinct = many.Distinct().Count();

        Assert.False(palette.BuildIndexed(many, distinct - 1, indices));
        Assert.True(palette.BuildIndexed(many, distinct, indices));
        byte[] roomy = new byte[many.Length + RfbPalette.IndexSlack];
        Assert.False(palette.BuildIndexed(many, distinct - 1, roomy));
        Assert.True(palette.BuildIndexed(many, distinct, roomy));
        Assert.Equal(indices, roomy.AsSpan(0, many.Length).ToArray());
        uint[] two = [5, 5, 9, 5, 9, 9, 9];
        Assert.True(palette.BuildIndexed(two, 2, indices));
        Assert.Equal([5u, 9u], palette.Colours.ToArray());
        Assert.Equal([3, 4], palette.Counts.ToArray());
        Assert.Equal([0, 0, 1, 0, 1, 1, 1], indices.AsSpan(0, two.Length).ToArray());

        // A large palette is cleared by refilling the whole table, a small one slot by slot: both leave no trace.
        uint[] wide = RandomRuns(random, 5000, 250, 2);
        Assert.True(palette.BuildIndexed(wide, 256, indices));
        Assert.True(palette.Count > 64);
        Assert.True(palette.BuildIndexed(two, 2, indices));
        Assert.Equal([5u, 9u], palette.Colours.ToArray());
        Assert.Equal([3, 4], palette.Counts.ToArray());
        Assert.False(palette.BuildIndexed(wide, 3, indices));
        Assert.True(palette.BuildIndexed(two, 2, indices));
        Assert.Equal([0, 0, 1, 0, 1, 1, 1], indices.AsSpan(0, two.Length).ToArray());
    }

    private static uint[] RandomRuns(Random random, int length, int colours, int maxRun)
    {
        uint[] set = new uint[colours];
        for (int k = 0; k < colours; k++)
        {
            set[k] = (uint)random.Next(0x1000000) | ((uint)k << 24);
        }

        uint[] values = new uint[length];
        for (int i = 0; i < length;)
        {
            uint v = set[random.Next(colours)];
            int run = Math.Min(length - i, 1 + random.Next(maxRun));
            values.AsSpan(i, run).Fill(v);
            i += run;
        }

        return values;
    }
}
