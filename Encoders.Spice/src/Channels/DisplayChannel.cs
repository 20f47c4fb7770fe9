using System.Diagnostics;
using System.IO.Pipelines;
using System.Runtime.InteropServices;
using Codecs.Pixels;
using Codecs.Spice.Choice;
using Damage;
using Damage.Device;
using Encoders.Spice.Display;
using Encoders.Spice.Link;
using Encoders.Spice.Protocol;

namespace Encoders.Spice.Channels;

/// <summary>
/// Display channel 0: the primary surface (created, and destroyed and recreated on a mode change), MONITORS_CONFIG,
/// a first full-frame DRAW_COPY then MARK, and afterwards per update COPY_BITS for the hub's copies followed by
/// grid-aligned tiles as DRAW_FILL (solid), DRAW_COPY from the client's image cache, or DRAW_COPY with an encoded
/// image. The send loop takes an update only while the client's ACK window has room, so a slow client coalesces in
/// the hub instead of queueing here.
/// </summary>
internal sealed class DisplayChannel : SpiceChannel, IDisposable
{
    /// <summary>Tiles below this many pixels are not worth a cache entry.</summary>
    private const int MinCachedPixels = 256;

    private readonly IDisplaySource _source;
    private readonly SpiceServerOptions _options;
    private readonly ImageWriter _images = new();
    private readonly TaskCompletionSource _initReceived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _ackSignal = new(0);
    private readonly List<ulong> _evicted = [];
    private readonly bool _clientLz4;
    private ImageCache? _cache;
    private long _initCachePixels;
    private int _initGlzWindow;
    private int _preferred;
    private int _unacked;
    private volatile bool _ackSynced;
    private bool _initApplied;

    public DisplayChannel(IDuplexPipe transport, LinkMessage link, SpiceClient session, IDisplaySource source, SpiceServerOptions options, SpiceDisplayStatistics totals)
        : base(transport, link, session)
    {
        _source = source;
        _options = options;
        _clientLz4 = link.HasChannelCap(SpiceCaps.DisplayLz4Compression);
        DisplayStatistics = new SpiceDisplayStatistics(totals);
    }

    /// <summary>The caps this server advertises on display links.</summary>
    public static uint ServerCaps => (1u << SpiceCaps.DisplayMonitorsConfig) | (1u << SpiceCaps.DisplayPrefCompression);

    public SpiceDisplayStatistics DisplayStatistics { get; }

    private const uint AckGeneration = 1;

