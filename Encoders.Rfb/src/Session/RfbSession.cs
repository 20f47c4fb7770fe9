using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using Codecs;
using Codecs.Pixels;
using Codecs.Rfb;
using Codecs.Rfb.Encoders;
using Damage;
using Damage.Device;
using Damage.Sharing;
using Encoders.Rfb.Protocol;
using Microsoft.Extensions.Logging;

namespace Encoders.Rfb.Session;

/// <summary>
/// One connected client after the handshake: a reader loop that parses client messages and a writer loop that is the
/// only writer of the output pipe (updates and every reply).
/// </summary>
/// <remarks>
/// <para>The reader never writes: it records what the client asked for under <see cref="_gate"/> and wakes the writer.
/// The writer takes the client's accumulated damage from the shared display only when the client has an update request
/// outstanding (or continuous updates on) and the previous update has been flushed, so a slow client simply takes less
/// often; its pending damage stays bounded inside <see cref="DisplayClient"/> and at most one encoded update waits in
/// the pipe.</para>
/// </remarks>
internal sealed partial class RfbSession : IDisposable
{
    private readonly object _gate = new();
    private readonly IDuplexPipe _transport;
    private readonly DisplayClient _display;
    private readonly IDisplayDevice _device;
    private readonly RfbClientStatistics _statistics;
    private readonly ILogger _logger;
    private readonly ClientMessageParser _parser;
    private readonly ClientEncoders _encoders;
    private readonly ArrayBufferWriter<byte> _scratch = new(1 << 16);
    private readonly SemaphoreSlim _signal = new(0, 1);
    private readonly List<Rect> _pixelRects = [];
    private readonly IReadOnlyList<int>? _allowed;

    // Owned by the writer loop.
    private EncodingPreferences _preferences = EncodingPreferences.Default;
    private int _encoding = RfbEncoding.Raw;
    private bool _announcedContinuousUpdates;
    private bool _announcedFence;
    private bool _acknowledgedQemuKeys;

    // Shared with the reader loop, under _gate.
    private EncodingPreferences? _newPreferences;
    private PixelFormat? _newFormat;
    private bool _updateRequested;
    private bool _desktopSizeReplyRequested;
    private bool _continuousUpdates;
    private bool _endContinuousUpdates;
    private readonly Queue<FenceMessage> _fenceReplies = new();
    private bool _setDesktopSizeRejected;

    public RfbSession(IDuplexPipe transport, DisplayClient display, IDisplayDevice device, RfbClientStatistics statistics, RfbServerOptions options, ILogger logger)
    {
        _transport = transport;
        _display = display;
        _device = device;
        _statistics = statistics;
        _logger = logger;
        _parser = new ClientMessageParser(options.MaxCutTextLength);
        _allowed = options.Encodings;
        _encoders = new ClientEncoders(PixelConverter.Create(PixelFormat.Bgrx32), options.TightGradient, options.AllowLossy);
        statistics.PixelFormat = PixelFormat.Bgrx32;
        statistics.Encoding = EncodingPreferences.Name(_encoding);
    }

    /// <summary>Most fence requests waiting for their reply; a client that exceeds it is not waiting for them.</summary>
    private const int MaxPendingFences = 64;

