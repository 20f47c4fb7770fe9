using Codecs.Spice.Choice;
using Encoders.Spice.Protocol;

namespace Encoders.Spice;

/// <summary>Plain counters of one channel connection; updated by the channel, read by the host at any time.</summary>
public sealed class SpiceChannelStatistics
{
    private long _messagesSent;
    private long _bytesSent;
    private long _messagesReceived;
    private long _bytesReceived;

    internal SpiceChannelStatistics(SpiceChannelType channel) => Channel = channel;

    public SpiceChannelType Channel { get; }

    public long MessagesSent => Volatile.Read(ref _messagesSent);

    public long BytesSent => Volatile.Read(ref _bytesSent);

    public long MessagesReceived => Volatile.Read(ref _messagesReceived);

    public long BytesReceived => Volatile.Read(ref _bytesReceived);

    internal void AddSent(int bytes)
    {
        Interlocked.Increment(ref _messagesSent);
        Interlocked.Add(ref _bytesSent, bytes);
    }

    internal void AddReceived(long bytes)
    {
        Interlocked.Increment(ref _messagesReceived);
        Interlocked.Add(ref _bytesReceived, bytes);
    }
}

/// <summary>Counters of a display channel: what was drawn, with which image types, and how well the caches worked.</summary>
public sealed class SpiceDisplayStatistics
{
    private readonly SpiceDisplayStatistics? _total;
    private readonly long[] _imageBytes = new long[256];
    private readonly long[] _imageCount = new long[256];
    private long _updates;
    private long _draws;
    private long _fills;
    private long _copyBits;
    private long _cacheHits;
    private long _cacheInserts;
    private long _cacheEvictions;
    private long _glzRetainedPixels;
    private long _encodeTicks;
    private long _ackWaits;

    internal SpiceDisplayStatistics(SpiceDisplayStatistics? total = null) => _total = total;

    /// <summary>Updates taken from the display hub and sent.</summary>
    public long Updates => Volatile.Read(ref _updates);

    /// <summary>DRAW_COPY messages carrying an encoded image (not from the cache).</summary>
    public long ImageDraws => Volatile.Read(ref _draws);

    /// <summary>Solid tiles sent as DRAW_FILL.</summary>
    public long Fills => Volatile.Read(ref _fills);

    public long CopyBits => Volatile.Read(ref _copyBits);

    /// <summary>Tiles sent as FROM_CACHE instead of pixels.</summary>
    public long CacheHits => Volatile.Read(ref _cacheHits);

    /// <summary>Tiles sent with CACHE_ME.</summary>
    public long CacheInserts => Volatile.Read(ref _cacheInserts);

    /// <summary>Cached tiles released with INVAL_LIST to stay inside the client's cache budget.</summary>
    public long CacheEvictions => Volatile.Read(ref _cacheEvictions);

    /// <summary>Pixels currently held in this client's GLZ dictionary window (0 without GLZ; not summed in server totals).</summary>
    public long GlzRetainedPixels => Volatile.Read(ref _glzRetainedPixels);

    /// <summary>Time spent choosing and encoding images, in <see cref="System.Diagnostics.Stopwatch"/> ticks.</summary>
    public long EncodeTicks => Volatile.Read(ref _encodeTicks);

    /// <summary>Times the sender paused because the client's ACK window was full.</summary>
    public long AckWaits => Volatile.Read(ref _ackWaits);

    /// <summary>Payload bytes (descriptor and image data) sent with images of <paramref name="type"/>.</summary>
    public long ImageBytes(SpiceImageType type) => Volatile.Read(ref _imageBytes[(int)type]);

    /// <summary>Images of <paramref name="type"/> sent.</summary>
    public long ImageCount(SpiceImageType type) => Volatile.Read(ref _imageCount[(int)type]);

    internal void AddImage(SpiceImageType type, int bytes)
    {
        Interlocked.Increment(ref _imageCount[(int)type]);
        Interlocked.Add(ref _imageBytes[(int)type], bytes);
        if (type != SpiceImageType.FromCache)
        {
            Interlocked.Increment(ref _draws);
        }

        _total?.AddImage(type, bytes);
    }

    internal void AddUpdate()
    {
        Interlocked.Increment(ref _updates);
        _total?.AddUpdate();
    }

    internal void AddFill()
    {
        Interlocked.Increment(ref _fills);
        _total?.AddFill();
    }

    internal void AddCopyBits()
    {
        Interlocked.Increment(ref _copyBits);
        _total?.AddCopyBits();
    }

    internal void AddCacheHit()
    {
        Interlocked.Increment(ref _cacheHits);
        _total?.AddCacheHit();
    }

    internal void AddCacheInsert()
    {
        Interlocked.Increment(ref _cacheInserts);
        _total?.AddCacheInsert();
    }

    internal void AddCacheEvictions(int count)
    {
        Interlocked.Add(ref _cacheEvictions, count);
        _total?.AddCacheEvictions(count);
    }

    internal void SetGlzRetainedPixels(long pixels) => Volatile.Write(ref _glzRetainedPixels, pixels);

    internal void AddEncodeTicks(long ticks)
    {
        Interlocked.Add(ref _encodeTicks, ticks);
        _total?.AddEncodeTicks(ticks);
    }

    internal void AddAckWait()
    {
        Interlocked.Increment(ref _ackWaits);
        _total?.AddAckWait();
    }
}
