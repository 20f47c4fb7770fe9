using System.Net;
using Damage.Sharing;
using Encoders.Spice;
using Microsoft.Extensions.Logging;

namespace Server.Hosting;

/// <summary>
/// An existing <see cref="SharedDisplay"/> served over SPICE on one TCP port: raw SPICE ("REDQ") and WebSocket
/// ("GET ", for spice-html5 without a proxy) on the same port. SPICE clients speak first, so the sniff never waits.
/// Every SPICE channel is its own connection; <see cref="SpiceServer"/> joins them into sessions. The display (and
/// its device) belong to the caller, e.g. a <see cref="DisplayHost"/>.
/// </summary>
public sealed class SpiceHost : IAsyncDisposable
{
    private readonly TcpHost _tcp;

    public SpiceHost(SharedDisplay display, IPEndPoint endpoint, SpiceServerOptions options, ILogger logger)
    {
        Display = display;
        Server = new SpiceServer(display, options, logger);
        _tcp = new TcpHost(endpoint, Server.RunConnectionAsync, logger, "SPICE");
    }

    public SharedDisplay Display { get; }

    public SpiceServer Server { get; }

    /// <summary>The bound port (valid after <see cref="Start"/>).</summary>
    public int Port => _tcp.LocalEndPoint.Port;

    /// <summary>Binds the port and starts accepting clients (start the display's pump first).</summary>
    public void Start() => _tcp.Start();

    /// <summary>Closes every session and the port; the display keeps running.</summary>
    public async ValueTask DisposeAsync()
    {
        // The host cancels and awaits every connection; only then is the server's key material released.
        await _tcp.DisposeAsync().ConfigureAwait(false);
        Server.Dispose();
    }
}
