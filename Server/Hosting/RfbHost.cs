using System.Net;
using Damage.Device;
using Damage.Sharing;
using Encoders.Rfb;
using Microsoft.Extensions.Logging;

namespace Server.Hosting;

/// <summary>
/// A display device served over RFB on one TCP port (WebSocket on the same port): device → <see cref="SharedDisplay"/>
/// (one scan per frame) → <see cref="RfbServer"/> → <see cref="TcpHost"/>. The SPICE adapter attaches to the same
/// <see cref="Display"/> with its own <see cref="TcpHost"/>.
/// </summary>
public sealed class RfbHost : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly TcpHost _tcp;
    private Task? _pump;

    /// <param name="device">The display to serve.</param>
    /// <param name="endpoint">Where to listen (port 0: any free port).</param>
    /// <param name="options">RFB settings.</param>
    /// <param name="logger">Connection and client events.</param>
    /// <param name="sniffTimeout">How long a silent new connection may take to show "GET " (WebSocket); default 100 ms.</param>
    public RfbHost(IDisplayDevice device, IPEndPoint endpoint, RfbServerOptions options, ILogger logger, TimeSpan? sniffTimeout = null)
    {
        Device = device;
        Display = new SharedDisplay(device, logger: logger);
        Server = new RfbServer(Display, options, logger);
        _tcp = new TcpHost(endpoint, async (pipe, remote, ct) => await Server.ServeAsync(pipe, remote, ct).ConfigureAwait(false), logger, "RFB")
        {
            SniffTimeout = sniffTimeout ?? TimeSpan.FromMilliseconds(100),
        };
    }

    public IDisplayDevice Device { get; }

    public SharedDisplay Display { get; }

    public RfbServer Server { get; }

    /// <summary>The bound port (valid after <see cref="StartAsync"/>).</summary>
    public int Port => _tcp.LocalEndPoint.Port;

    /// <summary>Starts the display pump, waits for the first frame, then starts accepting clients.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _pump = Display.RunAsync(_stop.Token);
        await Display.WaitForFirstFrameAsync(cancellationToken).ConfigureAwait(false);
        _tcp.Start();
    }

    /// <summary>Completes when the device ends (a trace without --loop) or the pump fails.</summary>
    public Task Completion => _pump ?? Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _tcp.DisposeAsync().ConfigureAwait(false);
        if (_pump is not null)
        {
            try
            {
                await _pump.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        await Display.DisposeAsync().ConfigureAwait(false);
        await Device.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}
