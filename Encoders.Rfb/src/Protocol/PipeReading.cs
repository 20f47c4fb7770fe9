using System.Buffers;
using System.IO.Pipelines;

namespace Encoders.Rfb.Protocol;

/// <summary>Fixed-size reads for the handshake, where messages are short and strictly alternate.</summary>
internal static class PipeReading
{
    /// <summary>Reads exactly <paramref name="count"/> bytes; throws <see cref="EndOfStreamException"/> when the peer closes first.</summary>
    public static async ValueTask<byte[]> ReadExactlyAsync(this PipeReader reader, int count, CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            if (buffer.Length >= count)
            {
                byte[] bytes = buffer.Slice(0, count).ToArray();
                reader.AdvanceTo(buffer.GetPosition(count));
                return bytes;
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                throw new EndOfStreamException($"the client closed the connection during the handshake ({buffer.Length} of {count} bytes)");
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }
}
