using System.Net;
using Damage.Device;
using Encoders.Rfb;
using Microsoft.Extensions.Logging;
using Server.Hosting;
using Xunit;

namespace Server.Tests.Interop.Browser;

/// <summary>
/// An in-process RFB host on a free loopback port (WebSocket on the same port, as noVNC connects) playing a corpus
/// trace through a <see cref="SteppedDevice"/>; like <see cref="InteropServer"/>, but the held frame can be advanced.
/// </summary>
internal sealed class BrowserServer : IAsyncDisposable
{
    private BrowserServer(RfbHost host, SteppedDevice device)
    {
        Host = host;
        Device = device;
    }

    public RfbHost Host { get; }

    public SteppedDevice Device { get; }

    public string WebSocketUrl => $"ws://127.0.0.1:{Host.Port}/";

    public static async Task<BrowserServer> StartAsync(string trace, int frames, RfbServerOptions options)
    {
        var device = new SteppedDevice(new TraceReplayDevice(Path.Combine(ToolRunner.RepositoryRoot, "corpus", trace), new TraceReplayOptions { RealTime = false }), initialSteps: frames);
        // Only WebSocket clients connect here: a generous sniff window, so a browser whose request is slowed by a loaded
        // CI machine is not mistaken for a raw RFB client (the 100 ms default was exceeded once in CI).
        var host = new RfbHost(
            device, new IPEndPoint(IPAddress.Loopback, 0), options, new ConsoleLogger(LogLevel.Information, TextWriter.Null), sniffTimeout: TimeSpan.FromSeconds(5));
        await host.StartAsync(TestContext.Current.CancellationToken);
        var server = new BrowserServer(host, device);
        await server.WaitUntilDisplayedAsync(frames);
        return server;
    }

    /// <summary>Plays <paramref name="frames"/> more trace frames and waits until the display has scanned them.</summary>
    public async Task AdvanceAsync(int frames)
    {
        int target = (int)Device.Handed + frames;
        Device.Step(frames);
        await WaitUntilDisplayedAsync(target);
    }

    /// <summary>The only connected client's counters (the test connects one browser).</summary>
    public RfbClientStatistics Client => Assert.Single(Host.Server.Clients);

    private async Task WaitUntilDisplayedAsync(int frames)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        while (Host.Display.Statistics.Frames < frames)
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    public async ValueTask DisposeAsync() => await Host.DisposeAsync();
}
