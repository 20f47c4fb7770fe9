using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Security.Cryptography;
using Codecs;
using Damage.Sharing;
using Encoders.Spice.Channels;
using Encoders.Spice.Display;
using Encoders.Spice.Link;
using Encoders.Spice.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Encoders.Spice;

/// <summary>
/// A SPICE server for one shared display. The host hands it every accepted connection as an <see cref="IDuplexPipe"/>
/// (TCP, TLS or WebSocket already unwrapped); each connection is one channel, joined to its client by connection id.
/// Several clients may be connected at once; each gets its own session and its own bounded view of the display.
/// </summary>
public sealed partial class SpiceServer : IDisposable
{
    private readonly IDisplaySource _source;
    private readonly SpiceServerOptions _options;
    private readonly ILogger _logger;
    private readonly TicketAuthenticator _tickets;
    private readonly MultimediaClock _clock;
    private readonly ConcurrentDictionary<uint, SpiceClient> _clients = new();

    /// <summary>Serves <paramref name="display"/>; run its pump (<see cref="SharedDisplay.RunAsync"/>) alongside.</summary>
    public SpiceServer(SharedDisplay display, SpiceServerOptions? options = null, ILogger? logger = null)
        : this(new SharedDisplaySource(display), options, logger)
    {
    }

    internal SpiceServer(IDisplaySource source, SpiceServerOptions? options = null, ILogger? logger = null)
    {
        _source = source;
        _options = options ?? new SpiceServerOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.TileSize, 16, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(_options.AckWindow, nameof(options));
        _logger = logger ?? NullLogger.Instance;
        _tickets = new TicketAuthenticator(_options.Password, _options.PasswordExpiry, _options.TimeProvider);
        _clock = new MultimediaClock(_options.TimeProvider);
    }

    /// <summary>Display counters summed over every display channel this server has served, closed ones included.</summary>
    public SpiceDisplayStatistics DisplayTotals { get; } = new();

    /// <summary>The connected clients (sessions whose main channel is open), with their counters.</summary>
    public IReadOnlyList<SpiceClient> Clients => [.. _clients.Values];

    /// <summary>
    /// Serves one connection until the client leaves: the link stage, then the channel it asked for. Malformed input
    /// or a failed ticket drops this connection only (logged); the returned task does not fault for client errors.
    /// </summary>
    /// <param name="transport">The connection; both directions are completed on return.</param>
    /// <param name="remote">How to name the peer in logs and <see cref="SpiceClient.Remote"/>.</param>
    /// <param name="cancellationToken">Closes the connection.</param>
    public async Task RunConnectionAsync(IDuplexPipe transport, string remote, CancellationToken cancellationToken = default)
    {
        SpiceClient? ownedSession = null;
        SpiceChannel? channel = null;
        try
        {
            (ownedSession, channel) = await LinkAsync(transport, remote, cancellationToken);
            if (channel is not null)
            {
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, channel.Session.Closed);
                LogChannelOpen(remote, channel.Session.SessionId, channel.Link.ChannelType);
                await channel.RunAsync(linked.Token);
                LogChannelClosed(remote, channel.Session.SessionId, channel.Link.ChannelType);
            }
        }
        catch (CodecDataException e)
        {
            LogDropped(remote, e.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested || channel?.Session.Closed.IsCancellationRequested == true)
        {
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // Resets and EOF in the middle of anything are normal for these clients (research notes §12.24).
            LogConnectionLost(remote, e.Message);
        }
        catch (Exception e)
        {
            // A bug on our side: drop this connection, keep serving the others, and say so loudly.
            LogConnectionFailed(e, remote);
        }
        finally
        {
            (channel as IDisposable)?.Dispose();
            if (ownedSession is not null)
            {
                _clients.TryRemove(ownedSession.SessionId, out _);
                ownedSession.Close();
                LogClientDisconnected(remote, ownedSession.SessionId);
            }

            await transport.Input.CompleteAsync();
            await transport.Output.CompleteAsync();
        }
    }

