using Damage.Device;
using Damage.Sharing;
using Microsoft.Extensions.Logging;

namespace Server.Hosting;

/// <summary>
/// One display device and the <see cref="SharedDisplay"/> that scans it once per frame, with the pump that drives
/// it. Protocol hosts (<see cref="SpiceHost"/>, and later RFB) attach to <see cref="Display"/>, so one device feeds
/// every adapter.
/// </summary>
public sealed class DisplayHost : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _pump;

    public DisplayHost(IDisplayDevice device, ILogger logger)
    {
        Device = device;
        Display = new SharedDisplay(device, logger: logger);
    }

    public IDisplayDevice Device { get; }

    public SharedDisplay Display { get; }

    /// <summary>Starts the pump and waits for the first frame, so clients attached afterwards always have a picture.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _pump = Display.RunAsync(_stop.Token);
        await Display.WaitForFirstFrameAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Completes when the device ends (a trace without --loop) or the pump fails.</summary>
    public Task Completion => _pump ?? Task.CompletedTask;

    /// <summary>Stops the pump, then disposes the display and the device. Dispose the protocol hosts first.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
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