    public override async Task RunAsync(CancellationToken cancellationToken)
    {
        if (_options.AckWindow > 0)
        {
            MessageBuffer m = Begin(BaseMessage.SetAck);
            m.U32(AckGeneration);
            m.U32((uint)_options.AckWindow);
            Send();
            _unacked = 0;
            await FlushAsync(cancellationToken);
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task read = ReadMessagesAsync(stop.Token);
        Task send = SendLoopAsync(stop.Token);
        await Task.WhenAny(read, send);
        if (read.IsCompleted || send.IsFaulted)
        {
            stop.Cancel(); // the client left or the sender failed: stop the other half
        }

        await WhenBothAsync(read, send, cancellationToken);
    }

    public void Dispose()
    {
        _images.Dispose();
        _ackSignal.Dispose();
    }

    protected override void OnMessage(ushort type, ReadOnlySpan<byte> body)
    {
        switch (type)
        {
            case DisplayMessage.Init:
                var reader = new BodyReader(body, "DISPLAY_INIT");
                reader.U8(); // pixmap_cache_id
                long cachePixels = reader.I64();
                byte glzId = reader.U8();
                int glzWindow = reader.I32();
                Volatile.Write(ref _initCachePixels, Math.Max(0, cachePixels));
                Volatile.Write(ref _initGlzWindow, glzId != 0 ? Math.Max(0, glzWindow) : 0);
                _initReceived.TrySetResult();
                break;
            case DisplayMessage.PreferredCompression:
                byte mode = new BodyReader(body, "PREFERRED_COMPRESSION").U8();
                if (mode <= (byte)SpiceImageCompression.Lz4)
                {
                    Volatile.Write(ref _preferred, mode);
                }

                break;
            default:
                break; // STREAM_REPORT, PREFERRED_VIDEO_CODEC_TYPE, GL_DRAW_DONE: no streams here
        }
    }

    protected override void OnAckSync(uint generation) => _ackSynced = generation == AckGeneration;

    protected override void OnAck()
    {
        if (_ackSynced)
        {
            Interlocked.Add(ref _unacked, -_options.AckWindow);
            _ackSignal.Release();
        }
    }

    protected override void OnSent() => Interlocked.Increment(ref _unacked);

    private static async Task WhenBothAsync(Task read, Task send, CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(read, send);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }

        // Surface the real failure (a malformed message, a broken pipe), not the cancellation it caused.
        foreach (Task task in (Task[])[read, send])
        {
            if (task.Exception?.InnerException is { } error and not OperationCanceledException)
            {
                ExceptionDispatchInfoThrow(error);
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
    }

    private static void ExceptionDispatchInfoThrow(Exception error) =>
        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(error).Throw();

    private async Task SendLoopAsync(CancellationToken cancellationToken)
    {
        await _source.WaitForFirstFrameAsync(cancellationToken);
        using IDisplayFeed feed = _source.Connect();

        // Clients send DISPLAY_INIT right after the link; waiting briefly lets the first frame use GLZ and the cache.
        try
        {
            await _initReceived.Task.WaitAsync(_options.DisplayInitWait, cancellationToken);
        }
        catch (TimeoutException)
        {
            // A client that never sends DISPLAY_INIT gets no GLZ and no cache until it does.
        }

        bool surfaceCreated = false;
        while (await feed.WaitForChangesAsync(cancellationToken))
        {
            await WaitForAckWindowAsync(cancellationToken);
            ApplyDisplayInit();
            long started = Stopwatch.GetTimestamp();
            using (IFeedUpdate update = feed.TakeUpdate())
            {
                if (!surfaceCreated || update.ModeChanged)
                {
                    SendSurface(update, destroyFirst: surfaceCreated);
                    surfaceCreated = true;
                }
                else
                {
                    foreach (CopyOperation copy in update.Copies)
                    {
                        SendCopyBits(copy);
                    }

                    ReadOnlyImageView frame = update.Frame;
                    foreach (Rect rect in update.Rectangles)
                    {
                        SendTiles(frame, rect);
                    }
                }
            }

            DisplayStatistics.AddEncodeTicks(Stopwatch.GetTimestamp() - started);
            DisplayStatistics.AddUpdate();
            DisplayStatistics.SetGlzRetainedPixels(_images.GlzWindow?.RetainedPixels ?? 0);
            FlushResult flushed = await FlushAsync(cancellationToken);
            if (flushed.IsCompleted)
            {
                return;
            }
        }
    }

    private async ValueTask WaitForAckWindowAsync(CancellationToken cancellationToken)
    {
        while (_ackSynced && Volatile.Read(ref _unacked) > 2 * _options.AckWindow)
        {
            DisplayStatistics.AddAckWait();
            await _ackSignal.WaitAsync(cancellationToken);
        }
    }

    private void ApplyDisplayInit()
    {
        if (_initApplied || !_initReceived.Task.IsCompleted)
        {
            return;
        }

        _initApplied = true;
        int glzWindow = Volatile.Read(ref _initGlzWindow);
        if (glzWindow > 0)
        {
            _images.EnableGlz(glzWindow);
        }

        long cachePixels = Volatile.Read(ref _initCachePixels);
        if (_options.ImageCache && cachePixels > 0)
        {
            _cache = new ImageCache(cachePixels);
        }
    }

    // (Re)creates the primary surface and paints it with one full-frame draw: spicy-screenshot captures the first
    // draw, and spicy shows nothing until MARK.
    private void SendSurface(IFeedUpdate update, bool destroyFirst)
    {
        DisplayMode mode = update.Mode;
        if (destroyFirst)
        {
            Begin(DisplayMessage.SurfaceDestroy).U32(0);
            Send();
        }

        MessageBuffer m = Begin(DisplayMessage.SurfaceCreate);
        m.U32(0);
        m.U32((uint)mode.Width);
        m.U32((uint)mode.Height);
        m.U32(32); // SURFACE_FMT_32_xRGB
        m.U32(1); // PRIMARY
        Send();

        m = Begin(DisplayMessage.MonitorsConfig);
        m.U16(1);
        m.U16(1);
        m.U32(0); // monitor id
        m.U32(0); // surface id
        m.U32((uint)mode.Width);
        m.U32((uint)mode.Height);
        m.U32(0); // x
        m.U32(0); // y
        m.U32(0); // flags
        Send();

        ReadOnlyImageView frame = update.Frame;
        SendImage(frame, mode.Bounds, cacheable: false);
        Begin(DisplayMessage.Mark);
        Send();
    }

    private void SendCopyBits(CopyOperation copy)
    {
        MessageBuffer m = Begin(DisplayMessage.CopyBits);
        WriteBase(m, copy.Destination);
        m.I32(copy.Source.X);
        m.I32(copy.Source.Y);
        Send();
        DisplayStatistics.AddCopyBits();
    }

    private void SendTiles(ReadOnlyImageView frame, Rect rect)
    {
        int size = _options.TileSize;
        int firstX = rect.X / size * size;
        int firstY = rect.Y / size * size;
        for (int y = firstY; y < rect.Bottom; y += size)
        {
            for (int x = firstX; x < rect.Right; x += size)
            {
                Rect tile = new Rect(x, y, size, size).Intersect(rect);
                if (!tile.IsEmpty)
                {
                    SendTile(frame, tile);
                }
            }
        }
    }

    private void SendTile(ReadOnlyImageView frame, Rect area)
    {
        ReadOnlyImageView tile = frame.Slice(area);
        if (IsSolid(tile, out uint color))
        {
            MessageBuffer m = Begin(DisplayMessage.DrawFill);
            WriteBase(m, area);
            m.U8(1); // brush SOLID
            m.U32(color & 0xFFFFFF);
            m.U16(8); // OP_PUT
            WriteNoMask(m);
            Send();
            DisplayStatistics.AddFill();
            return;
        }

        SendImage(tile, area, cacheable: _cache is not null && area.Area >= MinCachedPixels);
    }

    private void SendImage(ReadOnlyImageView tile, Rect area, bool cacheable)
    {
        ulong id = 0;
        byte flags = 0;
        if (cacheable)
        {
            (ulong hashId, ulong check) = ImageCache.Hash(tile);
            if (_cache!.TryHit(hashId, check))
            {
                BeginDrawCopy(area, out MessageBuffer hit);
                int at = hit.BodyLength;
                ImageWriter.WriteFromCache(hit, hashId, tile.Width, tile.Height);
                DisplayStatistics.AddImage(SpiceImageType.FromCache, hit.BodyLength - at);
                DisplayStatistics.AddCacheHit();
                Send();
                return;
            }

            _evicted.Clear();
            if (_cache.TryAdd(hashId, check, area.Area, _evicted))
            {
                SendInvalList();
                id = hashId;
                flags = ImageWriter.FlagCacheMe;
                DisplayStatistics.AddCacheInsert();
            }
        }

        // Forced (tests, fixed setups) beats the client's PREFERRED_COMPRESSION, which beats the default AUTO_GLZ.
        var preferred = (SpiceImageCompression)Volatile.Read(ref _preferred);
        var request = new SpiceImageRequest
        {
            Compression = _options.ForcedCompression ?? (preferred != SpiceImageCompression.Invalid ? preferred : SpiceImageCompression.AutoGlz),
            GlzAvailable = _images.GlzWindow is not null,
            Lz4Supported = _clientLz4,
            LossyAllowed = false, // later COPY_BITS read the picture back, and the tests demand exact pixels
        };
        BeginDrawCopy(area, out MessageBuffer m);
        int imageStart = m.BodyLength;
        SpiceImageType written = _images.Write(m, tile, request, id, flags);
        DisplayStatistics.AddImage(written, m.BodyLength - imageStart);
        Send();
    }

    private void SendInvalList()
    {
        if (_evicted.Count == 0)
        {
            return;
        }

        for (int start = 0; start < _evicted.Count; start += ushort.MaxValue)
        {
            int count = Math.Min(ushort.MaxValue, _evicted.Count - start);
            MessageBuffer m = Begin(DisplayMessage.InvalList);
            m.U16((ushort)count);
            for (int i = start; i < start + count; i++)
            {
                m.U8(1); // SPICE_RES_TYPE_PIXMAP
                m.U64(_evicted[i]);
            }

            Send();
        }

        DisplayStatistics.AddCacheEvictions(_evicted.Count);
    }

    // DRAW_COPY fixed part (57 bytes with clip NONE); the Image follows at offset 57, last in the message.
    private void BeginDrawCopy(Rect area, out MessageBuffer m)
    {
        m = Begin(DisplayMessage.DrawCopy);
        WriteBase(m, area);
        int pointerAt = m.BodyLength;
        m.U32(0); // src_bitmap, patched below
        m.Rect(new Rect(0, 0, area.Width, area.Height)); // src_area
        m.U16(8); // OP_PUT
        m.U8(0); // scale_mode (sizes are equal)
        WriteNoMask(m);
        m.PatchU32(pointerAt, (uint)m.BodyLength);
    }

    // SpiceMsgDisplayBase on the primary surface with clip NONE.
    private static void WriteBase(MessageBuffer m, Rect box)
    {
        m.U32(0);
        m.Rect(box);
        m.U8(0);
    }

    private static void WriteNoMask(MessageBuffer m)
    {
        m.U8(0);
        m.I32(0);
        m.I32(0);
        m.U32(0);
    }

    private static bool IsSolid(ReadOnlyImageView tile, out uint color)
    {
        ReadOnlySpan<byte> firstRow = tile.Row(0);
        ReadOnlySpan<uint> first = MemoryMarshal.Cast<byte, uint>(firstRow);
        color = first[0];
        if (first.IndexOfAnyExcept(color) >= 0)
        {
            return false;
        }

        for (int y = 1; y < tile.Height; y++)
        {
            if (!tile.Row(y).SequenceEqual(firstRow))
            {
                return false;
            }
        }

        return true;
    }
}
