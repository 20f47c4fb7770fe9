using Codecs.Trace;
using Xunit;

namespace Codecs.Tests.Trace;

public sealed class TraceSmokeTests
{
    [Theory]
    [InlineData(TraceCodec.Raw)]
    [InlineData(TraceCodec.Lz4)]
    [InlineData(TraceCodec.Zlib)]
    public void SmallTrace_Reads(TraceCodec codec)
    {
        byte[] trace = TraceTestData.SmallTrace(codec);
        Assert.Equal(6, TraceTestData.ReadAll(trace));
    }
}
