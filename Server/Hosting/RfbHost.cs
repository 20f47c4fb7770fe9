using System.Net;
using Damage.Device;
using Damage.Sharing;
using Encoders.Rfb;
using Microsoft.Extensions.Logging;

namespace Server.Hosting;

/// <summary>
/// A display served over RFB on one TCP port (WebSocket on the same port): <see cref="SharedDisplay"/> (one scan per
/// frame) → <see cref="RfbServer"/> → <see cref="TcpHost"/>. Either attached to a <see cref="DisplayHost"/> that other
/// protocol hosts share (<c>serve</c> with RFB and SPICE), or owning its own device and display (tests, RFB only).
/// </summary>
public sealed class RfbHost : IAsyncDisposable
{
    private readonly TcpHost _tcp;
    private readonly DisplayHost? _ownedDisplay;

    /// <summary>
    /// Serves <paramref name="display"/>, which the caller starts and disposes. <paramref name="sniffTimeout"/> is how
    /// long a silent new connection may take to show "GET " (WebSocket); default 100 ms.
    /// </summary>
    public RfbHost(DisplayHost display, IPEndPoint endpoint, RfbServerOptions options, ILogger logger, TimeSpan? sniffTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(display);
        Device = display.Device;
        Display = display.Display;
        Server = new RfbServer(Display, options, logger);
        _tcp = new TcpHost(endpoint, async (pipe, remote, ct) => await Server.ServeAsync(pipe, remote, ct).ConfigureAwait(false), logger, "RFB")
        {
            SniffTimeout = sniffTimeout ?? TimeSpan.FromMilliseconds(100),
        };
    }

    /// <summary>Serves <paramref name="device"/> alone; the host owns the device, its display and the pump.</summary>
    public RfbHost(IDisplayDevice device, IPEndPoint endpoint, RfbServerOptions options, ILogger logger, TimeSpan? sniffTimeout = null)
        : this(new DisplayHost(device, logger), endpoint, options, logger, sniffTimeout, owned: true)
    {
    }

    private RfbHost(DisplayHost display, IPEndPoint endpoint, RfbServerOptions options, ILogger logger, TimeSpan? sniffTimeout, bool owned)
        : this(display, endpoint, options, logger, sniffTimeout)
    {
        _ownedDisplay = owned ? display : null;
    }

    public IDisplayDevice Device { get; }

    public SharedDisplay Display { get; }

    public RfbServer Server { get; }

    /// <summary>The bound port (valid after <see cref="StartAsync"/>).</summary>
    public int Port => _tcp.LocalEndPoint.Port;

    /// <summary>Starts an owned display (waiting for its first frame), then accepts clients.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_ownedDisplay is not null)
        {
            await _ownedDisplay.StartAsync(cancellationToken).ConfigureAwait(false);
        }

        _tcp.Start();
    }

    /// <summary>Completes when an owned display's device ends (a trace without --loop) or its pump fails.</summary>
    public Task Completion => _ownedDisplay?.Completion ?? Task.CompletedTask;

    /// <summary>Closes the port and every connection, then an owned display and its device.</summary>
    public async ValueTask DisposeAsync()
    {
        await _tcp.DisposeAsync().ConfigureAwait(false);
        if (_ownedDisplay is not null)
        {
            await _ownedDisplay.DisposeAsync().ConfigureAwait(false);
        }
    }
}
