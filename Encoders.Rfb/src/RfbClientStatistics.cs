using System.Collections.Concurrent;
using Codecs.Pixels;

namespace Encoders.Rfb;

/// <summary>
/// Plain counters of one client connection, updated by its session and readable at any time from any thread (each
/// value is read atomically; a snapshot across values is not).
/// </summary>
public sealed class RfbClientStatistics
{
    private long _bytesSent;
    private long _updates;
    private long _encodeTicks;
    private long _tightGradientRectangles;
    private long _copyRectangles;
    private long _keyEvents;
    private long _pointerEvents;

    internal RfbClientStatistics(long id, string remote)
    {
        Id = id;
        Remote = remote;
        Connected = DateTimeOffset.UtcNow;
    }

    public long Id { get; }

    /// <summary>Where the client connected from (address:port, or a transport's description).</summary>
    public string Remote { get; }

    public DateTimeOffset Connected { get; }

    /// <summary>The negotiated protocol version, e.g. "3.8" (empty until negotiated).</summary>
    public string Version { get; internal set; } = "";

    public string Security { get; internal set; } = "";

    /// <summary>The client's pixel format (the server's until it sends SetPixelFormat).</summary>
    public PixelFormat PixelFormat { get; internal set; }

    /// <summary>The encoding chosen for pixel rectangles, by name.</summary>
    public string Encoding { get; internal set; } = "";

    /// <summary>The client's SetEncodings list as sent.</summary>
    public IReadOnlyList<int> RequestedEncodings { get; internal set; } = [];

    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>FramebufferUpdate messages sent.</summary>
    public long Updates => Interlocked.Read(ref _updates);

    /// <summary>Time spent encoding pixel rectangles (CopyRect and pseudo-rectangles are negligible and included).</summary>
    public TimeSpan EncodeTime => TimeSpan.FromTicks(Interlocked.Read(ref _encodeTicks));

    public long CopyRectangles => Interlocked.Read(ref _copyRectangles);

    public long KeyEvents => Interlocked.Read(ref _keyEvents);

    public long PointerEvents => Interlocked.Read(ref _pointerEvents);

    /// <summary>Pixel rectangles sent per encoding name (an encoder may emit several per damaged area).</summary>
    public IReadOnlyDictionary<string, long> RectanglesByEncoding => RectangleCounts;

    /// <summary>Tight rectangles sent through the gradient filter (<see cref="RfbServerOptions.TightGradient"/>).</summary>
    public long TightGradientRectangles => Interlocked.Read(ref _tightGradientRectangles);

    /// <summary>Why the connection ended (null while connected).</summary>
    public string? DisconnectReason { get; internal set; }

    internal ConcurrentDictionary<string, long> RectangleCounts { get; } = new();

    internal void AddBytes(long bytes) => Interlocked.Add(ref _bytesSent, bytes);

    internal void AddUpdate(TimeSpan encodeTime)
    {
        Interlocked.Increment(ref _updates);
        Interlocked.Add(ref _encodeTicks, encodeTime.Ticks);
    }

    internal void AddRectangles(string encoding, int count) => RectangleCounts.AddOrUpdate(encoding, count, (_, old) => old + count);

    internal void SetTightGradientRectangles(long count) => Interlocked.Exchange(ref _tightGradientRectangles, count);

    internal void AddCopies(int count) => Interlocked.Add(ref _copyRectangles, count);

    internal void AddKey() => Interlocked.Increment(ref _keyEvents);

    internal void AddPointer() => Interlocked.Increment(ref _pointerEvents);

    public override string ToString() =>
        $"client {Id} {Remote}: RFB {Version} {Security}, {Encoding}, {PixelFormat}; {Updates} updates, {BytesSent} bytes, " +
        $"{CopyRectangles} copies, rects [{string.Join(", ", RectangleCounts.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value}"))}]" +
        (TightGradientRectangles > 0 ? $" ({TightGradientRectangles} Tight gradient), " : ", ") +
        $"encode {EncodeTime.TotalMilliseconds:F1} ms, {KeyEvents} keys, {PointerEvents} pointer events";
}
