using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Encoders.Spice.Tests.Support;

/// <summary>
/// The minimal TCP accept loop the real-client tests need (hosting proper lives in <c>Server/Hosting</c>):
/// TcpListener → NetworkStream → PipeReader/PipeWriter → <see cref="SpiceServer.RunConnectionAsync"/>.
/// </summary>
internal sealed class TcpTestHost : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Task _accept;

    private readonly X509Certificate2? _certificate;

    /// <param name="server">The server to hand connections to.</param>
    /// <param name="certificate">When given, every connection is TLS (a SPICE "secure port"): SslStream first, then the link.</param>
    public TcpTestHost(SpiceServer server, X509Certificate2? certificate = null)
    {
        _certificate = certificate;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accept = AcceptAsync(server);
    }

    public int Port { get; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accept;
        }
        catch (OperationCanceledException)
        {
        }

        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll(connections).WaitAsync(TimeSpan.FromSeconds(30));
        _stop.Dispose();
    }

    private async Task AcceptAsync(SpiceServer server)
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            lock (_connections)
            {
                _connections.Add(ServeAsync(server, client));
            }
        }
    }

    private async Task ServeAsync(SpiceServer server, TcpClient client)
    {
        using (client)
        {
            client.NoDelay = true;
            Stream stream = client.GetStream();
            if (_certificate is not null)
            {
                var tls = new SslStream(stream);
                try
                {
                    await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate }, _stop.Token);
                }
                catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException)
                {
                    await tls.DisposeAsync();
                    return;
                }

                stream = tls;
            }

            await using Stream owned = stream;
            var pipe = new DuplexPipe(PipeReader.Create(stream), PipeWriter.Create(stream));
            await server.RunConnectionAsync(pipe, client.Client.RemoteEndPoint?.ToString() ?? "tcp", _stop.Token);
        }
    }
}