    public void Dispose()
    {
        foreach (SpiceClient client in _clients.Values)
        {
            client.Close();
        }

        _tickets.Dispose();
    }

    private async Task<(SpiceClient? Owned, SpiceChannel? Channel)> LinkAsync(IDuplexPipe transport, string remote, CancellationToken cancellationToken)
    {
        PipeReader input = transport.Input;
        LinkMessage? link;
        bool versionMismatch;
        while (true)
        {
            ReadResult read = await input.ReadAsync(cancellationToken);
            ReadOnlySequence<byte> buffer = read.Buffer;
            if (LinkProtocol.TryReadLinkMessage(ref buffer, out link, out versionMismatch))
            {
                // Only the link message is consumed and examined: a client may already have sent what follows.
                input.AdvanceTo(buffer.Start);
                break;
            }

            input.AdvanceTo(buffer.Start, buffer.End);

            if (read.IsCompleted)
            {
                return (null, null); // closed during the link: nothing to say
            }
        }

        if (versionMismatch)
        {
            await WriteAsync(transport, LinkProtocol.BuildReply(SpiceLinkError.VersionMismatch, default, 0, 0), cancellationToken);
            LogLinkRefused(remote, "protocol major version is not 2");
            return (null, null);
        }

        uint channelCaps = link!.ChannelType switch
        {
            SpiceChannelType.Display => DisplayChannel.ServerCaps,
            _ => 0,
        };
        bool known = link.ChannelId == 0 && link.ChannelType is SpiceChannelType.Main or SpiceChannelType.Display or SpiceChannelType.Inputs or SpiceChannelType.Cursor;
        if (!known)
        {
            await WriteAsync(transport, LinkProtocol.BuildReply(SpiceLinkError.ChannelNotAvailable, default, 0, 0), cancellationToken);
            LogLinkRefused(remote, $"no channel {link.ChannelType}:{link.ChannelId}");
            return (null, null);
        }

        await WriteAsync(transport, LinkProtocol.BuildReply(SpiceLinkError.Ok, _tickets.PublicKey, SpiceCaps.ServerCommonCaps, channelCaps), cancellationToken);

        int authLength = link.HasCommonCap(SpiceCaps.CommonAuthSelection) ? 4 + LinkProtocol.TicketLength : LinkProtocol.TicketLength;
        byte[] auth = await ReadExactlyAsync(input, authLength, cancellationToken);
        if (authLength > LinkProtocol.TicketLength && BinaryPrimitives.ReadUInt32LittleEndian(auth) != SpiceCaps.CommonAuthSpice)
        {
            await WriteResultAsync(transport, SpiceLinkError.PermissionDenied, cancellationToken);
            LogLinkRefused(remote, "authentication mechanism other than SPICE tickets (SASL is not offered)");
            return (null, null);
        }

        if (!_tickets.Check(auth.AsSpan(authLength - LinkProtocol.TicketLength), out string reason))
        {
            await WriteResultAsync(transport, SpiceLinkError.PermissionDenied, cancellationToken);
            LogLinkRefused(remote, reason);
            return (null, null);
        }

        SpiceClient? owned = null;
        SpiceClient? session;
        if (link.ChannelType == SpiceChannelType.Main)
        {
            if (link.ConnectionId != 0)
            {
                await WriteResultAsync(transport, SpiceLinkError.BadConnectionId, cancellationToken);
                LogLinkRefused(remote, "main channel with a connection id (migration is not supported)");
                return (null, null);
            }

            session = owned = NewSession(remote);
        }
        else if (!_clients.TryGetValue(link.ConnectionId, out session))
        {
            await WriteResultAsync(transport, SpiceLinkError.BadConnectionId, cancellationToken);
            LogLinkRefused(remote, $"unknown connection id {link.ConnectionId}");
            return (null, null);
        }

        // Registered before the client hears OK, so its counters are listed as soon as it can use the channel.
        SpiceChannel channel = CreateChannel(transport, link, session);
        session.AddChannel(channel.Statistics);
        try
        {
            await WriteResultAsync(transport, SpiceLinkError.Ok, cancellationToken);
        }
        catch
        {
            (channel as IDisposable)?.Dispose();
            if (owned is not null)
            {
                _clients.TryRemove(owned.SessionId, out _);
                owned.Close();
            }

            throw;
        }
        if (owned is not null)
        {
            LogClientConnected(remote, owned.SessionId);
        }

        return (owned, channel);
    }

