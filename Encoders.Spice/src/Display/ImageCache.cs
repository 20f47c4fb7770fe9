using System.Numerics;
using System.Runtime.InteropServices;
using Codecs.Pixels;

namespace Encoders.Spice.Display;

/// <summary>
/// The server's record of what one client holds in its image cache: tile ids (content hashes) in least-recently-used
/// order, bounded by the client's pixel budget from DISPLAY_INIT. spice-gtk never evicts on its own and counts
/// references per id, so every id is cached at most once and released with exactly one INVAL_LIST entry.
/// </summary>
internal sealed class ImageCache(long budgetPixels)
{
    private readonly Dictionary<ulong, LinkedListNode<Entry>> _entries = [];
    private readonly LinkedList<Entry> _lru = new();
    private long _usedPixels;

    public long BudgetPixels { get; } = budgetPixels;

    public long UsedPixels => _usedPixels;

    public int Count => _entries.Count;

    /// <summary>Whether the client holds exactly this content under <paramref name="id"/>; refreshes its age.</summary>
    public bool TryHit(ulong id, ulong check)
    {
        if (_entries.TryGetValue(id, out LinkedListNode<Entry>? node) && node.Value.Check == check)
        {
            _lru.Remove(node);
            _lru.AddFirst(node);
            return true;
        }

        return false;
    }

    /// <summary>
    /// Records that the next image is sent with CACHE_ME; ids evicted to make room are added to
    /// <paramref name="evicted"/> (send them in INVAL_LIST first). False when the id is taken by different content
    /// (a hash collision: send without caching) or the tile alone exceeds the budget.
    /// </summary>
    public bool TryAdd(ulong id, ulong check, long pixels, List<ulong> evicted)
    {
        if (_entries.ContainsKey(id) || pixels > BudgetPixels / 4)
        {
            return false;
        }

        while (_usedPixels + pixels > BudgetPixels && _lru.Last is { } oldest)
        {
            _lru.RemoveLast();
            _entries.Remove(oldest.Value.Id);
            _usedPixels -= oldest.Value.Pixels;
            evicted.Add(oldest.Value.Id);
        }

        _entries[id] = _lru.AddFirst(new Entry(id, check, pixels));
        _usedPixels += pixels;
        return true;
    }

    /// <summary>
    /// Two independent 64-bit hashes of a tile's pixels and size: the first is the cache id, the second is kept by the
    /// server to tell a collision of the first apart from a hit.
    /// </summary>
    public static (ulong Id, ulong Check) Hash(ReadOnlyImageView tile)
    {
        const ulong P1 = 0x9E3779B97F4A7C15;
        const ulong P2 = 0xC2B2AE3D27D4EB4F;
        const ulong P3 = 0x165667B19E3779F9;
        ulong size = ((ulong)(uint)tile.Width << 32) | (uint)tile.Height;
        ulong h1 = size * P1;
        ulong h2 = size ^ P3;
        for (int y = 0; y < tile.Height; y++)
        {
            ReadOnlySpan<byte> row = tile.Row(y);
            ReadOnlySpan<ulong> words = MemoryMarshal.Cast<byte, ulong>(row);
            foreach (ulong w in words)
            {
                h1 = BitOperations.RotateLeft(h1 ^ (w * P2), 31) * P1;
                h2 = (h2 + w) * P3;
                h2 ^= h2 >> 29;
            }

            if ((row.Length & 7) != 0)
            {
                ulong tail = MemoryMarshal.Read<uint>(row[^4..]);
                h1 = BitOperations.RotateLeft(h1 ^ (tail * P2), 31) * P1;
                h2 = ((h2 + tail) * P3) ^ (h2 >> 29);
            }
        }

        return (Mix(h1), Mix(h2));
    }

    private static ulong Mix(ulong h)
    {
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCD;
        h ^= h >> 33;
        h *= 0xC4CEB9FE1A85EC53;
        return h ^ (h >> 33);
    }

    private readonly record struct Entry(ulong Id, ulong Check, long Pixels);
}
