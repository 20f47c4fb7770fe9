using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Server.Hosting;

/// <summary>
/// Accepts TCP connections on one port and hands each to a <see cref="ConnectionHandler"/> as an
/// <see cref="IDuplexPipe"/>. The first bytes decide the transport: <c>"GET "</c> is a WebSocket upgrade (served on
/// the same port, any path), anything else — or silence, since an RFB client waits for the server's greeting — is
/// the raw protocol. Protocol-agnostic: the RFB and SPICE adapters both plug in here.
/// With <see cref="TlsCertificate"/> set, the port is a TLS port instead (SPICE's "secure port"): every connection
/// starts with a TLS handshake and then carries the raw protocol; there is no WebSocket sniffing.
/// </summary>
public sealed partial class TcpHost : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly ConnectionHandler _handler;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Lock _gate = new();
    private Task? _accepting;

    /// <param name="endpoint">Where to listen; port 0 picks a free port (see <see cref="LocalEndPoint"/>).</param>
    /// <param name="handler">Serves each connection.</param>
    /// <param name="logger">Connection-level events (the handler logs its own).</param>
    /// <param name="name">What is served, for logs ("RFB").</param>
    public TcpHost(IPEndPoint endpoint, ConnectionHandler handler, ILogger logger, string name)
    {
        _listener = new TcpListener(endpoint);
        _handler = handler;
        _logger = logger;
        Name = name;
    }

    public string Name { get; }

    /// <summary>How long a silent connection is given before it counts as a raw-protocol client (libvncserver: 100 ms).</summary>
    public TimeSpan SniffTimeout { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>When set, every connection is TLS with this certificate before the protocol starts.</summary>
    public X509Certificate2? TlsCertificate { get; init; }

    /// <summary>How long a client gets to finish the TLS handshake on a TLS port.</summary>
    public TimeSpan TlsHandshakeTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The bound endpoint (valid after <see cref="Start"/>).</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)_listener.LocalEndpoint;

    /// <summary>Connections served so far.</summary>
    public long Accepted { get; private set; }

    /// <summary>Binds the port and starts accepting in the background.</summary>
    public void Start()
    {
        _listener.Start();
        LogListening(_logger, Name, LocalEndPoint);
        _accepting = AcceptLoopAsync(_stop.Token);
    }

    private async Task AcceptLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (SocketException ex)
            {
                LogAcceptFailed(_logger, Name, ex.Message);
                continue;
            }

            Accepted++;
            Task connection = ServeConnectionAsync(socket, cancellationToken);
            lock (_gate)
            {
                _connections.RemoveAll(t => t.IsCompleted);
                _connections.Add(connection);
            }
        }
    }

    private async Task ServeConnectionAsync(Socket socket, CancellationToken cancellationToken)
    {
        string remote = socket.RemoteEndPoint?.ToString() ?? "unknown";
        socket.NoDelay = true;
        await using var stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            if (TlsCertificate is not null)
            {
                await using var tls = new SslStream(stream, leaveInnerStreamOpen: true);
                using (var handshake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    handshake.CancelAfter(TlsHandshakeTimeout);
                    await tls.AuthenticateAsServerAsync(
                        new SslServerAuthenticationOptions { ServerCertificate = TlsCertificate, ClientCertificateRequired = false },
                        handshake.Token).ConfigureAwait(false);
                }

                await _handler(new SocketPipe(tls), remote + " (tls)", cancellationToken).ConfigureAwait(false);
            }
            else if (await LooksLikeHttpAsync(socket, cancellationToken).ConfigureAwait(false))
            {
                string? protocol = await WebSocketHandshake.AcceptAsync(stream, cancellationToken).ConfigureAwait(false);
                WebSocket webSocket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions
                {
                    IsServer = true,
                    SubProtocol = protocol,
                    KeepAliveInterval = TimeSpan.FromSeconds(30),
                });
                await using var pipe = new WebSocketDuplexPipe(webSocket);
                await _handler(pipe, remote + " (websocket)", cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var pipe = new SocketPipe(stream);
                await _handler(pipe, remote, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or SocketException or OperationCanceledException or WebSocketException or AuthenticationException)
        {
            LogConnectionFailed(_logger, Name, remote, ex.Message);
        }
    }

    /// <summary>Peeks (without consuming) for "GET " within <see cref="SniffTimeout"/>.</summary>
    private async Task<bool> LooksLikeHttpAsync(Socket socket, CancellationToken cancellationToken)
    {
        byte[] peek = new byte[4];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(SniffTimeout);
        try
        {
            while (true)
            {
                int available = await socket.ReceiveAsync(peek, SocketFlags.Peek, timeout.Token).ConfigureAwait(false);
                if (available == 0 || !"GET "u8[..available].SequenceEqual(peek.AsSpan(0, available)))
                {
                    // Closed, or bytes that are not the start of "GET " (gtk-vnc's early "RFB ").
                    return false;
                }

                if (available == 4)
                {
                    return true;
                }

                // A prefix of "GET " arrived: give the rest a moment.
                await Task.Delay(5, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        if (_accepting is not null)
        {
            await _accepting.ConfigureAwait(false);
        }

        Task[] connections;
        lock (_gate)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll(connections).ConfigureAwait(false);
        _stop.Dispose();
    }

    /// <summary>A plain TCP connection as a pipe; flushes wait for the socket, which is the backpressure the session relies on.</summary>
    private sealed class SocketPipe(Stream stream) : IDuplexPipe
    {
        public PipeReader Input { get; } = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));

        public PipeWriter Output { get; } = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Name} listening on {Endpoint}")]
    private static partial void LogListening(ILogger logger, string name, IPEndPoint endpoint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Name}: accept failed: {Reason}")]
    private static partial void LogAcceptFailed(ILogger logger, string name, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Name}: connection from {Remote} ended: {Reason}")]
    private static partial void LogConnectionFailed(ILogger logger, string name, string remote, string reason);
}