    private SpiceChannel CreateChannel(IDuplexPipe transport, LinkMessage link, SpiceClient session)
    {
        switch (link.ChannelType)
        {
            case SpiceChannelType.Main:
                return new MainChannel(transport, link, session, _clock);
            case SpiceChannelType.Display:
                var display = new DisplayChannel(transport, link, session, _source, _options, DisplayTotals);
                session.Display = display.DisplayStatistics;
                return display;
            case SpiceChannelType.Inputs:
                return new InputsChannel(transport, link, session, _source.Device);
            default:
                return new CursorChannel(transport, link, session, _source);
        }
    }

    private SpiceClient NewSession(string remote)
    {
        while (true)
        {
            uint id = (uint)RandomNumberGenerator.GetInt32(1, int.MaxValue);
            var session = new SpiceClient(id, remote, _options.TimeProvider.GetUtcNow());
            if (_clients.TryAdd(id, session))
            {
                return session;
            }
        }
    }

    private static async Task<byte[]> ReadExactlyAsync(PipeReader input, int length, CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult read = await input.ReadAtLeastAsync(length, cancellationToken);
            if (read.Buffer.Length >= length)
            {
                byte[] bytes = read.Buffer.Slice(0, length).ToArray();
                input.AdvanceTo(read.Buffer.GetPosition(length));
                return bytes;
            }

            input.AdvanceTo(read.Buffer.Start, read.Buffer.End);
            if (read.IsCompleted || read.IsCanceled)
            {
                throw new EndOfStreamException("The client closed the connection during the link stage.");
            }
        }
    }

    private static async Task WriteResultAsync(IDuplexPipe transport, SpiceLinkError result, CancellationToken cancellationToken)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, (uint)result);
        await WriteAsync(transport, bytes, cancellationToken);
    }

    private static async Task WriteAsync(IDuplexPipe transport, byte[] bytes, CancellationToken cancellationToken) =>
        await transport.Output.WriteAsync(bytes, cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "SPICE client {Remote} connected as session {SessionId}")]
    private partial void LogClientConnected(string remote, uint sessionId);

    [LoggerMessage(Level = LogLevel.Information, Message = "SPICE client {Remote} (session {SessionId}) disconnected")]
    private partial void LogClientDisconnected(string remote, uint sessionId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "SPICE {Remote} session {SessionId}: {Channel} channel open")]
    private partial void LogChannelOpen(string remote, uint sessionId, SpiceChannelType channel);

    [LoggerMessage(Level = LogLevel.Debug, Message = "SPICE {Remote} session {SessionId}: {Channel} channel closed")]
    private partial void LogChannelClosed(string remote, uint sessionId, SpiceChannelType channel);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SPICE link from {Remote} refused: {Reason}")]
    private partial void LogLinkRefused(string remote, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SPICE connection from {Remote} dropped: {Reason}")]
    private partial void LogDropped(string remote, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "SPICE connection from {Remote} failed")]
    private partial void LogConnectionFailed(Exception exception, string remote);

    [LoggerMessage(Level = LogLevel.Debug, Message = "SPICE connection from {Remote} lost: {Reason}")]
    private partial void LogConnectionLost(string remote, string reason);
}
