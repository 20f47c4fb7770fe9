using System.Net;
using System.Security.Cryptography.X509Certificates;
using Damage.Sharing;
using Encoders.Spice;
using Microsoft.Extensions.Logging;

namespace Server.Hosting;

/// <summary>
/// An existing <see cref="SharedDisplay"/> served over SPICE on one TCP port: raw SPICE ("REDQ") and WebSocket
/// ("GET ", for spice-html5 without a proxy) on the same port. SPICE clients speak first, so the sniff never waits.
/// Every SPICE channel is its own connection; <see cref="SpiceServer"/> joins them into sessions. The display (and
/// its device) belong to the caller, e.g. a <see cref="DisplayHost"/>. Optionally a second, TLS port (spice-server's
/// <c>tls-port</c>; clients connect with <c>spice://host?tls-port=N</c> or <c>spicy -s N</c>) serves the same sessions.
/// </summary>
public sealed class SpiceHost : IAsyncDisposable
{
    private readonly TcpHost _tcp;
    private readonly TcpHost? _tls;

    /// <param name="display">What is served.</param>
    /// <param name="endpoint">The plain port (raw SPICE and WebSocket).</param>
    /// <param name="options">Server settings shared by both ports.</param>
    /// <param name="logger">Connection and session events.</param>
    /// <param name="tlsEndpoint">The TLS port, or null for none; needs <paramref name="tlsCertificate"/>.</param>
    /// <param name="tlsCertificate">The certificate (with its private key) of the TLS port.</param>
    public SpiceHost(
        SharedDisplay display, IPEndPoint endpoint, SpiceServerOptions options, ILogger logger,
        IPEndPoint? tlsEndpoint = null, X509Certificate2? tlsCertificate = null)
    {
        if (tlsEndpoint is not null && tlsCertificate is null)
        {
            throw new ArgumentException("a SPICE TLS port needs a certificate", nameof(tlsCertificate));
        }

        Display = display;
        Server = new SpiceServer(display, options, logger);
        // A SPICE client always speaks first ("REDQ" or "GET "), so the sniff waits for its bytes instead of guessing
        // after the RFB-style 100 ms (a browser slowed by load would otherwise be taken for a raw client).
        _tcp = new TcpHost(endpoint, Server.RunConnectionAsync, logger, "SPICE") { SniffTimeout = TimeSpan.FromSeconds(30) };
        _tls = tlsEndpoint is null ? null : new TcpHost(tlsEndpoint, Server.RunConnectionAsync, logger, "SPICE TLS") { TlsCertificate = tlsCertificate };
    }

    public SharedDisplay Display { get; }

    public SpiceServer Server { get; }

    /// <summary>The bound port (valid after <see cref="Start"/>).</summary>
    public int Port => _tcp.LocalEndPoint.Port;

    /// <summary>The bound TLS port (valid after <see cref="Start"/>), or null without one.</summary>
    public int? TlsPort => _tls?.LocalEndPoint.Port;

    /// <summary>Binds the port(s) and starts accepting clients (start the display's pump first).</summary>
    public void Start()
    {
        _tcp.Start();
        _tls?.Start();
    }

    /// <summary>Closes every session and the port; the display keeps running.</summary>
    public async ValueTask DisposeAsync()
    {
        // The host cancels and awaits every connection; only then is the server's key material released.
        await _tcp.DisposeAsync().ConfigureAwait(false);
        if (_tls is not null)
        {
            await _tls.DisposeAsync().ConfigureAwait(false);
        }

        Server.Dispose();
    }
}
