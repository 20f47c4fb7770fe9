using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;

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

    public TcpTestHost(SpiceServer server)
    {
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
            NetworkStream stream = client.GetStream();
            var pipe = new DuplexPipe(PipeReader.Create(stream), PipeWriter.Create(stream));
            await server.RunConnectionAsync(pipe, client.Client.RemoteEndPoint?.ToString() ?? "tcp", _stop.Token);
        }
    }
}
