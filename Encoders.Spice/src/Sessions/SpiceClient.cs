using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using Encoders.Spice.Protocol;

namespace Encoders.Spice;

/// <summary>
/// One connected SPICE client (a session: the main channel plus the channels joined to it by connection id), with
/// its counters. Listed by <see cref="SpiceServer.Clients"/>.
/// </summary>
[SuppressMessage("Reliability", "CA1001", Justification = "The token source has no timer; Close cancels it and there is nothing else to release.")]
public sealed class SpiceClient
{
    private readonly CancellationTokenSource _closed = new();
    private ImmutableList<SpiceChannelStatistics> _channels = [];
    private uint _mouseMode = SpiceMouseMode.Client;

    internal SpiceClient(uint sessionId, string remote, DateTimeOffset connectedAt)
    {
        SessionId = sessionId;
        Remote = remote;
        ConnectedAt = connectedAt;
    }

    /// <summary>The id the client uses to join further channels (MAIN_INIT <c>session_id</c>).</summary>
    public uint SessionId { get; }

    /// <summary>Where the main channel came from, as the host described it.</summary>
    public string Remote { get; }

    public DateTimeOffset ConnectedAt { get; }

    /// <summary>Counters of every channel connection this client opened (closed ones stay listed).</summary>
    public IReadOnlyList<SpiceChannelStatistics> Channels => Volatile.Read(ref _channels);

    /// <summary>Display counters (image types, cache, GLZ, encode time); null until the display channel joins.</summary>
    public SpiceDisplayStatistics? Display { get; internal set; }

    /// <summary>Current mouse mode: 1 = server (relative), 2 = client (absolute).</summary>
    public uint MouseMode
    {
        get => Volatile.Read(ref _mouseMode);
        internal set => Volatile.Write(ref _mouseMode, value);
    }

    internal CancellationToken Closed => _closed.Token;

    internal void AddChannel(SpiceChannelStatistics statistics) =>
        ImmutableInterlocked.Update(ref _channels, list => list.Add(statistics));

    internal void Close()
    {
        try
        {
            _closed.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
