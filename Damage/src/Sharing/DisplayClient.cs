using Codecs.Pixels;
using Damage.Device;

namespace Damage.Sharing;

/// <summary>
/// One client's view of a <see cref="SharedDisplay"/>: its pending damage, what it was last told about mode and
/// cursor, and a way to wait for the next change. Thread-safe; typically one connection loop owns it.
/// </summary>
public sealed class DisplayClient : IDisposable
{
    private readonly SharedDisplay _display;
    private readonly PendingDamage _pending;
    private readonly List<Rect> _scratch = [];
    private TaskCompletionSource<bool>? _waiter;
    private DisplayMode _mode;
    private bool _modeChanged;
    private long _cursorVersionSeen;
    private long _pointerVersionSeen;
    private bool _holdsLease;
    private bool _disposed;

    internal DisplayClient(SharedDisplay display, DisplayMode mode, int tileSize, RectCostModel costModel)
    {
        _display = display;
        _mode = mode;
        _pending = new PendingDamage(mode.Width, mode.Height, tileSize, costModel);
        _pending.ResetToFullScreen(mode.Width, mode.Height);
    }

    /// <summary>The mode this client was last given (at connect, then by each take).</summary>
    public DisplayMode Mode
    {
        get
        {
            lock (_display.Gate)
            {
                return _mode;
            }
        }
    }

    /// <summary>Whether a take now would return something (damage, a mode change, a cursor change).</summary>
    public bool HasChanges
    {
        get
        {
            lock (_display.Gate)
            {
                return HasChangesLocked;
            }
        }
    }

    private bool HasChangesLocked
    {
        get
        {
            var snapshot = _display.SnapshotLocked();
            return _modeChanged || !_pending.IsEmpty || snapshot.Version != _cursorVersionSeen || snapshot.PointerVersion != _pointerVersionSeen;
        }
    }

    /// <summary>
    /// Completes with <see langword="true"/> when something is pending for this client, or <see langword="false"/>
    /// when the display ended and nothing is left.
    /// </summary>
    public ValueTask<bool> WaitForChangesAsync(CancellationToken cancellationToken = default)
    {
        Task<bool> wait;
        lock (_display.Gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (HasChangesLocked)
            {
                return new ValueTask<bool>(true);
            }

            if (_display.HasEndedLocked)
            {
                return new ValueTask<bool>(false);
            }

            _waiter ??= new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            wait = _waiter.Task;
        }

        return new ValueTask<bool>(wait.WaitAsync(cancellationToken));
    }

    /// <summary>Makes <paramref name="area"/> (clipped to the screen) part of the next update: a full update request, or a client that lost its picture.</summary>
    public void Invalidate(Rect area)
    {
        lock (_display.Gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _pending.MarkDirty(area);
            if (!_pending.IsEmpty)
            {
                SignalLocked();
            }
        }
    }

    /// <summary>
    /// Takes everything pending and a read lease on the current frame. Dispose the update (after encoding, before any
    /// await on I/O) before taking the next one.
    /// </summary>
    public ClientUpdate TakeUpdate()
    {
        lock (_display.Gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_holdsLease)
            {
                throw new InvalidOperationException("The previous update is still held; dispose it before taking the next.");
            }

            _display.EnterReaderLocked();
            _holdsLease = true;
            var snapshot = _display.SnapshotLocked();
            (CopyOperation[] copies, Rect[] rectangles) = _pending.Take(_scratch);
            bool modeChanged = _modeChanged;
            _modeChanged = false;
            bool cursorChanged = snapshot.Version != _cursorVersionSeen;
            bool pointerMoved = snapshot.PointerVersion != _pointerVersionSeen;
            _cursorVersionSeen = snapshot.Version;
            _pointerVersionSeen = snapshot.PointerVersion;
            return new ClientUpdate(
                this, _mode, modeChanged, copies, rectangles, snapshot.Shape, cursorChanged, snapshot.Pointer, pointerMoved, snapshot.Sequence, snapshot.Timestamp);
        }
    }

    public void Dispose()
    {
        lock (_display.Gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _waiter?.TrySetResult(false);
            _waiter = null;
        }

        _display.Disconnect(this);
    }

    internal ReadOnlyImageView CurrentFrame => _display.CurrentFrame;

    internal void ReleaseLease()
    {
        lock (_display.Gate)
        {
            _holdsLease = false;
        }

        _display.ReleaseReader();
    }

    internal void OnPlanLocked(FramePlan plan) => _pending.Add(plan);

    internal void OnModeChangedLocked(DisplayMode mode)
    {
        _mode = mode;
        _modeChanged = true;
        _pending.ResetToFullScreen(mode.Width, mode.Height);
    }

    internal void SignalLocked()
    {
        _waiter?.TrySetResult(!_display.HasEndedLocked || HasChangesLocked);
        _waiter = null;
    }
}
