using System.IO.Pipelines;
using Codecs;
using Damage;
using Damage.Device;
using Damage.Sharing;
using Encoders.Rfb.Protocol;
using Encoders.Rfb.Security;
using Encoders.Rfb.Session;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Encoders.Rfb;

/// <summary>
/// The RFB adapter: serves a <see cref="SharedDisplay"/> to any number of clients, each on its own
/// <see cref="IDuplexPipe"/> (a TCP socket, a WebSocket, or an in-memory pipe in tests).
/// </summary>
/// <remarks>
/// Transport-agnostic: the host accepts connections and calls <see cref="ServeAsync"/> once per connection. A client
/// that misbehaves (garbage, wrong password, timeout) is logged and dropped; the others keep being served.
/// </remarks>
public sealed partial class RfbServer
{
    private readonly SharedDisplay _display;
    private readonly ILogger _logger;
    private readonly Lock _clientsGate = new();
    private readonly List<RfbClientStatistics> _connected = [];
    private readonly Queue<RfbClientStatistics> _finished = new();
    private long _nextId;

    /// <exception cref="ArgumentException">The password gives a DES weak key.</exception>
    public RfbServer(SharedDisplay display, RfbServerOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(display);
        _display = display;
        Options = options ?? new RfbServerOptions();
        _logger = logger ?? NullLogger.Instance;
        if (Options.Password is not null)
        {
            _ = new VncAuthentication(Options.Password);
        }
    }

    public RfbServerOptions Options { get; }

    /// <summary>How many finished clients <see cref="FinishedClients"/> remembers.</summary>
    public const int FinishedClientHistory = 256;

    /// <summary>Statistics of the clients connected now.</summary>
    public IReadOnlyList<RfbClientStatistics> Clients
    {
        get
        {
            lock (_clientsGate)
            {
                return [.. _connected];
            }
        }
    }

    /// <summary>Statistics of the most recent clients that disconnected (at most <see cref="FinishedClientHistory"/>).</summary>
    public IReadOnlyList<RfbClientStatistics> FinishedClients
    {
        get
        {
            lock (_clientsGate)
            {
                return [.. _finished];
            }
        }
    }

    /// <summary>
    /// Serves one client connection until it ends; never throws for the client's faults (they are logged and end the
    /// connection). Completes the pipe's reader and writer when done.
    /// </summary>
    /// <param name="transport">The connection.</param>
    /// <param name="remote">A description of the peer for logs and statistics.</param>
    /// <param name="cancellationToken">Stops serving (server shutdown).</param>
    /// <returns>The client's final statistics.</returns>
    public async Task<RfbClientStatistics> ServeAsync(IDuplexPipe transport, string remote, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transport);
        var statistics = new RfbClientStatistics(Interlocked.Increment(ref _nextId), remote);
        lock (_clientsGate)
        {
            _connected.Add(statistics);
        }

        IDuplexPipe current = transport;
        string reason;
        try
        {
            await _display.WaitForFirstFrameAsync(cancellationToken).ConfigureAwait(false);
            DisplayMode mode = _display.Mode;
            HandshakeResult handshake;
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                timeout.CancelAfter(Options.HandshakeTimeout);
                try
                {
                    handshake = await Handshake.RunAsync(transport, Options, mode.Width, mode.Height, timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"handshake not finished within {Options.HandshakeTimeout.TotalSeconds:F0} s");
                }
            }

            current = handshake.Transport;
            statistics.Version = RfbVersionString.Name(handshake.Version);
            statistics.Security = handshake.Security;
            LogConnected(_logger, statistics.Id, remote, statistics.Version, statistics.Security, mode.Width, mode.Height);
            using DisplayClient client = _display.Connect(RectCostModel.Rfb);
            using var session = new RfbSession(current, client, _display.Device, statistics, Options, _logger);
            reason = await session.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is CodecDataException or RfbAuthenticationException or IOException or TimeoutException or
            OperationCanceledException or System.Security.Authentication.AuthenticationException or ObjectDisposedException)
        {
            reason = ex switch
            {
                OperationCanceledException => "server stopped",
                RfbAuthenticationException => "authentication failed: " + ex.Message,
                EndOfStreamException => ex.Message,
                _ => $"{ex.GetType().Name}: {ex.Message}",
            };
        }

        statistics.DisconnectReason = reason;
        await current.Input.CompleteAsync().ConfigureAwait(false);
        await current.Output.CompleteAsync().ConfigureAwait(false);
        if (!ReferenceEquals(current, transport))
        {
            await transport.Input.CompleteAsync().ConfigureAwait(false);
            await transport.Output.CompleteAsync().ConfigureAwait(false);
        }

        lock (_clientsGate)
        {
            _connected.Remove(statistics);
            _finished.Enqueue(statistics);
            if (_finished.Count > FinishedClientHistory)
            {
                _finished.Dequeue();
            }
        }

        LogDisconnected(_logger, statistics.Id, reason, statistics);
        return statistics;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "RFB client {Id} from {Remote} connected: RFB {Version}, {Security}, {Width}x{Height}")]
    private static partial void LogConnected(ILogger logger, long id, string remote, string version, string security, int width, int height);

    [LoggerMessage(Level = LogLevel.Information, Message = "RFB client {Id} disconnected ({Reason}): {Statistics}")]
    private static partial void LogDisconnected(ILogger logger, long id, string reason, RfbClientStatistics statistics);
}
