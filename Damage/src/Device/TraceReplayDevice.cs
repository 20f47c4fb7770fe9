using System.Collections.Concurrent;
using System.Diagnostics;
using Codecs.Pixels;
using Codecs.Trace;

namespace Damage.Device;

/// <summary>How a <see cref="TraceReplayDevice"/> plays its trace.</summary>
public sealed record TraceReplayOptions
{
    /// <summary>Play at the trace's own timing (true) or hand out the next frame as soon as the consumer asks (false).</summary>
    public bool RealTime { get; init; } = true;

    /// <summary>Real-time speed factor: 2 plays twice as fast.</summary>
    public double Speed { get; init; } = 1;

    /// <summary>Start again from the first frame after the last.</summary>
    public bool Loop { get; init; }

    /// <summary>Give damage rectangles like a QXL device (true) or none like plain VGA (false).</summary>
    public bool DamageHints { get; init; }

    /// <summary>Upper bound on the rectangles of one coalesced update; beyond it they collapse to their bounding box.</summary>
    public int MaxHintRectangles { get; init; } = 1024;

    /// <summary>How many received input events are kept for <see cref="TraceReplayDevice.ReceivedInput"/> (oldest dropped).</summary>
    public int InputHistory { get; init; } = 4096;
}

/// <summary>
/// An <see cref="IDisplayDevice"/> that plays a recorded <c>.fbt</c> trace: in real time (coalescing the frames a slow
/// consumer missed into one update, as a GPU does) or as fast as the consumer asks, optionally looping, with or
/// without damage hints. It records the input it receives so tests can check what reached the device.
/// </summary>
/// <remarks>
/// The trace is streamed from disk with constant memory. The framebuffer handed out is the reader's own, so an update
/// costs no copy; after a loop or a mode change it is a different object.
/// </remarks>
public sealed class TraceReplayDevice : IDisplayDevice
{
    private readonly string _path;
    private readonly TraceReplayOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentQueue<InputRecord> _input = new();
    private readonly List<Rect> _hints = [];
    private readonly List<GroundTruth> _groundTruth = [];
    private TraceReader _reader;
    private long _startTicks;
    private long _loopOffsetMicroseconds;
    private long _originMicroseconds;
    private long _sequence;
    private bool _outstanding;
    private bool _ended;
    private bool _disposed;

