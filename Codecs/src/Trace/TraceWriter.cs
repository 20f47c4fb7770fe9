using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Codecs.Lz4;
using Codecs.Pixels;

namespace Codecs.Trace;

/// <summary>
/// Writes a <c>.fbt</c> trace to a stream: the header on construction, then one call per frame, then the END trailer
/// on <see cref="Complete"/> (or <see cref="Dispose"/>). See <c>docs/trace-format.md</c>.
/// </summary>
/// <remarks>
/// <para>
/// The writer keeps the picture a reader will have after the last frame (<see cref="CurrentFrame"/>). The usual way to
/// write is to hand it every whole frame with <see cref="WriteFrame(long, ReadOnlyImageView)"/>: it finds the changed
/// 64×64 tiles itself and writes only those, and a frame of another size becomes a mode change. A recorder that knows
/// its damage passes the rectangles with <see cref="WriteFrame(long, ReadOnlyImageView, ReadOnlySpan{Rect})"/>.
/// </para>
/// <para>
/// Cursor changes and annotations are staged with <see cref="SetCursorPosition"/>, <see cref="SetCursorShape"/> and
/// <see cref="AddAnnotation"/> and go into the next frame written. Arguments are checked before anything of a frame is
/// written; an I/O failure while writing leaves the writer faulted (later calls throw
/// <see cref="InvalidOperationException"/> and no trailer is written, so readers report the trace as truncated).
/// Not thread-safe.
/// </para>
/// </remarks>
public sealed class TraceWriter : IDisposable
{
    private const int SmallRecordLimit = 4096;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly TraceWriterOptions _options;
    private readonly TracePixelEncoder _encoder;
    private readonly List<Rect> _changed = [];
    private readonly List<TraceAnnotation> _annotations = [];
    private readonly byte[] _record = new byte[TraceFormat.RecordHeaderSize + SmallRecordLimit + TraceFormat.RecordChecksumSize];
    private Framebuffer _state;
    private long _lastTimestamp = -1;
    private bool _cursorPositionStaged;
    private int _cursorX;
    private int _cursorY;
    private bool _cursorVisible;
    private bool _cursorShapeStaged;
    private int _cursorHotspotX;
    private int _cursorHotspotY;
    private int _cursorWidth;
    private int _cursorHeight;
    private byte[] _cursorPixels = [];
    private bool _completed;
    private bool _faulted;
    private bool _disposed;

