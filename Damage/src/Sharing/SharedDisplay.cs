using System.Diagnostics;
using Codecs.Pixels;
using Damage.Device;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Damage.Sharing;

/// <summary>
/// Serves one <see cref="IDisplayDevice"/> to any number of clients: every device frame is scanned once by one
/// <see cref="DamageTracker"/>, and the resulting plan is folded into each client's bounded pending damage.
/// </summary>
/// <remarks>
/// <para>
/// The tracker's copy of the frame is what clients encode from. A client that takes its update holds a read lease on
/// that copy; the pump waits for all leases to be released before it tracks the next device frame (which rewrites the
/// copy), and no lease is granted while it waits. Leases are meant to last one synchronous encode, so the pump's wait
/// is bounded by the slowest single encode, never by a slow network: a client whose socket is full simply takes less
/// often, and its pending damage collapses in place.
/// </para>
/// <para>
/// Client damage is updated in the same critical section that publishes the new frame, so what a client takes always
/// matches the frame it reads.
/// </para>
/// </remarks>
public sealed partial class SharedDisplay : IAsyncDisposable
{
    private readonly DamageTracker _tracker;
    private readonly ILogger _logger;
    private readonly List<DisplayClient> _clients = [];
    private readonly TaskCompletionSource _firstFrame = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource? _readersDrained;
    private int _readers;
    private bool _writerWaiting;
    private bool _ended;
    private DisplayMode _mode;
    private CursorShape? _cursor;
    private long _cursorVersion;
    private CursorPosition _pointer;
    private long _pointerVersion;
    private long _sequence;
    private TimeSpan _timestamp;
    private long _sourceFrames;
    private long _trackTicks;
    private long _readerWaitTicks;

