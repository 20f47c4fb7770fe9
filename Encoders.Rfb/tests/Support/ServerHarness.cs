using System.IO.Pipelines;
using Damage.Device;
using Damage.Sharing;

namespace Encoders.Rfb.Tests.Support;

/// <summary>
/// A stepped corpus trace (or any device) behind a <see cref="SharedDisplay"/> and an <see cref="RfbServer"/>; clients
/// connect over in-memory pipes.
/// </summary>
internal sealed class ServerHarness : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;
    private readonly List<Task> _sessions = [];

    private ServerHarness(SteppedDevice device, SharedDisplay display, RfbServer server)
    {
        Device = device;
        Display = display;
        Server = server;
        _pump = display.RunAsync(_stop.Token);
    }

    public SteppedDevice Device { get; }

    public SharedDisplay Display { get; }

    public RfbServer Server { get; }

    public static string CorpusDirectory
    {
        get
        {
            for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, "corpus");
                if (File.Exists(Path.Combine(candidate, "terminal-scroll.fbt")))
                {
                    return candidate;
                }
            }

            throw new DirectoryNotFoundException("corpus/ not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>Serves a corpus trace (not real time; the test releases frames) with the first frame tracked.</summary>
    public static Task<ServerHarness> StartTraceAsync(string trace, RfbServerOptions? options = null, CancellationToken cancellationToken = default) =>
        StartAsync(new TraceReplayDevice(Path.Combine(CorpusDirectory, trace), new TraceReplayOptions { RealTime = false }), options, cancellationToken);

    public static async Task<ServerHarness> StartAsync(IDisplayDevice device, RfbServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        var gated = new SteppedDevice(device);
        var display = new SharedDisplay(gated);
        var harness = new ServerHarness(gated, display, new RfbServer(display, options));
        gated.Step();
        await display.WaitForFirstFrameAsync(cancellationToken);
        return harness;
    }

    /// <summary>Connects a client over a pair of in-memory pipes; <paramref name="serverOutput"/> tunes the server-to-client pipe.</summary>
    public (TestRfbClient Client, Task<RfbClientStatistics> Session) Connect(PipeOptions? serverOutput = null)
    {
        var toServer = new Pipe();
        var toClient = new Pipe(serverOutput ?? PipeOptions.Default);
        var client = new TestRfbClient(new DuplexPipe(toClient.Reader, toServer.Writer));
        Task<RfbClientStatistics> session = Server.ServeAsync(new DuplexPipe(toServer.Reader, toClient.Writer), "in-memory", _stop.Token);
        _sessions.Add(session);
        return (client, session);
    }

    /// <summary>Lets <paramref name="frames"/> more device frames through and waits until the display tracked them.</summary>
    public async Task AdvanceAsync(int frames, CancellationToken cancellationToken)
    {
        long target = Display.Statistics.Frames + frames;
        Device.Step(frames);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        while (Display.Statistics.Frames < target)
        {
            await Task.Delay(1, timeout.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_sessions);
        try
        {
            await _pump;
        }
        catch (OperationCanceledException)
        {
        }

        await Display.DisposeAsync();
        await Device.DisposeAsync();
        _stop.Dispose();
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