    /// <summary>Runs until the client disconnects, sends garbage, or <paramref name="cancellationToken"/> fires; returns why it ended.</summary>
    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task<string> reader = ReadLoopAsync(stop.Token);
        Task<string> writer = WriteLoopAsync(stop.Token);
        Task<string> first = await Task.WhenAny(reader, writer).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        string reason = await Outcome(first).ConfigureAwait(false);
        Task<string> other = first == reader ? writer : reader;
        await Outcome(other).ConfigureAwait(false);
        return reason;
    }

    public void Dispose()
    {
        _encoders.Dispose();
        _signal.Dispose();
    }

    private static async Task<string> Outcome(Task<string> loop)
    {
        try
        {
            return await loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return "server stopped";
        }
        catch (CodecDataException ex)
        {
            return "protocol error: " + ex.Message;
        }
        catch (IOException ex)
        {
            return "connection error: " + ex.Message;
        }
        catch (ObjectDisposedException ex)
        {
            return "connection closed: " + ex.Message;
        }
    }

    private async Task<string> ReadLoopAsync(CancellationToken cancellationToken)
    {
        PipeReader input = _transport.Input;
        while (true)
        {
            ReadResult result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            try
            {
                while (_parser.TryParse(ref buffer, out ClientMessage? message))
                {
                    Handle(message!);
                }
            }
            finally
            {
                input.AdvanceTo(buffer.Start, buffer.End);
            }

            if (result.IsCompleted)
            {
                return buffer.IsEmpty ? "client disconnected" : $"client disconnected inside a message ({buffer.Length} bytes pending)";
            }

            if (result.IsCanceled)
            {
                return "server stopped";
            }
        }
    }

    private void Handle(ClientMessage message)
    {
        switch (message)
        {
            case UpdateRequestMessage request:
                lock (_gate)
                {
                    if (!request.Incremental)
                    {
                        _display.Invalidate(request.Area);
                        _desktopSizeReplyRequested = true;
                    }
                    else if (_continuousUpdates)
                    {
                        // With continuous updates on, incremental requests carry no information (rfbproto).
                        return;
                    }

                    _updateRequested = true;
                }

                break;
            case KeyMessage key:
                _statistics.AddKey();
                _device.SendKey(new KeyEvent(key.Keysym, key.Scancode, key.Down));
                break;
            case PointerMessage pointer:
                _statistics.AddPointer();
                _device.SendPointer(new PointerEvent(pointer.X, pointer.Y, (PointerButtons)(pointer.ButtonMask & 0x7F)));
                break;
            case CutTextMessage text:
                _device.SendClipboard(text.Text);
                break;
            case SetPixelFormatMessage format:
                lock (_gate)
                {
                    _newFormat = format.Format;
                }

                break;
            case SetEncodingsMessage encodings:
                lock (_gate)
                {
                    _newPreferences = new EncodingPreferences(encodings.Encodings);
                }

                break;
            case EnableContinuousUpdatesMessage continuous:
                lock (_gate)
                {
                    _continuousUpdates = continuous.Enable;
                    _endContinuousUpdates |= !continuous.Enable;
                }

                break;
            case FenceMessage fence when (fence.Flags & FenceMessage.Request) != 0:
                lock (_gate)
                {
                    if (_fenceReplies.Count >= MaxPendingFences)
                    {
                        CodecDataException.Throw("rfb-client", _parser.Offset, $"more than {MaxPendingFences} fence requests without reading the replies");
                    }

                    _fenceReplies.Enqueue(fence);
                }

                break;
            case FenceMessage:
                // The answer to our own fence: nothing waits for it.
                break;
            case SetDesktopSizeMessage:
                lock (_gate)
                {
                    _setDesktopSizeRejected = true;
                }

                break;
            case XvpMessage xvp:
                LogXvpIgnored(_logger, _statistics.Id, xvp.Code);
                return;
            default:
                throw new InvalidOperationException("unhandled message " + message.GetType().Name);
        }

        Wake();
    }

    private void Wake()
    {
        lock (_signal)
        {
            if (_signal.CurrentCount == 0)
            {
                _signal.Release();
            }
        }
    }

    private async Task<string> WriteLoopAsync(CancellationToken cancellationToken)
    {
        PipeWriter output = _transport.Output;
        Task? signal = null;
        Task<bool>? changes = null;
        bool displayEnded = false;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var counter = new CountingWriter(output);
            bool canSend = WriteControlMessages(counter);
            if (canSend && _display.HasChanges)
            {
                WriteUpdate(counter);
            }

            if (counter.Written > 0)
            {
                _statistics.AddBytes(counter.Written);
                FlushResult flushed = await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                if (flushed.IsCompleted)
                {
                    return "client disconnected";
                }

                continue;
            }

            signal ??= _signal.WaitAsync(cancellationToken);
            if (canSend && !displayEnded)
            {
                changes ??= _display.WaitForChangesAsync(cancellationToken).AsTask();
                await Task.WhenAny(signal, changes).ConfigureAwait(false);
            }
            else
            {
                await signal.ConfigureAwait(false);
            }

            if (signal.IsCompleted)
            {
                await signal.ConfigureAwait(false);
                signal = null;
            }

            if (changes is { IsCompleted: true })
            {
                displayEnded = !await changes.ConfigureAwait(false);
                changes = null;
            }
        }
    }

    /// <summary>Applies new settings and writes the replies the reader queued; returns whether an update may be sent.</summary>
    private bool WriteControlMessages(CountingWriter output)
    {
        EncodingPreferences? preferences;
        PixelFormat? format;
        bool endContinuous;
        bool rejectDesktopSize;
        FenceMessage[] fences;
        bool canSend;
        lock (_gate)
        {
            preferences = _newPreferences;
            format = _newFormat;
            endContinuous = _endContinuousUpdates;
            rejectDesktopSize = _setDesktopSizeRejected;
            fences = _fenceReplies.Count == 0 ? [] : [.. _fenceReplies];
            _newPreferences = null;
            _newFormat = null;
            _endContinuousUpdates = false;
            _setDesktopSizeRejected = false;
            _fenceReplies.Clear();
            canSend = _updateRequested || _continuousUpdates;
        }

        if (format is { } newFormat)
        {
            _encoders.SetPixelFormat(PixelConverter.Create(newFormat));
            _statistics.PixelFormat = newFormat;
            if (!newFormat.TrueColour)
            {
                ServerMessages.WriteColourMap(output, _encoders.Converter);
            }

            ChooseEncoding();
        }

        if (preferences is not null)
        {
            _preferences = preferences;
            _statistics.RequestedEncodings = preferences.Encodings;
            _encoders.SetTightOptions(preferences.Encodings);
            ChooseEncoding();
            if (preferences.ContinuousUpdates && !_announcedContinuousUpdates)
            {
                // rfbproto: the first EndOfContinuousUpdates tells the client the server supports them.
                _announcedContinuousUpdates = true;
                endContinuous = true;
            }

            if (preferences.Fence && !_announcedFence)
            {
                _announcedFence = true;
                ServerMessages.WriteFence(output, FenceMessage.Request | FenceMessage.BlockBefore, []);
            }

            if (preferences.QemuKeyEvents && !_acknowledgedQemuKeys)
            {
                // QEMU's acknowledgement: an update with one pseudo-rectangle; the client then sends extended key events.
                _acknowledgedQemuKeys = true;
                ServerMessages.WriteUpdateHeader(output, 1);
                ServerMessages.WritePseudoRect(output, _display.Mode.Bounds, RfbPseudoEncoding.QemuExtendedKeyEvent);
                _statistics.AddUpdate(TimeSpan.Zero);
            }
        }

        if (endContinuous && _announcedContinuousUpdates)
        {
            ServerMessages.WriteEndOfContinuousUpdates(output);
        }

        foreach (FenceMessage fence in fences)
        {
            // Every earlier message has been handled and every earlier update written, which is what the block flags ask.
            uint flags = fence.Flags & (FenceMessage.BlockBefore | FenceMessage.BlockAfter | FenceMessage.SyncNext);
            ServerMessages.WriteFence(output, flags, fence.Payload);
        }

        if (rejectDesktopSize && _preferences.ExtendedDesktopSize)
        {
            DisplayMode mode = _display.Mode;
            ServerMessages.WriteUpdateHeader(output, 1);
            ServerMessages.WriteExtendedDesktopSize(output, mode.Width, mode.Height, reason: 1, status: 1);
            _statistics.AddUpdate(TimeSpan.Zero);
        }

        return canSend;
    }

    private void ChooseEncoding()
    {
        int encoding = _preferences.ChoosePixelEncoding(e => _encoders.IsUnavailable(e) || _allowed?.Contains(e) == false);
        string name = EncodingPreferences.Name(encoding);
        if (encoding != _encoding)
        {
            LogEncodingChosen(_logger, _statistics.Id, name);
        }

        _encoding = encoding;
        _statistics.Encoding = name;
    }

    /// <summary>Takes the client's pending damage and writes one FramebufferUpdate (or a resize) synchronously.</summary>
    private void WriteUpdate(CountingWriter output)
    {
        long start = Stopwatch.GetTimestamp();
        bool desktopSizeReply;
        lock (_gate)
        {
            desktopSizeReply = _desktopSizeReplyRequested && _preferences.ExtendedDesktopSize;
            _desktopSizeReplyRequested = false;
        }

        using ClientUpdate update = _display.TakeUpdate();
        DisplayMode mode = update.Mode;
        if (update.ModeChanged && (_preferences.ExtendedDesktopSize || _preferences.DesktopSize))
        {
            // The resize goes alone; the whole screen follows in the update answering the client's next request.
            ServerMessages.WriteUpdateHeader(output, 1);
            if (_preferences.ExtendedDesktopSize)
            {
                ServerMessages.WriteExtendedDesktopSize(output, mode.Width, mode.Height, reason: 0, status: 0);
            }
            else
            {
                ServerMessages.WritePseudoRect(output, new Rect(0, 0, mode.Width, mode.Height), RfbEncoding.DesktopSize);
            }

            _display.Invalidate(mode.Bounds);
            FinishUpdate(start);
            return;
        }

        if (desktopSizeReply)
        {
            // rfbproto: a non-incremental request is answered with ExtendedDesktopSize when the client supports it.
            ServerMessages.WriteUpdateHeader(output, 1);
            ServerMessages.WriteExtendedDesktopSize(output, mode.Width, mode.Height, reason: 0, status: 0);
            _statistics.AddUpdate(TimeSpan.Zero);
        }

        bool sendCursor = update.CursorChanged && update.Cursor is not null && (_preferences.RichCursor || _preferences.XCursor);
        bool copyRect = _preferences.CopyRect;
        _pixelRects.Clear();
        _pixelRects.AddRange(update.Rectangles);
        if (!copyRect)
        {
            // Without CopyRect the copies' destinations are drawn from the frame like any other damage.
            foreach (CopyOperation copy in update.Copies)
            {
                _pixelRects.Add(copy.Destination.Intersect(mode.Bounds));
            }
        }

        int copies = copyRect ? update.Copies.Count : 0;
        if (_pixelRects.Count == 0 && copies == 0 && !sendCursor)
        {
            // Only a pointer move or an unsupported cursor change: nothing to send, the request stays open.
            return;
        }

        PutBottomRightLast(_pixelRects, mode);
        bool lastRect = _preferences.LastRect;
        IBufferWriter<byte> body = lastRect ? output : _scratch;
        if (lastRect)
        {
            ServerMessages.WriteUpdateHeader(output, ServerMessages.UnknownRectangleCount);
        }
        else
        {
            _scratch.ResetWrittenCount();
        }

        int rectangles = 0;
        if (sendCursor)
        {
            if (_preferences.RichCursor)
            {
                ServerMessages.WriteRichCursor(body, update.Cursor!, _encoders.Converter);
            }
            else
            {
                ServerMessages.WriteXCursor(body, update.Cursor!);
            }

            rectangles++;
        }

        for (int i = 0; i < copies; i++)
        {
            CopyOperation copy = update.Copies[i];
            CopyRectEncoder.Write(body, copy.Destination, copy.Source.X, copy.Source.Y);
        }

        rectangles += copies;
        _statistics.AddCopies(copies);
        ReadOnlyImageView frame = update.Frame;
        string encodingName = EncodingPreferences.Name(_encoding);
        foreach (Rect area in _pixelRects)
        {
            if (area.IsEmpty)
            {
                continue;
            }

            int written = _encoders.Encode(_encoding, frame, area, body);
            rectangles += written;
            _statistics.AddRectangles(encodingName, written);
        }

        _statistics.SetTightGradientRectangles(_encoders.TightGradientRectangles);

        if (lastRect)
        {
            ServerMessages.WritePseudoRect(output, default, RfbEncoding.LastRect);
        }
        else
        {
            if (rectangles > ushort.MaxValue - 1)
            {
                throw new InvalidOperationException($"{rectangles} rectangles do not fit one FramebufferUpdate");
            }

            ServerMessages.WriteUpdateHeader(output, (ushort)rectangles);
            output.Write(_scratch.WrittenSpan);
            if (_scratch.Capacity > 16 << 20)
            {
                // Give back an exceptionally large buffer instead of holding it for the connection's lifetime.
                _scratch.Clear();
            }
        }

        FinishUpdate(start);
    }

    private void FinishUpdate(long start)
    {
        lock (_gate)
        {
            _updateRequested = false;
        }

        _statistics.AddUpdate(Stopwatch.GetElapsedTime(start));
    }

    /// <summary>
    /// gvnccapture saves its picture as soon as a rectangle reaching the bottom-right corner is decoded, so that one goes
    /// last (rfb-encodings.md §10.1).
    /// </summary>
    private static void PutBottomRightLast(List<Rect> rects, DisplayMode mode)
    {
        int index = rects.FindIndex(r => r.Right == mode.Width && r.Bottom == mode.Height);
        if (index >= 0 && index != rects.Count - 1)
        {
            Rect corner = rects[index];
            rects.RemoveAt(index);
            rects.Add(corner);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Client {Id}: ignoring xvp request {Code}")]
    private static partial void LogXvpIgnored(ILogger logger, long id, byte code);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Client {Id}: pixel encoding {Encoding}")]
    private static partial void LogEncodingChosen(ILogger logger, long id, string encoding);
}