    public SharedDisplay(IDisplayDevice device, DamageOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        Device = device;
        _tracker = new DamageTracker(options);
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The device; clients send input straight to it.</summary>
    public IDisplayDevice Device { get; }

    /// <summary>The mode of the current frame (valid once <see cref="WaitForFirstFrameAsync"/> completed).</summary>
    public DisplayMode Mode
    {
        get
        {
            lock (Gate)
            {
                return _mode;
            }
        }
    }

    /// <summary>Whether the device ended (a trace that does not loop) or the pump stopped.</summary>
    public bool HasEnded
    {
        get
        {
            lock (Gate)
            {
                return _ended;
            }
        }
    }

    public SharedDisplayStatistics Statistics
    {
        get
        {
            lock (Gate)
            {
                return new SharedDisplayStatistics
                {
                    Frames = _tracker.FramesTracked,
                    SourceFrames = _sourceFrames,
                    BytesScanned = _tracker.BytesScanned,
                    CopiesFound = _tracker.CopiesEmitted,
                    PixelsExplainedByCopies = _tracker.PixelsExplainedByCopies,
                    TrackTicks = _trackTicks,
                    ReaderWaitTicks = _readerWaitTicks,
                    Clients = _clients.Count,
                };
            }
        }
    }

    internal object Gate { get; } = new();

    internal ReadOnlyImageView CurrentFrame => _tracker.PreviousFrame;

    /// <summary>Completes when the first device frame has been tracked; throws if the device ended before it had one.</summary>
    public ValueTask WaitForFirstFrameAsync(CancellationToken cancellationToken = default) =>
        new(_firstFrame.Task.WaitAsync(cancellationToken));

    /// <summary>
    /// Pulls frames from the device until it ends or <paramref name="cancellationToken"/> fires. Run exactly one pump
    /// per display. Clients waiting for changes are released when it stops.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            while (true)
            {
                DisplayUpdate? update = await Device.WaitForUpdateAsync(cancellationToken).ConfigureAwait(false);
                if (update is null)
                {
                    LogDisplayEnded(_logger, Device.Name, _tracker.FramesTracked);
                    break;
                }

                using (update)
                {
                    await EnterWriterAsync(cancellationToken).ConfigureAwait(false);
                    try
                    {
                        Apply(update);
                    }
                    finally
                    {
                        ExitWriter();
                    }
                }

                _firstFrame.TrySetResult();
            }
        }
        finally
        {
            End();
        }
    }

    /// <summary>
    /// Adds a client. It starts with the whole screen pending; <paramref name="costModel"/> shapes the rectangles it is
    /// given (per-rectangle overhead of its protocol). Dispose the client when its connection ends.
    /// </summary>
    public DisplayClient Connect(RectCostModel? costModel = null)
    {
        lock (Gate)
        {
            if (!_firstFrame.Task.IsCompletedSuccessfully)
            {
                throw new InvalidOperationException("The display has no frame yet; await WaitForFirstFrameAsync before connecting clients.");
            }

            var client = new DisplayClient(this, _mode, _tracker.Options.TileSize, costModel ?? _tracker.Options.CostModel);
            _clients.Add(client);
            return client;
        }
    }

    public ValueTask DisposeAsync()
    {
        End();
        _tracker.Dispose();
        return ValueTask.CompletedTask;
    }

    internal void Disconnect(DisplayClient client)
    {
        lock (Gate)
        {
            _clients.Remove(client);
        }
    }

    /// <summary>Grants a read lease; called under <see cref="Gate"/>. Waits while the pump is publishing a frame.</summary>
    internal void EnterReaderLocked()
    {
        while (_writerWaiting)
        {
            Monitor.Wait(Gate);
        }

        _readers++;
    }

    internal void ReleaseReader()
    {
        lock (Gate)
        {
            _readers--;
            if (_readers == 0 && _readersDrained is not null)
            {
                _readersDrained.TrySetResult();
                _readersDrained = null;
            }
        }
    }

    internal (CursorShape? Shape, long Version, CursorPosition Pointer, long PointerVersion, long Sequence, TimeSpan Timestamp) SnapshotLocked() =>
        (_cursor, _cursorVersion, _pointer, _pointerVersion, _sequence, _timestamp);

    internal bool HasEndedLocked => _ended;

    private async ValueTask EnterWriterAsync(CancellationToken cancellationToken)
    {
        Task drained;
        lock (Gate)
        {
            _writerWaiting = true;
            if (_readers == 0)
            {
                return;
            }

            _readersDrained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            drained = _readersDrained.Task;
        }

        long start = Stopwatch.GetTimestamp();
        try
        {
            await drained.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            ExitWriter();
            throw;
        }

        _readerWaitTicks += Stopwatch.GetTimestamp() - start;
    }

    private void ExitWriter()
    {
        lock (Gate)
        {
            _writerWaiting = false;
            Monitor.PulseAll(Gate);
        }
    }

    /// <summary>Tracks one device frame and folds it into every client. Runs with no reader holding a lease.</summary>
    private void Apply(DisplayUpdate update)
    {
        long start = Stopwatch.GetTimestamp();
        DisplayMode mode = update.Mode;
        FramePlan plan = _tracker.Track(update);
        _trackTicks += Stopwatch.GetTimestamp() - start;

        lock (Gate)
        {
            bool modeChanged = _firstFrame.Task.IsCompleted && mode != _mode;
            _mode = mode;
            _sequence++;
            _timestamp = update.Timestamp;
            _sourceFrames += update.SourceFrames;
            if (update.CursorShape is not null)
            {
                _cursor = update.CursorShape;
                _cursorVersion++;
            }

            bool pointerMoved = update.CursorPosition != _pointer;
            if (pointerMoved)
            {
                _pointer = update.CursorPosition;
                _pointerVersion++;
            }

            bool anything = modeChanged || !plan.IsEmpty || update.CursorShape is not null || pointerMoved;
            foreach (DisplayClient client in _clients)
            {
                if (modeChanged)
                {
                    client.OnModeChangedLocked(mode);
                }
                else
                {
                    client.OnPlanLocked(plan);
                }

                if (anything)
                {
                    client.SignalLocked();
                }
            }
        }
    }

    private void End()
    {
        lock (Gate)
        {
            if (_ended)
            {
                return;
            }

            _ended = true;
            foreach (DisplayClient client in _clients)
            {
                client.SignalLocked();
            }
        }

        _firstFrame.TrySetException(new InvalidOperationException($"Display {Device.Name} ended before its first frame."));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Display {Device} ended after {Frames} frames")]
    private static partial void LogDisplayEnded(ILogger logger, string device, long frames);
}
