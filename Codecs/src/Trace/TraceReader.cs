using System.Buffers.Binary;
using System.Text;
using Codecs.Pixels;

namespace Codecs.Trace;

/// <summary>
/// Reads a <c>.fbt</c> trace from a stream, one frame at a time, in constant memory: it keeps one framebuffer (the
/// picture after the last frame read), one record buffer and the last frame's lists, all reused.
/// </summary>
/// <remarks>
/// <para>
/// The constructor reads the header. Each <see cref="ReadFrame"/> reads one frame, applies its rectangles to
/// <see cref="Framebuffer"/>, and describes it in <see cref="Frame"/>; the cursor state is in <see cref="Cursor"/>.
/// <see cref="ReadFrame"/> returns false once the END trailer has been read and checked.
/// </para>
/// <para>
/// Every kind of malformed input — bad magic, a limit exceeded, a checksum mismatch, corrupt compressed data,
/// truncation anywhere (a trace without its END trailer included, even if it ends between two records) — raises
/// <see cref="CodecDataException"/> with <see cref="CodecDataException.Format"/> "fbt" and the byte offset (counted from
/// where the reader started) and nothing else. Frames read before the problem stay valid. After an exception the reader
/// cannot go on (<see cref="InvalidOperationException"/>). I/O errors of the stream itself propagate unchanged, and
/// decoding an LZ4 rectangle without liblz4 installed throws <see cref="DllNotFoundException"/> (Debian package
/// liblz4-1).
/// </para>
/// </remarks>
public sealed class TraceReader : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly TraceReaderOptions _options;
    private readonly TraceRecordReader _records;
    private readonly TracePixelDecoder _decoder = new();
    private readonly TraceFrame _frame = new();
    private Framebuffer? _framebuffer;
    private int _width;
    private int _height;
    private readonly int _bytesPerPixel;
    private bool _pending;
    private long _pendingTimestamp;
    private int _pendingItems;
    private long _pendingOffset;
    private int _pendingSize;
    private long _lastTimestamp;
    private bool _completed;
    private bool _failed;
    private bool _disposed;

    /// <summary>Reads the preamble and HEADER record.</summary>
    /// <exception cref="CodecDataException">The stream does not start with a valid version-1 trace header.</exception>
    public TraceReader(Stream stream, TraceReaderOptions? options = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _options = options ?? new TraceReaderOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxFramebufferPixels, 1, nameof(options));
        _stream = stream;
        _leaveOpen = leaveOpen;
        _records = new TraceRecordReader(stream, _options.VerifyChecksums);
        try
        {
            FormatMinorVersion = _records.ReadPreamble();
            if (!_records.TryRead())
            {
                TraceThrowHelper.ThrowTruncated(_records.Position, "the HEADER record");
            }

            if (_records.Type != TraceRecordType.Header)
            {
                TraceThrowHelper.ThrowInvalid(_records.RecordOffset, $"the first record is {TraceRecordType.Name(_records.Type)}, not HEADER");
            }

            Header = ParseHeader();
            _bytesPerPixel = Header.PixelFormat.BytesPerPixel;
            SetMode(Header.Width, Header.Height);
            _frame.Width = Header.Width;
            _frame.Height = Header.Height;
        }
        catch
        {
            _framebuffer?.Dispose();
            if (!leaveOpen)
            {
                stream.Dispose();
            }

            throw;
        }
    }

    public TraceHeader Header { get; }

    /// <summary>The trace's minor format version (this library writes <see cref="TraceFormat.MinorVersion"/>).</summary>
    public int FormatMinorVersion { get; }

    /// <summary>The last frame read (<see cref="TraceFrame.Index"/> −1 before the first).</summary>
    public TraceFrame Frame => _frame;

    /// <summary>The pointer as of the last frame read.</summary>
    public TraceCursor Cursor { get; } = new();

    /// <summary>Counters over the frames read so far.</summary>
    public TraceStatistics Statistics { get; } = new();

    /// <summary>Bytes consumed from the stream.</summary>
    public long Position => _records.Position;

    /// <summary>The current display mode.</summary>
    public int Width => _width;

    public int Height => _height;

    /// <summary>True once the END trailer was read and matched the frames read.</summary>
    public bool IsCompleted => _completed;

    /// <summary>
    /// The picture after the last frame read (all zero bytes before the first frame and right after a mode change).
    /// A mode change replaces this object by a new one of the new size and disposes the old one.
    /// </summary>
    /// <exception cref="InvalidOperationException">The reader was opened with <see cref="TraceReaderOptions.DecodePixels"/> off.</exception>
    public Framebuffer Framebuffer
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _framebuffer ?? throw new InvalidOperationException("This reader does not decode pixels (TraceReaderOptions.DecodePixels is off).");
        }
    }

    /// <summary>Reads the next frame and applies it; false once the trace is complete (END read and checked).</summary>
    /// <exception cref="CodecDataException">The trace is malformed or truncated.</exception>
    public bool ReadFrame()
    {
        ThrowIfUnusable();
        if (_completed)
        {
            return false;
        }

        try
        {
            if (!_pending && !ReadToNextFrame())
            {
                return false;
            }

            _pending = false;
            ReadFrameItems();
            return true;
        }
        catch
        {
            _failed = true;
            throw;
        }
    }

    /// <summary>The timestamp of the next frame without applying it; false once the trace is complete.</summary>
    /// <exception cref="CodecDataException">The trace is malformed or truncated.</exception>
    public bool TryPeekNextTimestamp(out long timestampMicroseconds)
    {
        ThrowIfUnusable();
        timestampMicroseconds = 0;
        if (_completed)
        {
            return false;
        }

        try
        {
            if (!_pending && !ReadToNextFrame())
            {
                return false;
            }
        }
        catch
        {
            _failed = true;
            throw;
        }

        timestampMicroseconds = _pendingTimestamp;
        return true;
    }

    /// <summary>
    /// Advances to output frame <paramref name="outputIndex"/> of a constant-rate replay at the header's
    /// <see cref="TraceHeader.FrameRate"/>: applies every frame whose timestamp is at or before
    /// <c>T(k) = t0 + FrameRate.TimestampOf(k)</c>, where t0 is the first frame's timestamp. Call it with 0, 1, 2...
    /// while it returns true; <see cref="Framebuffer"/> is then output frame k.
    /// </summary>
    /// <returns>
    /// False when the replay is over: output frame k exists when k is 0 or the last frame of the trace is later than
    /// <c>T(k − 1)</c>, so every frame is shown at least once (unless a later one shares its slot) and a trace imported
    /// with timestamps <c>FrameRate.TimestampOf(i)</c> replays to exactly its frames.
    /// </returns>
    public bool AdvanceToOutputFrame(long outputIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(outputIndex);
        if (Statistics.Frames == 0 && !ReadFrame())
        {
            return false;
        }

        long target = OutputTime(outputIndex);
        while (true)
        {
            if (!TryPeekNextTimestamp(out long next))
            {
                // The last frame is applied: it still needs this slot if the previous slot started before it.
                return outputIndex == 0 || OutputTime(outputIndex - 1) < _frame.TimestampMicroseconds;
            }

            if (next > target)
            {
                return true;
            }

            ReadFrame();
        }
    }

    private long OutputTime(long outputIndex)
    {
        long offset = Header.FrameRate.TimestampOf(outputIndex);
        long first = Statistics.FirstTimestampMicroseconds;
        return offset > long.MaxValue - first ? long.MaxValue : first + offset;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _framebuffer?.Dispose();
        _framebuffer = null;
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    private TraceHeader ParseHeader()
    {
        ReadOnlySpan<byte> payload = _records.Payload;
        long at = _records.PayloadOffset;
        if (payload.Length < TraceRecordType.HeaderFixedSize)
        {
            TraceThrowHelper.ThrowInvalid(at, $"HEADER record of {payload.Length} bytes; at least {TraceRecordType.HeaderFixedSize} are needed");
        }

        uint width = BinaryPrimitives.ReadUInt32LittleEndian(payload);
        uint height = BinaryPrimitives.ReadUInt32LittleEndian(payload[4..]);
        CheckMode(width, height, at);
        PixelFormat format = PixelFormat.ReadWire(payload[8..24]);
        if (!format.TryValidate(out string? reason) || !format.TrueColour)
        {
            TraceThrowHelper.ThrowInvalid(at + 8, $"unsupported pixel format {format}: {reason ?? "not true colour"}");
        }

        uint numerator = BinaryPrimitives.ReadUInt32LittleEndian(payload[24..]);
        uint denominator = BinaryPrimitives.ReadUInt32LittleEndian(payload[28..]);
        if (numerator is < 1 or > TraceFormat.MaxFrameRateTerm || denominator is < 1 or > TraceFormat.MaxFrameRateTerm)
        {
            TraceThrowHelper.ThrowInvalid(at + 24, $"frame rate {numerator}/{denominator} is outside 1..{TraceFormat.MaxFrameRateTerm} per term");
        }

        uint flags = BinaryPrimitives.ReadUInt32LittleEndian(payload[32..]);
        int toolLength = payload[36];
        if (payload.Length < TraceRecordType.HeaderFixedSize + toolLength)
        {
            TraceThrowHelper.ThrowInvalid(at + 36, $"the tool string of {toolLength} bytes runs past the HEADER record");
        }

        return new TraceHeader((int)width, (int)height)
        {
            PixelFormat = format,
            FrameRate = new TraceFrameRate((int)numerator, (int)denominator),
            Flags = flags,
            Tool = Encoding.UTF8.GetString(payload.Slice(TraceRecordType.HeaderFixedSize, toolLength)),
        };
    }

    /// <summary>Reads top-level records up to the next FRAME (kept pending) or END (checked); true for a FRAME.</summary>
    private bool ReadToNextFrame()
    {
        while (true)
        {
            if (!_records.TryRead())
            {
                TraceThrowHelper.ThrowInvalid(_records.Position, $"truncated: the trace ends after {Statistics.Frames} frames without an END record");
            }

            ReadOnlySpan<byte> payload = _records.Payload;
            long at = _records.PayloadOffset;
            switch (_records.Type)
            {
                case TraceRecordType.Frame:
                    RequireLength(TraceRecordType.FrameSize);
                    ulong timestamp = BinaryPrimitives.ReadUInt64LittleEndian(payload);
                    if (timestamp > long.MaxValue || (Statistics.Frames > 0 && (long)timestamp < _lastTimestamp))
                    {
                        TraceThrowHelper.ThrowInvalid(at, $"frame timestamp {timestamp} is before the previous frame's {_lastTimestamp}");
                    }

                    uint items = BinaryPrimitives.ReadUInt32LittleEndian(payload[8..]);
                    if (items > TraceFormat.MaxItemsPerFrame)
                    {
                        TraceThrowHelper.ThrowInvalid(at + 8, $"frame claims {items} records; the limit is {TraceFormat.MaxItemsPerFrame}");
                    }

                    (_pending, _pendingTimestamp, _pendingItems, _pendingOffset, _pendingSize) = (true, (long)timestamp, (int)items, _records.RecordOffset, _records.RecordSize);
                    return true;

                case TraceRecordType.End:
                    RequireLength(TraceRecordType.EndSize);
                    ulong frames = BinaryPrimitives.ReadUInt64LittleEndian(payload);
                    ulong last = BinaryPrimitives.ReadUInt64LittleEndian(payload[8..]);
                    if (frames != (ulong)Statistics.Frames)
                    {
                        TraceThrowHelper.ThrowInvalid(at, $"END record counts {frames} frames; the trace has {Statistics.Frames}");
                    }

                    if (last != (ulong)Statistics.LastTimestampMicroseconds)
                    {
                        TraceThrowHelper.ThrowInvalid(at + 8, $"END record gives the last timestamp as {last}; the last frame's is {Statistics.LastTimestampMicroseconds}");
                    }

                    if (!_records.AtEndOfStream())
                    {
                        TraceThrowHelper.ThrowInvalid(_records.Position - 1, "data after the END record");
                    }

                    _completed = true;
                    return false;

                default:
                    SkipUnknownOrThrow("between frames");
                    break;
            }
        }
    }

    private void ReadFrameItems()
    {
        long index = Statistics.Frames;
        _frame.Reset(index, _pendingTimestamp, _pendingOffset);
        long encodedBytes = _pendingSize;
        bool cursorPositionSeen = false;
        bool cursorShapeSeen = false;
        for (int item = 0; item < _pendingItems; item++)
        {
            if (!_records.TryRead())
            {
                TraceThrowHelper.ThrowTruncated(_records.Position, $"frame {index} ({item} of its {_pendingItems} records present)");
            }

            encodedBytes += _records.RecordSize;
            switch (_records.Type)
            {
                case TraceRecordType.Mode:
                    if (item != 0)
                    {
                        TraceThrowHelper.ThrowInvalid(_records.RecordOffset, $"MODE record is not the first record of frame {index}");
                    }

                    ReadMode();
                    break;

                case TraceRecordType.Rect:
                    ReadRect();
                    break;

                case TraceRecordType.CursorPosition:
                    RejectRepeat(ref cursorPositionSeen, index);
                    ReadCursorPosition();
                    break;

                case TraceRecordType.CursorShape:
                    RejectRepeat(ref cursorShapeSeen, index);
                    ReadCursorShape();
                    break;

                case TraceRecordType.Annotation:
                    ReadAnnotation();
                    break;

                default:
                    SkipUnknownOrThrow($"inside frame {index}");
                    break;
            }
        }

        _frame.EncodedBytes = encodedBytes;
        _frame.Width = _width;
        _frame.Height = _height;
        _lastTimestamp = _pendingTimestamp;
        Statistics.AddFrame(_pendingTimestamp);
    }

    private void ReadMode()
    {
        RequireLength(TraceRecordType.ModeSize);
        ReadOnlySpan<byte> payload = _records.Payload;
        uint width = BinaryPrimitives.ReadUInt32LittleEndian(payload);
        uint height = BinaryPrimitives.ReadUInt32LittleEndian(payload[4..]);
        CheckMode(width, height, _records.PayloadOffset);
        SetMode((int)width, (int)height);
        _frame.ModeChanged = true;
        Statistics.ModeChanges++;
    }

    private void ReadRect()
    {
        RequireLength(TraceRecordType.RectFixedSize);
        ReadOnlySpan<byte> payload = _records.Payload;
        long at = _records.PayloadOffset;
        if (_frame.RectList.Count >= TraceFormat.MaxRectsPerFrame)
        {
            TraceThrowHelper.ThrowInvalid(_records.RecordOffset, $"frame {_frame.Index} has more than {TraceFormat.MaxRectsPerFrame} rectangles");
        }

        int x = BinaryPrimitives.ReadUInt16LittleEndian(payload);
        int y = BinaryPrimitives.ReadUInt16LittleEndian(payload[2..]);
        int width = BinaryPrimitives.ReadUInt16LittleEndian(payload[4..]);
        int height = BinaryPrimitives.ReadUInt16LittleEndian(payload[6..]);
        var area = new Rect(x, y, width, height);
        if (width == 0 || height == 0 || area.Right > _width || area.Bottom > _height)
        {
            TraceThrowHelper.ThrowInvalid(at, $"rectangle {area} is empty or not inside the {_width}x{_height} mode");
        }

        TraceCodec codec = (TraceCodec)payload[8];
        int dataLength = payload.Length - TraceRecordType.RectFixedSize;
        int rawLength = CheckPixelData(area.Area * _bytesPerPixel, codec, dataLength, at + 8, "rectangle");
        if (_framebuffer is not null)
        {
            _decoder.Decode(codec, _records.Buffer, TraceRecordType.RectFixedSize, dataLength, _framebuffer.View.Slice(area), at + TraceRecordType.RectFixedSize);
        }

        _frame.RectList.Add(new TraceRect(area, codec, dataLength));
        _frame.ChangedPixels += area.Area;
        Statistics.AddRect(codec, area.Area, rawLength, dataLength);
    }

    private void ReadCursorPosition()
    {
        RequireLength(TraceRecordType.CursorPositionSize);
        ReadOnlySpan<byte> payload = _records.Payload;
        int x = BinaryPrimitives.ReadInt32LittleEndian(payload);
        int y = BinaryPrimitives.ReadInt32LittleEndian(payload[4..]);
        if (Math.Abs((long)x) > TraceFormat.MaxCursorCoordinate || Math.Abs((long)y) > TraceFormat.MaxCursorCoordinate)
        {
            TraceThrowHelper.ThrowInvalid(_records.PayloadOffset, $"cursor position ({x}, {y}) is beyond ±{TraceFormat.MaxCursorCoordinate}");
        }

        Cursor.SetPosition(x, y, (payload[8] & 1) != 0);
        _frame.CursorPositionChanged = true;
        Statistics.CursorPositions++;
    }

    private void ReadCursorShape()
    {
        RequireLength(TraceRecordType.CursorShapeFixedSize);
        ReadOnlySpan<byte> payload = _records.Payload;
        long at = _records.PayloadOffset;
        int hotspotX = BinaryPrimitives.ReadUInt16LittleEndian(payload);
        int hotspotY = BinaryPrimitives.ReadUInt16LittleEndian(payload[2..]);
        int width = BinaryPrimitives.ReadUInt16LittleEndian(payload[4..]);
        int height = BinaryPrimitives.ReadUInt16LittleEndian(payload[6..]);
        bool empty = width == 0 && height == 0;
        if (width > TraceFormat.MaxCursorSize || height > TraceFormat.MaxCursorSize || (!empty && (width == 0 || height == 0)))
        {
            TraceThrowHelper.ThrowInvalid(at + 4, $"cursor image of {width}x{height} is outside 1..{TraceFormat.MaxCursorSize} per side (or 0x0)");
        }

        if (empty ? hotspotX != 0 || hotspotY != 0 : hotspotX >= width || hotspotY >= height)
        {
            TraceThrowHelper.ThrowInvalid(at, $"cursor hotspot ({hotspotX}, {hotspotY}) is outside its {width}x{height} image");
        }

        TraceCodec codec = (TraceCodec)payload[8];
        int dataLength = payload.Length - TraceRecordType.CursorShapeFixedSize;
        CheckPixelData(width * height * 4L, codec, dataLength, at + 8, "cursor image");
        Span<byte> pixels = Cursor.PrepareShape(hotspotX, hotspotY, width, height);
        if (!empty)
        {
            var view = new ImageView(pixels, width, height, width * 4, PixelFormat.Bgrx32);
            _decoder.Decode(codec, _records.Buffer, TraceRecordType.CursorShapeFixedSize, dataLength, view, at + TraceRecordType.CursorShapeFixedSize);
        }

        _frame.CursorShapeChanged = true;
        Statistics.CursorShapes++;
    }

    private void ReadAnnotation()
    {
        RequireLength(TraceRecordType.AnnotationSize);
        if (_frame.AnnotationList.Count >= TraceFormat.MaxAnnotationsPerFrame)
        {
            TraceThrowHelper.ThrowInvalid(_records.RecordOffset, $"frame {_frame.Index} has more than {TraceFormat.MaxAnnotationsPerFrame} annotations");
        }

        ReadOnlySpan<byte> payload = _records.Payload;
        var annotation = new TraceAnnotation(
            (TraceAnnotationKind)payload[0],
            new Rect(
                BinaryPrimitives.ReadInt32LittleEndian(payload[4..]),
                BinaryPrimitives.ReadInt32LittleEndian(payload[8..]),
                BinaryPrimitives.ReadInt32LittleEndian(payload[12..]),
                BinaryPrimitives.ReadInt32LittleEndian(payload[16..])),
            BinaryPrimitives.ReadInt32LittleEndian(payload[20..]),
            BinaryPrimitives.ReadInt32LittleEndian(payload[24..]));
        if (annotation.Validate(_width, _height) is string problem)
        {
            TraceThrowHelper.ThrowInvalid(_records.PayloadOffset, problem);
        }

        _frame.AnnotationList.Add(annotation);
        Statistics.Annotations++;
    }

    /// <summary>Checks the stored length of pixel data against its geometry; returns the raw length.</summary>
    private static int CheckPixelData(long rawLength, TraceCodec codec, int dataLength, long at, string what)
    {
        if (rawLength > TraceFormat.MaxRectBytes)
        {
            TraceThrowHelper.ThrowInvalid(at, $"{what} of {rawLength} bytes exceeds the {TraceFormat.MaxRectBytes}-byte limit");
        }

        bool fits = codec switch
        {
            TraceCodec.Raw => dataLength == rawLength,
            TraceCodec.Lz4 or TraceCodec.Zlib => dataLength >= 1 && dataLength <= rawLength,
            _ => false,
        };
        if (!fits)
        {
            TraceThrowHelper.ThrowInvalid(at, Enum.IsDefined(codec)
                ? $"{what} has {dataLength} bytes of {codec} data for {rawLength} bytes of pixels"
                : $"{what} uses unknown codec {(byte)codec}");
        }

        return (int)rawLength;
    }

    private void CheckMode(uint width, uint height, long at)
    {
        long limit = Math.Min(_options.MaxFramebufferPixels, TraceFormat.MaxPixels);
        if (!TraceFormat.IsValidMode(width, height, limit))
        {
            TraceThrowHelper.ThrowInvalid(at, $"display mode {width}x{height} is outside the limits (1 to {TraceFormat.MaxDimension} per side, at most {limit} pixels)");
        }
    }

    private void SetMode(int width, int height)
    {
        _width = width;
        _height = height;
        if (!_options.DecodePixels)
        {
            return;
        }

        if (_framebuffer is not null && _framebuffer.Width == width && _framebuffer.Height == height)
        {
            _framebuffer.Span.Clear();
            return;
        }

        _framebuffer?.Dispose();
        _framebuffer = null;
        _framebuffer = Framebuffer.Allocate(width, height, Header.PixelFormat);
    }

    private void RequireLength(int length)
    {
        if (_records.Length < length)
        {
            TraceThrowHelper.ThrowInvalid(_records.RecordOffset + 1, $"{TraceRecordType.Name(_records.Type)} record of {_records.Length} bytes; at least {length} are needed");
        }
    }

    private void RejectRepeat(ref bool seen, long index)
    {
        if (seen)
        {
            TraceThrowHelper.ThrowInvalid(_records.RecordOffset, $"second {TraceRecordType.Name(_records.Type)} record in frame {index}");
        }

        seen = true;
    }

    private void SkipUnknownOrThrow(string where)
    {
        byte type = _records.Type;
        if (TraceRecordType.IsKnown(type))
        {
            TraceThrowHelper.ThrowInvalid(_records.RecordOffset, $"{TraceRecordType.Name(type)} record {where}");
        }

        if ((type & TraceRecordType.CriticalBit) != 0)
        {
            TraceThrowHelper.ThrowInvalid(_records.RecordOffset, $"unknown critical record type {TraceRecordType.Name(type)} {where}");
        }

        Statistics.SkippedRecords++;
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_failed)
        {
            throw new InvalidOperationException("The trace reader stopped at malformed input and cannot go on.");
        }
    }
}
