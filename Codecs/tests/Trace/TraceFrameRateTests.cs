using Codecs.Trace;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace Codecs.Tests.Trace;

public sealed class TraceFrameRateTests
{
    [Fact]
    public void TimestampOf_KnownValues()
    {
        Assert.Equal(0, new TraceFrameRate(30).TimestampOf(0));
        Assert.Equal(33_333, new TraceFrameRate(30).TimestampOf(1));
        Assert.Equal(1_000_000, new TraceFrameRate(30).TimestampOf(30));
        Assert.Equal(33_366, new TraceFrameRate(30000, 1001).TimestampOf(1));
        Assert.Equal(1_001_000, new TraceFrameRate(30000, 1001).TimestampOf(30));
        Assert.Equal(long.MaxValue, new TraceFrameRate(1, 1_000_000).TimestampOf(long.MaxValue));
    }

    [Fact]
    public void FrameIndexAt_InvertsTimestampOf()
    {
        Prop.ForAll(
            Gen.Choose(1, TraceFormat.MaxFrameRateTerm).ToArbitrary(),
            Gen.Choose(1, 2000).ToArbitrary(),
            Gen.Choose(0, int.MaxValue).ToArbitrary(),
            (numerator, denominator, index) =>
            {
                // At most 10^6 fps, so frames are at least 1 µs apart and the mapping is exact both ways.
                var rate = new TraceFrameRate(numerator, denominator);
                return rate.FrameIndexAt(rate.TimestampOf(index)) == index
                    && rate.FrameIndexAt(rate.TimestampOf(index + 1L) - 1) == index;
            }).QuickCheckThrowOnFailure();

        var ntsc = new TraceFrameRate(30000, 1001);
        for (long k = 0; k < 100_000; k++)
        {
            long t = ntsc.TimestampOf(k);
            Assert.Equal(k, ntsc.FrameIndexAt(t));
            Assert.Equal(k, ntsc.FrameIndexAt(ntsc.TimestampOf(k + 1) - 1));
        }
    }

    [Fact]
    public void Constructor_RejectsOutOfRangeTerms()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TraceFrameRate(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TraceFrameRate(30, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TraceFrameRate(TraceFormat.MaxFrameRateTerm + 1));
        Assert.Equal("30000/1001 fps", new TraceFrameRate(30000, 1001).ToString());
    }
}
