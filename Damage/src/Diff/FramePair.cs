using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Codecs.Pixels;

namespace Damage;

/// <summary>The two frames' first bytes and strides, without bounds checks (the views were checked on entry).</summary>
internal readonly ref struct FramePair
{
    private readonly ref byte _previous;
    private readonly ref byte _current;
    private readonly nint _previousStride;
    private readonly nint _currentStride;

    public FramePair(ref byte previous, int previousStride, ref byte current, int currentStride, int width, int height, int bytesPerPixel, bool update)
    {
        _previous = ref previous;
        _current = ref current;
        _previousStride = previousStride;
        _currentStride = currentStride;
        Width = width;
        Height = height;
        BytesPerPixel = bytesPerPixel;
        Update = update;
    }

    /// <summary>Two views of the same geometry (checked by the caller).</summary>
    public static FramePair Create(ReadOnlyImageView previous, ReadOnlyImageView current, bool update = false) => new(
        ref MemoryMarshal.GetReference(previous.Data), previous.Stride,
        ref MemoryMarshal.GetReference(current.Data), current.Stride,
        current.Width, current.Height, current.BytesPerPixel, update);

    public nint PreviousStride => _previousStride;

    public nint CurrentStride => _currentStride;

    public int Width { get; }

    public int Height { get; }

    public int BytesPerPixel { get; }

    public bool Update { get; }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref byte PreviousRow(int y) => ref Unsafe.Add(ref _previous, y * _previousStride);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref byte CurrentRow(int y) => ref Unsafe.Add(ref _current, y * _currentStride);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref byte Previous(int x, int y) => ref Unsafe.Add(ref _previous, y * _previousStride + x * BytesPerPixel);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref byte Current(int x, int y) => ref Unsafe.Add(ref _current, y * _currentStride + x * BytesPerPixel);
}