    /// <summary>Writes the preamble and HEADER record of <paramref name="header"/> to <paramref name="stream"/>.</summary>
    /// <exception cref="ArgumentException">The header breaks a limit of the format.</exception>
    /// <exception cref="DllNotFoundException">The options ask for LZ4 and liblz4 (Debian package liblz4-1) is missing.</exception>
    public TraceWriter(Stream stream, TraceHeader header, TraceWriterOptions? options = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(header);
        _options = options ?? new TraceWriterOptions();
        _options.Validate();
        CheckMode(header.Width, header.Height, nameof(header));
        if (!header.PixelFormat.TryValidate(out string? reason) || !header.PixelFormat.TrueColour)
        {
            throw new ArgumentException($"Pixel format {header.PixelFormat} cannot be written: {reason ?? "it is not true colour"}.", nameof(header));
        }

        byte[] tool = Encoding.UTF8.GetBytes(header.Tool ?? "");
        if (tool.Length > TraceFormat.MaxToolLength)
        {
            throw new ArgumentException($"The tool string is {tool.Length} UTF-8 bytes; at most {TraceFormat.MaxToolLength} fit.", nameof(header));
        }

        if (_options.Codec == TraceCodec.Lz4 && !Lz4Codec.IsAvailable)
        {
            _ = Lz4Library.Instance; // throws the DllNotFoundException that names the package
        }

        _stream = stream;
        _leaveOpen = leaveOpen;
        Header = header;
        _encoder = new TracePixelEncoder(_options);
        _state = Framebuffer.Allocate(header.Width, header.Height, header.PixelFormat);

        Span<byte> preamble = stackalloc byte[TraceFormat.PreambleSize];
        TraceFormat.Magic.CopyTo(preamble);
        BinaryPrimitives.WriteUInt16LittleEndian(preamble[8..], TraceFormat.MajorVersion);
        BinaryPrimitives.WriteUInt16LittleEndian(preamble[10..], TraceFormat.MinorVersion);
        Span<byte> payload = stackalloc byte[TraceRecordType.HeaderFixedSize + tool.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(payload, (uint)header.Width);
        BinaryPrimitives.WriteUInt32LittleEndian(payload[4..], (uint)header.Height);
        header.PixelFormat.WriteWire(payload[8..24]);
        BinaryPrimitives.WriteUInt32LittleEndian(payload[24..], (uint)header.FrameRate.Numerator);
        BinaryPrimitives.WriteUInt32LittleEndian(payload[28..], (uint)header.FrameRate.Denominator);
        BinaryPrimitives.WriteUInt32LittleEndian(payload[32..], header.Flags);
        payload[36] = (byte)tool.Length;
        tool.CopyTo(payload[37..]);
        try
        {
            _stream.Write(preamble);
            BytesWritten = TraceFormat.PreambleSize;
            WriteRecord(TraceRecordType.Header, payload, default);
        }
        catch
        {
            _state.Dispose();
            _encoder.Dispose();
            throw;
        }
    }

    public TraceHeader Header { get; }

    public TraceWriterOptions Options => _options;

    /// <summary>Counters of what was written so far.</summary>
    public TraceStatistics Statistics { get; } = new();

    /// <summary>Bytes written to the stream so far.</summary>
    public long BytesWritten { get; private set; }

    /// <summary>The current display mode (changed by writing a frame of another size).</summary>
    public int Width => _state.Width;

    public int Height => _state.Height;

    /// <summary>The picture a reader has after the last frame written (all zero bytes before the first).</summary>
    public ReadOnlyImageView CurrentFrame
    {
        get
        {
            ThrowIfDisposed();
            return _state.ReadOnlyView;
        }
    }

    /// <summary>Stages the pointer's hotspot position and visibility for the next frame.</summary>
    public void SetCursorPosition(int x, int y, bool visible = true)
    {
        ThrowIfNotWritable();
        ArgumentOutOfRangeException.ThrowIfLessThan(x, -TraceFormat.MaxCursorCoordinate);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(x, TraceFormat.MaxCursorCoordinate);
        ArgumentOutOfRangeException.ThrowIfLessThan(y, -TraceFormat.MaxCursorCoordinate);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(y, TraceFormat.MaxCursorCoordinate);
        (_cursorX, _cursorY, _cursorVisible, _cursorPositionStaged) = (x, y, visible, true);
    }

    /// <summary>
    /// Stages a new pointer image for the next frame: <paramref name="width"/>×<paramref name="height"/> (up to
    /// 256×256; 0×0 for none) straight-alpha pixels, bytes B, G, R, A, rows packed. The pixels are copied.
    /// </summary>
    public void SetCursorShape(int hotspotX, int hotspotY, int width, int height, ReadOnlySpan<byte> bgra)
    {
        ThrowIfNotWritable();
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, TraceFormat.MaxCursorSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(height, TraceFormat.MaxCursorSize);
        if ((width == 0) != (height == 0))
        {
            throw new ArgumentException($"A cursor image of {width}x{height} is neither empty nor whole.", nameof(width));
        }

        int limitX = Math.Max(width - 1, 0);
        int limitY = Math.Max(height - 1, 0);
        ArgumentOutOfRangeException.ThrowIfNegative(hotspotX);
        ArgumentOutOfRangeException.ThrowIfNegative(hotspotY);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(hotspotX, limitX);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(hotspotY, limitY);
        int length = width * height * 4;
        if (bgra.Length != length)
        {
            throw new ArgumentException($"A {width}x{height} cursor needs {length} bytes of BGRA, not {bgra.Length}.", nameof(bgra));
        }

        if (_cursorPixels.Length < length)
        {
            _cursorPixels = new byte[length];
        }

        bgra.CopyTo(_cursorPixels);
        (_cursorHotspotX, _cursorHotspotY, _cursorWidth, _cursorHeight, _cursorShapeStaged) = (hotspotX, hotspotY, width, height, true);
    }

    /// <summary>Stages an annotation for the next frame (checked against that frame's mode when it is written).</summary>
    public void AddAnnotation(TraceAnnotation annotation)
    {
        ThrowIfNotWritable();
        if (_annotations.Count >= TraceFormat.MaxAnnotationsPerFrame)
        {
            throw new InvalidOperationException($"A frame holds at most {TraceFormat.MaxAnnotationsPerFrame} annotations.");
        }

        _annotations.Add(annotation);
    }

    /// <summary>Drops the staged cursor changes and annotations (e.g. after a frame was rejected for one of them).</summary>
    public void DiscardStaged()
    {
        ThrowIfDisposed();
        _annotations.Clear();
        _cursorPositionStaged = false;
        _cursorShapeStaged = false;
    }

    /// <summary>
    /// Writes the whole frame <paramref name="frame"/> as the changes since <see cref="CurrentFrame"/>: the changed tiles,
    /// merged per tile row (all of a frame whose size differs, as a mode change), plus the staged cursor and annotations.
    /// </summary>
    /// <param name="timestampMicroseconds">Not smaller than the previous frame's; importers use <see cref="TraceFrameRate.TimestampOf"/>.</param>
    /// <param name="frame">The full picture, in the header's pixel format (the raw <c>bgr0</c> frames of ffmpeg are
    /// <c>new ReadOnlyImageView(bytes, width, height, width * 4, PixelFormat.Bgrx32)</c>).</param>
    /// <returns>The number of rectangles written (0 for an unchanged frame, which is still written).</returns>
    public int WriteFrame(long timestampMicroseconds, ReadOnlyImageView frame)
    {
        ThrowIfNotWritable();
        CheckFrame(timestampMicroseconds, frame);
        Framebuffer? newState = NewStateIfModeChanges(frame);
        try
        {
            _changed.Clear();
            TraceFrameDiffer.FindChangedTiles((newState ?? _state).ReadOnlyView, frame, _changed, _options.TileSize);
            WriteFrameRecords(timestampMicroseconds, frame, CollectionsMarshal.AsSpan(_changed), ref newState);
            return _changed.Count;
        }
        finally
        {
            newState?.Dispose();
        }
    }

    /// <summary>
    /// Writes a frame whose changes since the previous frame are the rectangles <paramref name="changed"/> of
    /// <paramref name="frame"/> (the full picture; its size is the frame's mode), plus the staged cursor and
    /// annotations. Empty rectangles are skipped; rectangles larger than <see cref="TraceFormat.MaxRectBytes"/> are split.
    /// </summary>
    public void WriteFrame(long timestampMicroseconds, ReadOnlyImageView frame, ReadOnlySpan<Rect> changed)
    {
        ThrowIfNotWritable();
        CheckFrame(timestampMicroseconds, frame);
        foreach (Rect rect in changed)
        {
            if (!rect.IsEmpty && !frame.Bounds.Contains(rect))
            {
                throw new ArgumentOutOfRangeException(nameof(changed), $"{rect} is not inside the {frame.Width}x{frame.Height} frame.");
            }
        }

        Framebuffer? newState = NewStateIfModeChanges(frame);
        try
        {
            WriteFrameRecords(timestampMicroseconds, frame, changed, ref newState);
        }
        finally
        {
            newState?.Dispose();
        }
    }

    /// <summary>Writes the END trailer and flushes; the trace is then complete and the writer accepts no more frames.</summary>
    public void Complete()
    {
        ThrowIfNotWritable();
        Span<byte> payload = stackalloc byte[TraceRecordType.EndSize];
        BinaryPrimitives.WriteInt64LittleEndian(payload, Statistics.Frames);
        BinaryPrimitives.WriteInt64LittleEndian(payload[8..], Statistics.LastTimestampMicroseconds);
        _faulted = true; // until the trailer is out
        WriteRecord(TraceRecordType.End, payload, default);
        _stream.Flush();
        _faulted = false;
        _completed = true;
    }

    /// <summary>Completes the trace unless that was done or the writer is faulted, then releases the stream and buffers.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            if (!_completed && !_faulted)
            {
                Complete();
            }
        }
        finally
        {
            _disposed = true;
            _state.Dispose();
            _encoder.Dispose();
            if (!_leaveOpen)
            {
                _stream.Dispose();
            }
        }
    }

    private void CheckFrame(long timestampMicroseconds, ReadOnlyImageView frame)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(timestampMicroseconds);
        ArgumentOutOfRangeException.ThrowIfLessThan(timestampMicroseconds, _lastTimestamp);
        if (frame.Format != Header.PixelFormat)
        {
            throw new ArgumentException($"The frame is {frame.Format}; the trace is {Header.PixelFormat}.", nameof(frame));
        }

        CheckMode(frame.Width, frame.Height, nameof(frame));
        foreach (TraceAnnotation annotation in _annotations)
        {
            if (annotation.Validate(frame.Width, frame.Height) is string problem)
            {
                throw new ArgumentException($"Staged annotation is invalid: {problem}.", nameof(frame));
            }
        }
    }

    private Framebuffer? NewStateIfModeChanges(ReadOnlyImageView frame) =>
        frame.Width == _state.Width && frame.Height == _state.Height ? null : Framebuffer.Allocate(frame.Width, frame.Height, Header.PixelFormat);

    // newState is the zeroed state of a new mode, or null; this takes it over (sets it to null).
    private void WriteFrameRecords(long timestamp, ReadOnlyImageView frame, ReadOnlySpan<Rect> changed, ref Framebuffer? newState)
    {
        int bytesPerPixel = frame.BytesPerPixel;
        long rects = 0;
        foreach (Rect rect in changed)
        {
            if (!rect.IsEmpty)
            {
                int bandRows = BandRows(rect.Width, bytesPerPixel);
                rects += (rect.Height + bandRows - 1) / bandRows;
            }
        }

        if (rects > TraceFormat.MaxRectsPerFrame)
        {
            throw new ArgumentException($"The frame needs {rects} rectangles; at most {TraceFormat.MaxRectsPerFrame} fit in a frame.", nameof(changed));
        }

        long items = rects + _annotations.Count + (newState is null ? 0 : 1) + (_cursorPositionStaged ? 1 : 0) + (_cursorShapeStaged ? 1 : 0);
        Framebuffer? modeState = newState;
        newState = null;
        _faulted = true; // until every record of the frame is out
        try
        {
            Span<byte> fixedPart = stackalloc byte[TraceRecordType.AnnotationSize];
            BinaryPrimitives.WriteInt64LittleEndian(fixedPart, timestamp);
            BinaryPrimitives.WriteUInt32LittleEndian(fixedPart[8..], (uint)items);
            BinaryPrimitives.WriteUInt32LittleEndian(fixedPart[12..], 0);
            WriteRecord(TraceRecordType.Frame, fixedPart[..TraceRecordType.FrameSize], default);

            if (modeState is not null)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(fixedPart, (uint)modeState.Width);
                BinaryPrimitives.WriteUInt32LittleEndian(fixedPart[4..], (uint)modeState.Height);
                WriteRecord(TraceRecordType.Mode, fixedPart[..TraceRecordType.ModeSize], default);
                (_state, modeState) = (modeState, _state);
                Statistics.ModeChanges++;
            }

            if (_cursorPositionStaged)
            {
                BinaryPrimitives.WriteInt32LittleEndian(fixedPart, _cursorX);
                BinaryPrimitives.WriteInt32LittleEndian(fixedPart[4..], _cursorY);
                fixedPart[8] = _cursorVisible ? (byte)1 : (byte)0;
                WriteRecord(TraceRecordType.CursorPosition, fixedPart[..TraceRecordType.CursorPositionSize], default);
                Statistics.CursorPositions++;
                _cursorPositionStaged = false;
            }

            if (_cursorShapeStaged)
            {
                WriteCursorShape(fixedPart);
                Statistics.CursorShapes++;
                _cursorShapeStaged = false;
            }

            foreach (TraceAnnotation annotation in _annotations)
            {
                fixedPart[0] = (byte)annotation.Kind;
                fixedPart[1] = 0;
                BinaryPrimitives.WriteUInt16LittleEndian(fixedPart[2..], 0);
                BinaryPrimitives.WriteInt32LittleEndian(fixedPart[4..], annotation.Area.X);
                BinaryPrimitives.WriteInt32LittleEndian(fixedPart[8..], annotation.Area.Y);
                BinaryPrimitives.WriteInt32LittleEndian(fixedPart[12..], annotation.Area.Width);
                BinaryPrimitives.WriteInt32LittleEndian(fixedPart[16..], annotation.Area.Height);
                BinaryPrimitives.WriteInt32LittleEndian(fixedPart[20..], annotation.Dx);
                BinaryPrimitives.WriteInt32LittleEndian(fixedPart[24..], annotation.Dy);
                WriteRecord(TraceRecordType.Annotation, fixedPart[..TraceRecordType.AnnotationSize], default);
            }

            Statistics.Annotations += _annotations.Count;
            _annotations.Clear();

            foreach (Rect rect in changed)
            {
                if (rect.IsEmpty)
                {
                    continue;
                }

                int bandRows = BandRows(rect.Width, bytesPerPixel);
                for (int y = rect.Y; y < rect.Bottom; y += bandRows)
                {
                    var band = new Rect(rect.X, y, rect.Width, Math.Min(bandRows, rect.Bottom - y));
                    WriteRect(band, frame.Slice(band), fixedPart);
                    frame.Slice(band).CopyTo(_state.View.Slice(band));
                }
            }

            Statistics.AddFrame(timestamp);
            _lastTimestamp = timestamp;
            _faulted = false;
        }
        finally
        {
            modeState?.Dispose();
        }
    }

    private void WriteRect(Rect band, ReadOnlyImageView pixels, Span<byte> fixedPart)
    {
        TraceCodec codec = _encoder.Encode(pixels, out ReadOnlySpan<byte> data);
        BinaryPrimitives.WriteUInt16LittleEndian(fixedPart, (ushort)band.X);
        BinaryPrimitives.WriteUInt16LittleEndian(fixedPart[2..], (ushort)band.Y);
        BinaryPrimitives.WriteUInt16LittleEndian(fixedPart[4..], (ushort)band.Width);
        BinaryPrimitives.WriteUInt16LittleEndian(fixedPart[6..], (ushort)band.Height);
        fixedPart[8] = (byte)codec;
        WriteRecord(TraceRecordType.Rect, fixedPart[..TraceRecordType.RectFixedSize], data);
        Statistics.AddRect(codec, band.Area, band.Width * pixels.BytesPerPixel * band.Height, data.Length);
    }

    private void WriteCursorShape(Span<byte> fixedPart)
    {
        TraceCodec codec = TraceCodec.Raw;
        ReadOnlySpan<byte> data = default;
        if (_cursorWidth > 0)
        {
            var image = new ReadOnlyImageView(_cursorPixels, _cursorWidth, _cursorHeight, _cursorWidth * 4, PixelFormat.Bgrx32);
            codec = _encoder.Encode(image, out data);
        }

        BinaryPrimitives.WriteUInt16LittleEndian(fixedPart, (ushort)_cursorHotspotX);
        BinaryPrimitives.WriteUInt16LittleEndian(fixedPart[2..], (ushort)_cursorHotspotY);
        BinaryPrimitives.WriteUInt16LittleEndian(fixedPart[4..], (ushort)_cursorWidth);
        BinaryPrimitives.WriteUInt16LittleEndian(fixedPart[6..], (ushort)_cursorHeight);
        fixedPart[8] = (byte)codec;
        WriteRecord(TraceRecordType.CursorShape, fixedPart[..TraceRecordType.CursorShapeFixedSize], data);
    }

    /// <summary>Writes type, length, <paramref name="fixedPart"/> + <paramref name="data"/> and the CRC-32C of all of it.</summary>
    private void WriteRecord(byte type, ReadOnlySpan<byte> fixedPart, ReadOnlySpan<byte> data)
    {
        int payloadLength = fixedPart.Length + data.Length;
        Span<byte> record = _record;
        record[0] = type;
        BinaryPrimitives.WriteUInt32LittleEndian(record[1..], (uint)payloadLength);
        fixedPart.CopyTo(record[TraceFormat.RecordHeaderSize..]);
        int head = TraceFormat.RecordHeaderSize + fixedPart.Length;
        uint crc;
        if (payloadLength <= SmallRecordLimit)
        {
            // Small records go out in one write, which matters on unbuffered streams such as pipes.
            data.CopyTo(record[head..]);
            int length = TraceFormat.RecordHeaderSize + payloadLength;
            crc = Crc32C.Compute(record[..length]);
            BinaryPrimitives.WriteUInt32LittleEndian(record[length..], crc);
            _stream.Write(record[..(length + TraceFormat.RecordChecksumSize)]);
        }
        else
        {
            crc = ~Crc32C.Append(Crc32C.Append(Crc32C.Initial, record[..head]), data);
            _stream.Write(record[..head]);
            _stream.Write(data);
            Span<byte> checksum = stackalloc byte[TraceFormat.RecordChecksumSize];
            BinaryPrimitives.WriteUInt32LittleEndian(checksum, crc);
            _stream.Write(checksum);
        }

        BytesWritten += TraceFormat.RecordHeaderSize + payloadLength + TraceFormat.RecordChecksumSize;
    }

    /// <summary>Rows per band so that a band's raw pixels stay within <see cref="TraceFormat.MaxRectBytes"/>.</summary>
    private static int BandRows(int width, int bytesPerPixel) => Math.Max(1, TraceFormat.MaxRectBytes / (width * bytesPerPixel));

    private static void CheckMode(int width, int height, string paramName)
    {
        if (!TraceFormat.IsValidMode(width, height, TraceFormat.MaxPixels))
        {
            throw new ArgumentOutOfRangeException(paramName, $"A {width}x{height} mode is outside the format's limits (1 to {TraceFormat.MaxDimension} per side, at most {TraceFormat.MaxPixels} pixels).");
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private void ThrowIfNotWritable()
    {
        ThrowIfDisposed();
        if (_completed || _faulted)
        {
            throw new InvalidOperationException(_completed ? "The trace is complete." : "An earlier write failed; the trace cannot be continued.");
        }
    }
}
