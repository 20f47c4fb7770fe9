using Encoders.Spice.Protocol;
using Xunit;

namespace Encoders.Spice.Tests.Support;

/// <summary>A test display channel plus the canvas it paints, able to catch up with everything the server sent.</summary>
internal sealed class DisplayClientReader(TestChannel channel, SpiceServer server, uint sessionId) : IDisposable
{
    private long _received;

    public ClientCanvas Canvas { get; } = new();

    public TestChannel Channel => channel;

    public List<ushort> Types { get; } = [];

    public SpiceClient Client => server.Clients.Single(c => c.SessionId == sessionId);

    private long Sent => Client.Channels.Single(c => c.Channel == SpiceChannelType.Display).MessagesSent;

    /// <summary>Reads and paints until everything sent so far is consumed and the picture equals <paramref name="expected"/>.</summary>
    public async Task CatchUpAsync(byte[] expected, int stride, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(60));
        int differences = -1;
        try
        {
            while (true)
            {
                if (_received == Sent && Canvas.Width > 0 && (differences = Canvas.CountDifferences(expected, stride)) == 0)
                {
                    return;
                }

                await ReadOneAsync(deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Assert.Fail($"the client's picture did not converge: {differences} pixels differ after {_received} messages ({Sent} sent)");
        }
    }

    /// <summary>Reads and paints until a message of <paramref name="type"/> was applied.</summary>
    public async Task ReadUntilAsync(ushort type, CancellationToken cancellationToken)
    {
        while (await ReadOneAsync(cancellationToken) != type)
        {
        }
    }

    public async Task<ushort> ReadOneAsync(CancellationToken cancellationToken)
    {
        ReceivedMessage message = await channel.ReadAsync(cancellationToken) ?? throw new EndOfStreamException("display channel closed");
        _received++;
        Types.Add(message.Type);
        Canvas.Apply(message);
        return message.Type;
    }

    public void Dispose() => Canvas.Dispose();
}
