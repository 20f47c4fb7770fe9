using System.Collections.Concurrent;
using Codecs.Pixels;

namespace Damage.Device;

/// <summary>
/// Wraps a device so that its updates are handed out only when the owner allows it: each <see cref="Step"/> lets one
/// more update through. The consumer then sees exactly the frames the owner chose, which makes a replay deterministic:
/// a test compares a real client's picture with a known frame, and a benchmark paces a trace by its clients rather
/// than by a clock.
/// </summary>
/// <remarks>
/// Optionally keeps a packed copy of the newest and the previous canonical frame handed out (<see cref="LatestFrame"/>,
/// <see cref="PreviousFrame"/>) — a full copy per update, so only for tests and tools. Input is forwarded to the inner
/// device and also recorded (<see cref="ReceivedInput"/>, the newest 1024 events).
/// </remarks>
public sealed class SteppedDevice : IDisplayDevice
{
    private const int InputHistory = 1024;

    private readonly IDisplayDevice _inner;
    private readonly bool _keepFrames;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _permits = new(0);
    private readonly ConcurrentQueue<InputRecord> _input = new();
    private readonly Lock _handedGate = new();
    private TaskCompletionSource _handedChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _requested;
    private long _handed;
    private volatile bool _ended;
    private volatile FrameSnapshot? _latest;
    private volatile FrameSnapshot? _previous;

    /// <param name="inner">The device whose updates are stepped; disposed with this one.</param>
    /// <param name="initialSteps">Updates allowed through before the first <see cref="Step"/>.</param>
    /// <param name="keepFrames">Whether to copy every frame handed out into <see cref="LatestFrame"/>.</param>
    /// <param name="timeProvider">Timestamps of <see cref="ReceivedInput"/>; the system clock by default.</param>
    public SteppedDevice(IDisplayDevice inner, int initialSteps = 0, bool keepFrames = true, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfNegative(initialSteps);
        _inner = inner;
        _keepFrames = keepFrames;
        _time = timeProvider ?? TimeProvider.System;
        if (initialSteps > 0)
        {
            Step(initialSteps);
        }
    }

    public string Name => _inner.Name;

    public DisplayMode Mode => _inner.Mode;

    public DamageHintKind HintKind => _inner.HintKind;

    /// <summary>Updates allowed through so far (every <see cref="Step"/> together).</summary>
    public long Requested => Interlocked.Read(ref _requested);

    /// <summary>Updates handed to the consumer so far.</summary>
    public long Handed => Interlocked.Read(ref _handed);

    /// <summary>Whether the inner device has ended (a trace that does not loop ran out of frames).</summary>
    public bool Ended => _ended;

    /// <summary>A copy of the newest frame handed out, when frames are kept.</summary>
    public FrameSnapshot? LatestFrame => _latest;

    /// <summary>A copy of the frame handed out before <see cref="LatestFrame"/>, when frames are kept.</summary>
    public FrameSnapshot? PreviousFrame => _previous;

    /// <summary>The newest input events this device received, oldest first.</summary>
    public IReadOnlyList<InputRecord> ReceivedInput => [.. _input];

    /// <summary>Lets <paramref name="count"/> more updates through.</summary>
    public void Step(int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        Interlocked.Add(ref _requested, count);
        _permits.Release(count);
    }

    /// <summary>
    /// Waits until the consumer has taken every update allowed so far, so <see cref="LatestFrame"/> is the frame of
    /// the last step. Throws when the inner device ends first.
    /// </summary>
    public async Task WaitHandedAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task changed;
            lock (_handedGate)
            {
                if (Handed >= Requested)
                {
                    return;
                }

                if (_ended)
                {
                    throw new InvalidOperationException($"{Name} ended after {Handed} of {Requested} requested updates");
                }

                changed = _handedChanged.Task;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask<DisplayUpdate?> WaitForUpdateAsync(CancellationToken cancellationToken = default)
    {
        await _permits.WaitAsync(cancellationToken).ConfigureAwait(false);
        DisplayUpdate? update = await _inner.WaitForUpdateAsync(cancellationToken).ConfigureAwait(false);
        if (update is null)
        {
            _ended = true;
        }
        else if (_keepFrames && update.Framebuffer.Format.IsCanonical)
        {
            _previous = _latest;
            _latest = new FrameSnapshot(update.Framebuffer.ReadOnlyView.ToPackedArray(), update.Framebuffer.Width, update.Framebuffer.Height);
        }

        TaskCompletionSource changed;
        lock (_handedGate)
        {
            if (update is not null)
            {
                Interlocked.Increment(ref _handed);
            }

            changed = _handedChanged;
            _handedChanged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.SetResult();
        return update;
    }

    public void SendKey(KeyEvent key)
    {
        Record(new InputRecord(_time.GetTimestamp(), key, null, null));
        _inner.SendKey(key);
    }

    public void SendPointer(PointerEvent pointer)
    {
        Record(new InputRecord(_time.GetTimestamp(), null, pointer, null));
        _inner.SendPointer(pointer);
    }

    public void SendClipboard(string text)
    {
        Record(new InputRecord(_time.GetTimestamp(), null, null, text));
        _inner.SendClipboard(text);
    }

    public async ValueTask DisposeAsync()
    {
        await _inner.DisposeAsync().ConfigureAwait(false);
        _permits.Dispose();
    }

    private void Record(InputRecord record)
    {
        _input.Enqueue(record);
        while (_input.Count > InputHistory && _input.TryDequeue(out _))
        {
        }
    }
}

/// <summary>A packed copy of one canonical frame (B, G, R, X bytes per pixel, rows of <see cref="Width"/> pixels).</summary>
public sealed class FrameSnapshot
{
    public FrameSnapshot(byte[] pixels, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentOutOfRangeException.ThrowIfNotEqual(pixels.Length, width * height * 4);
        Pixels = pixels;
        Width = width;
        Height = height;
    }

    public byte[] Pixels { get; }

    public int Width { get; }

    public int Height { get; }

    public int Stride => Width * 4;

    public ReadOnlyImageView View => new(Pixels, Width, Height, Stride, PixelFormat.Bgrx32);

    /// <summary>The frame converted to <paramref name="format"/> (packed), as an exact client must hold it.</summary>
    public byte[] ConvertTo(PixelFormat format)
    {
        var converter = PixelConverter.Create(format);
        byte[] converted = new byte[converter.GetPackedLength(Width, Height)];
        converter.FromCanonical(View, converted);
        return converted;
    }

    /// <summary>The frame as 8-bit R, G, B bytes per pixel (what image tools and a canvas without alpha hold).</summary>
    public byte[] ToRgb24()
    {
        byte[] rgb = new byte[Width * Height * 3];
        for (int source = 0, target = 0; source < Pixels.Length; source += 4, target += 3)
        {
            rgb[target] = Pixels[source + 2];
            rgb[target + 1] = Pixels[source + 1];
            rgb[target + 2] = Pixels[source];
        }

        return rgb;
    }
}
