using System.Buffers;
using System.Buffers.Binary;
using Codecs;
using Codecs.Pixels;
using Encoders.Spice.Protocol;
using Xunit;

namespace Encoders.Spice.Tests;

public sealed class FramingTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Message_RoundTrips_ThroughBothHeaderForms_AndParsingIsResumable(bool miniHeader)
    {
        var buffer = new MessageBuffer();
        buffer.Begin(304, miniHeader, serial: 7);
        buffer.Rect(new Rect(10, 20, 2, 2));
        buffer.U8(0);
        byte[] wire = buffer.Finish().ToArray();
        Assert.Equal((miniHeader ? 6 : 18) + 17, wire.Length);
        if (!miniHeader)
        {
            Assert.Equal(7ul, BinaryPrimitives.ReadUInt64LittleEndian(wire));
        }

        // Worked example of the research notes: box = top 20, left 10, bottom 22, right 12.
        byte[] body = wire[^17..];
        Assert.Equal([20, 0, 0, 0, 10, 0, 0, 0, 22, 0, 0, 0, 12, 0, 0, 0, 0], body);

        for (int cut = 0; cut < wire.Length; cut++)
        {
            var partial = new ReadOnlySequence<byte>(wire, 0, cut);
            Assert.False(MessageFraming.TryRead(ref partial, miniHeader, 1024, 0, out _));
        }

        var whole = new ReadOnlySequence<byte>(wire);
        Assert.True(MessageFraming.TryRead(ref whole, miniHeader, 1024, 0, out SpiceMessage message));
        Assert.Equal(304, message.Type);
        Assert.Equal(body, message.Body.ToArray());
        Assert.Equal(0, whole.Length);
    }

    [Fact]
    public void OversizedOrSubListMessages_AreCodecDataExceptions()
    {
        byte[] mini = [101, 0, 0xFF, 0xFF, 0, 0];
        var sequence = new ReadOnlySequence<byte>(mini);
        Assert.Throws<CodecDataException>(() => MessageFraming.TryRead(ref sequence, true, 1024, 0, out _));

        var full = new byte[18];
        BinaryPrimitives.WriteUInt16LittleEndian(full.AsSpan(8), 101);
        BinaryPrimitives.WriteUInt32LittleEndian(full.AsSpan(14), 6); // sub_list
        sequence = new ReadOnlySequence<byte>(full);
        Assert.Equal(MessageFraming.FormatName, Assert.Throws<CodecDataException>(() => MessageFraming.TryRead(ref sequence, false, 1024, 0, out _)).Format);
    }
}
