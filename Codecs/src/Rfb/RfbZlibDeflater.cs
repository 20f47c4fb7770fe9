using System.IO.Compression;

namespace Codecs.Rfb;

/// <summary>
/// One persistent zlib stream of a connection (ZRLE's one, or one of Tight's four): each <see cref="Compress"/> call
/// appends the data and ends with a sync flush (<c>00 00 FF FF</c>), so the returned bytes decode completely on their
/// own while the dictionary carries over to the next rectangle. The zlib header appears only in the first output after
/// creation or <see cref="Reset"/>; the stream is never finished.
/// </summary>
public sealed class RfbZlibDeflater : IDisposable
{
    private readonly MemoryStream _sink = new();
    private ZLibStream? _stream;

    /// <param name="level">zlib level 0 (store) .. 9 (best).</param>
    public RfbZlibDeflater(int level)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(level);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, 9);
        Level = level;
    }

    public int Level { get; private set; }

    /// <summary>True when the next output starts a new zlib stream (after creation or <see cref="Reset"/>).</summary>
    public bool IsFresh => _stream is null;

    /// <summary>Total bytes in and out, for statistics.</summary>
    public long BytesIn { get; private set; }

    public long BytesOut { get; private set; }

    /// <summary>Drops the dictionary; the next output starts a new zlib stream. Optionally changes the level.</summary>
    public void Reset(int? level = null)
    {
        if (level is int l)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(l);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(l, 9);
            Level = l;
        }

        _stream?.Dispose();
        _stream = null;
    }

    /// <summary>Compresses and sync-flushes <paramref name="data"/>; the result is valid until the next call.</summary>
    public ReadOnlySpan<byte> Compress(ReadOnlySpan<byte> data)
    {
        _sink.SetLength(0);
        _stream ??= new ZLibStream(_sink, new ZLibCompressionOptions { CompressionLevel = Level }, leaveOpen: true);
        _stream.Write(data);
        _stream.Flush();
        BytesIn += data.Length;
        BytesOut += _sink.Length;
        return _sink.GetBuffer().AsSpan(0, (int)_sink.Length);
    }

    public void Dispose()
    {
        _stream?.Dispose();
        _stream = null;
        _sink.Dispose();
    }
}
