using System.Text;
using Codecs.Trace;
using Xunit;

namespace Codecs.Tests.Trace;

public sealed class Crc32CTests
{
    [Fact]
    public void CheckValue()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute(Encoding.ASCII.GetBytes("123456789")));
        Assert.Equal(0u, Crc32C.Compute([]));
    }

    [Fact]
    public void KnownVectors()
    {
        // RFC 3720 (iSCSI) appendix B.4: 32 bytes of zeros, of 0xFF, and ascending 0..31.
        Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32]));
        Assert.Equal(0x62A8AB43u, Crc32C.Compute(Enumerable.Repeat((byte)0xFF, 32).ToArray()));
        Assert.Equal(0x46DD794Eu, Crc32C.Compute(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()));
    }

    [Fact]
    public void Append_InPieces_EqualsWhole()
    {
        byte[] data = new byte[1000];
        new Random(1).NextBytes(data);
        uint whole = Crc32C.Compute(data);
        for (int split = 0; split <= data.Length; split += 37)
        {
            uint crc = Crc32C.Append(Crc32C.Initial, data.AsSpan(0, split));
            Assert.Equal(whole, ~Crc32C.Append(crc, data.AsSpan(split)));
        }
    }
}