    public TraceReplayDevice(string path, TraceReplayOptions? options = null, TimeProvider? timeProvider = null)
    {
        _path = path;
        _options = options ?? new TraceReplayOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.Speed, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_options.MaxHintRectangles, nameof(options));
        _time = timeProvider ?? TimeProvider.System;
        _reader = Open();
        Name = Path.GetFileNameWithoutExtension(path);
        Header = _reader.Header;
        Mode = new DisplayMode(_reader.Width, _reader.Height, Header.PixelFormat);
    }

    public string Name { get; }

    /// <summary>The trace's header (nominal frame rate, recording tool).</summary>
    public TraceHeader Header { get; }

    public DisplayMode Mode { get; private set; }

    public DamageHintKind HintKind => _options.DamageHints ? DamageHintKind.Rectangles : DamageHintKind.None;

    /// <summary>Times the trace has started over.</summary>
    public int Loops { get; private set; }

    /// <summary>Trace frames applied so far (over all loops).</summary>
    public long FramesPlayed { get; private set; }

    /// <summary>The most recent input events, oldest first.</summary>
    public IReadOnlyList<InputRecord> ReceivedInput => [.. _input];

    /// <summary>Raised on the caller's thread for every input event.</summary>
    public event Action<InputRecord>? InputReceived;

    public async ValueTask<DisplayUpdate?> WaitForUpdateAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_outstanding)
        {
            throw new InvalidOperationException("Dispose the previous DisplayUpdate before asking for the next.");
        }

        if (_ended || !await NextFrameDueAsync(cancellationToken))
        {
            _ended = true;
            return null;
        }

        if (_startTicks == 0)
        {
            _startTicks = _time.GetTimestamp();
            _reader.TryPeekNextTimestamp(out _originMicroseconds);
        }

        _hints.Clear();
        _groundTruth.Clear();
        bool fullFrame = false;
        bool cursorShapeChanged = false;
        int frames = 0;
        do
        {
            // The first frame of a pass is complete, but its rectangles only cover what differs from black.
            bool firstOfPass = _reader.Frame.Index < 0;
            if (!_reader.ReadFrame())
            {
                break;
            }

            TraceFrame frame = _reader.Frame;
            frames++;
            FramesPlayed++;
            fullFrame |= firstOfPass || frame.ModeChanged;
            cursorShapeChanged |= frame.CursorShapeChanged;
            foreach (TraceRect rect in frame.Rects)
            {
                _hints.Add(rect.Area);
            }

            foreach (TraceAnnotation annotation in frame.Annotations)
            {
                if (ToGroundTruth(annotation) is GroundTruth truth)
                {
                    _groundTruth.Add(truth);
                }
            }
        }
        while (_options.RealTime && !fullFrame && NextFrameAlreadyDue());

        if (frames == 0)
        {
            _ended = true;
            return null;
        }

        long timestamp = _loopOffsetMicroseconds + _reader.Frame.TimestampMicroseconds;
        Framebuffer framebuffer = _reader.Framebuffer;
        var mode = new DisplayMode(framebuffer.Width, framebuffer.Height, framebuffer.Format);
        bool modeChanged = mode != Mode;
        Mode = mode;

        IReadOnlyList<Rect>? hints = null;
        if (_options.DamageHints)
        {
            hints = fullFrame ? [mode.Bounds] : CollapseHints(mode.Bounds);
        }

        TraceCursor cursor = _reader.Cursor;
        CursorShape? shape = cursorShapeChanged
            ? new CursorShape(cursor.Width, cursor.Height, cursor.HotspotX, cursor.HotspotY, cursor.Pixels.ToArray())
            : null;
        _outstanding = true;
        return new DisplayUpdate(
            ++_sequence,
            TimeSpan.FromMicroseconds(timestamp),
            framebuffer,
            modeChanged,
            hints,
            shape,
            new CursorPosition(cursor.X, cursor.Y, cursor.Visible),
            [.. _groundTruth],
            frames,
            _ => _outstanding = false);
    }

    public void SendKey(KeyEvent key) => Record(new InputRecord(_time.GetTimestamp(), key, null, null));

    public void SendPointer(PointerEvent pointer) => Record(new InputRecord(_time.GetTimestamp(), null, pointer, null));

    public void SendClipboard(string text) => Record(new InputRecord(_time.GetTimestamp(), null, null, text));

    public ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            _reader.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private void Record(InputRecord record)
    {
        _input.Enqueue(record);
        while (_input.Count > _options.InputHistory && _input.TryDequeue(out _))
        {
        }

        InputReceived?.Invoke(record);
    }

    private TraceReader Open()
    {
        FileStream stream = new(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return new TraceReader(stream);
    }

    /// <summary>Waits until the next frame is due (real time) and says whether there is one, looping if asked.</summary>
    private async ValueTask<bool> NextFrameDueAsync(CancellationToken cancellationToken)
    {
        if (!PeekNext(out long next))
        {
            return false;
        }

        if (_options.RealTime && _startTicks != 0)
        {
            TimeSpan wait = DueTime(next) - _time.GetElapsedTime(_startTicks);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
            }
        }

        return true;
    }

    /// <summary>
    /// True when the next frame of this pass is already due, so a slow consumer gets it coalesced into this update.
    /// Never looks past the end of the pass: reopening the trace would dispose the framebuffer about to be handed out.
    /// </summary>
    private bool NextFrameAlreadyDue() =>
        _reader.TryPeekNextTimestamp(out long next) && DueTime(next) <= _time.GetElapsedTime(_startTicks);

    private static GroundTruth? ToGroundTruth(TraceAnnotation annotation)
    {
        GroundTruthKind? kind = annotation.Kind switch
        {
            TraceAnnotationKind.Video => GroundTruthKind.Video,
            TraceAnnotationKind.Move => GroundTruthKind.Move,
            TraceAnnotationKind.Scroll => GroundTruthKind.Scroll,
            _ => null,
        };
        return kind is null ? null : new GroundTruth(kind.Value, annotation.Area, annotation.Dx, annotation.Dy);
    }

    /// <summary>When a frame is due, measured from the moment the first frame was handed out.</summary>
    private TimeSpan DueTime(long traceMicroseconds) =>
        TimeSpan.FromMicroseconds((_loopOffsetMicroseconds + traceMicroseconds - _originMicroseconds) / _options.Speed);

    /// <summary>The next frame's trace timestamp; at the end of a looping trace, reopens it first.</summary>
    private bool PeekNext(out long timestamp)
    {
        if (_reader.TryPeekNextTimestamp(out timestamp))
        {
            return true;
        }

        if (!_options.Loop || _reader.Statistics.Frames == 0)
        {
            return false;
        }

        // One nominal frame interval separates the last frame of a pass from the first of the next.
        TraceStatistics pass = _reader.Statistics;
        _loopOffsetMicroseconds += pass.LastTimestampMicroseconds + Header.FrameRate.TimestampOf(1) - pass.FirstTimestampMicroseconds;
        _reader.Dispose();
        _reader = Open();
        Loops++;
        return _reader.TryPeekNextTimestamp(out timestamp);
    }

    private IReadOnlyList<Rect> CollapseHints(Rect bounds)
    {
        if (_hints.Count <= _options.MaxHintRectangles)
        {
            return [.. _hints];
        }

        Rect union = default;
        foreach (Rect rect in _hints)
        {
            union = union.Union(rect);
        }

        Debug.Assert(bounds.Contains(union));
        return [union];
    }
}

/// <summary>One input event a device received, with the <see cref="TimeProvider"/> timestamp of its arrival.</summary>
public sealed record InputRecord(long Timestamp, KeyEvent? Key, PointerEvent? Pointer, string? ClipboardText);
