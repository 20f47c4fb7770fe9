using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Codecs.Rfb;

/// <summary>
/// Colour counter for the RFB analysers: inserts client pixel values into an open-addressing hash of up to
/// <see cref="MaxColours"/> entries with counts, and gives up (returns false) as soon as one colour too many is seen.
/// </summary>
internal sealed class RfbPalette
{
    public const int MaxColours = 256;
    private const int Slots = 1024; // power of two, ≥ 4 × MaxColours keeps probes short

    private readonly uint[] _keys = new uint[Slots];
    private readonly short[] _slotIndex = new short[Slots];
    private readonly uint[] _colours = new uint[MaxColours];
    private readonly int[] _counts = new int[MaxColours];
    private int _size;

    public RfbPalette()
    {
        _slotIndex.AsSpan().Fill(-1);
    }

    public int Count => _size;

    public ReadOnlySpan<uint> Colours => _colours.AsSpan(0, _size);

    public ReadOnlySpan<int> Counts => _counts.AsSpan(0, _size);

    public void Clear()
    {
        if (_size == 0)
        {
            return;
        }

        // Clear only the slots in use when the palette is small; a large one (each entry a hash and a probe chain)
        // costs more than filling the whole 2 KiB table with vector stores.
        if (_size > Slots / 16)
        {
            _slotIndex.AsSpan().Fill(-1);
            _size = 0;
            return;
        }

        for (int i = 0; i < _size; i++)
        {
            int slot = Hash(_colours[i]);
            while (_slotIndex[slot] >= 0)
            {
                _slotIndex[slot] = -1;
                slot = (slot + 1) & (Slots - 1);
            }
        }

        _size = 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Hash(uint value) => (int)((value * 0x9E3779B1u) >> 22);

    /// <summary>Adds <paramref name="count"/> pixels of <paramref name="value"/>; false when that would exceed <paramref name="limit"/> colours.</summary>
    public bool Add(uint value, int count, int limit) => AddIndex(value, count, limit) >= 0;

    /// <summary>
    /// Adds <paramref name="count"/> pixels of <paramref name="value"/> and returns its palette index (insertion order),
    /// or −1 when a new colour would exceed <paramref name="limit"/> colours.
    /// </summary>
    public int AddIndex(uint value, int count, int limit)
    {
        int slot = Hash(value);
        while (true)
        {
            int index = _slotIndex[slot];
            if (index < 0)
            {
                if (_size >= limit)
                {
                    return -1;
                }

                _keys[slot] = value;
                _slotIndex[slot] = (short)_size;
                _colours[_size] = value;
                _counts[_size] = count;
                return _size++;
            }

            if (_keys[slot] == value)
            {
                _counts[index] += count;
                return index;
            }

            slot = (slot + 1) & (Slots - 1);
        }
    }

    /// <summary>
    /// Counts the colours of <paramref name="values"/> run by run (a run of equal values costs one insert); false as soon
    /// as there are more than <paramref name="limit"/>. Returns the number of runs in <paramref name="runs"/>.
    /// </summary>
    public bool Build(ReadOnlySpan<uint> values, int limit, out int runs)
    {
        Clear();
        runs = 0;
        int i = 0;
        while (i < values.Length)
        {
            uint v = values[i];
            int j = RfbPixelScan.RunEnd(values, i);
            runs++;
            if (!Add(v, j - i, limit))
            {
                return false;
            }

            i = j;
        }

        return true;
    }

    /// <summary>
    /// <see cref="Build"/> that also writes each pixel's palette index (insertion order) to <paramref name="indices"/>,
    /// so a palette rectangle needs no second pass with look-ups. On false, <paramref name="indices"/> holds a partial
    /// result. <paramref name="indices"/> needs <c>values.Length</c> bytes; given
    /// <see cref="IndexSlack"/> more, the vector paths run to the end (the bytes past <c>values.Length</c> are scratch).
    /// </summary>
    /// <remarks>
    /// <para>Blocks of <see cref="IndexBlock"/> pixels whose colours are all among the first four entries are indexed
    /// with vector compares (<see cref="TryIndexBlock"/>): text and simple UI. When a block has another colour, the
    /// next attempt waits twice as long (up to 1024 pixels; back to one block after a success), so content with many
    /// colours does not pay for blocks that keep failing.</para>
    /// <para>Everything else goes window by window (<see cref="RunWindow"/>: 64 pixels with Vector512, 32 with
    /// Vector256). Comparing the window with the same pixels loaded one position earlier marks where runs start:
    /// <code>
    /// pixels   a a a b b c c c …    window at p, compared with the load at p − 1
    /// starts   0 0 0 1 0 1 0 0 …    → bits 3 and 5: runs start at p + 3 and p + 5
    /// </code>
    /// The window is first stored as the current run's index (one window of bytes); each run start then looks its
    /// colour up (hash, inserting new colours) and stores its index from there on, one window of bytes again, so the
    /// rest of the window is covered whatever the run lengths (later runs overwrite). The start positions come from the
    /// bit mask, not from the previous run's end, so the look-ups of one window do not wait for each other, no branch
    /// depends on run lengths, and a wide window keeps the mispredicted loop exit to one per 64 pixels. A run's count
    /// is added when the next run starts. The last pixels, and everything without Vector256, go pixel by pixel. New
    /// colours are found in pixel order, so the entries stay in order of first appearance.</para>
    /// </remarks>
    public bool BuildIndexed(ReadOnlySpan<uint> values, int limit, Span<byte> indices)
    {
        Clear();
        if (values.IsEmpty)
        {
            return true;
        }

        if (indices.Length < values.Length)
        {
            throw new ArgumentException("Too few index bytes.", nameof(indices));
        }

        int n = values.Length;
        ref uint source = ref MemoryMarshal.GetReference(values);
        ref byte destination = ref MemoryMarshal.GetReference(indices);
        int current = AddIndex(values[0], 0, limit);
        indices[0] = (byte)current;
        int runStart = 0;
        int p = 1;
        if (Vector256.IsHardwareAccelerated)
        {
            int window = RunWindow;
            var blockCounts = new BlockCounts();
            int nextBlock = 0;
            int blockGap = IndexBlock;
            while (p + window <= n && p + 2 * window <= indices.Length)
            {
                if (p >= nextBlock)
                {
                    if (n - p >= IndexBlock && TryIndexBlock(ref Unsafe.Add(ref source, p), ref Unsafe.Add(ref destination, p), ref blockCounts))
                    {
                        // A streak of blocks: the run before it ends here, the one after it starts with the last block pixel's entry.
                        _counts[current] += p - runStart;
                        do
                        {
                            p += IndexBlock;
                        }
                        while (n - p >= IndexBlock && TryIndexBlock(ref Unsafe.Add(ref source, p), ref Unsafe.Add(ref destination, p), ref blockCounts));

                        runStart = p;
                        current = Unsafe.Add(ref destination, p - 1);
                        blockGap = IndexBlock;
                        nextBlock = p + blockGap;
                        continue;
                    }

                    nextBlock = p + blockGap;
                    blockGap = Math.Min(2 * blockGap, 1024);
                }

                ulong starts = RunStarts(ref source, (nuint)p);
                StoreWindow(ref destination, p, (byte)current);
                while (starts != 0)
                {
                    int start = p + BitOperations.TrailingZeroCount(starts);
                    starts &= starts - 1;
                    uint v = Unsafe.Add(ref source, start);
                    int slot = Hash(v);
                    int index = _slotIndex[slot];
                    if (index < 0 || _keys[slot] != v)
                    {
                        index = AddIndex(v, 0, limit);
                        if (index < 0)
                        {
                            return false;
                        }
                    }

                    _counts[current] += start - runStart;
                    runStart = start;
                    current = index;
                    StoreWindow(ref destination, start, (byte)index);
                }

                p += window;
            }

            blockCounts.AddTo(_counts.AsSpan(0, Math.Min(_size, 4)));
        }

        for (; p < n; p++)
        {
            uint v = Unsafe.Add(ref source, p);
            if (v != Unsafe.Add(ref source, p - 1))
            {
                int index = AddIndex(v, 0, limit);
                if (index < 0)
                {
                    return false;
                }

                _counts[current] += p - runStart;
                runStart = p;
                current = index;
            }

            Unsafe.Add(ref destination, p) = (byte)current;
        }

        _counts[current] += n - runStart;
        return true;
    }

    /// <summary>Pixels per window of <see cref="BuildIndexed"/>: 64 with Vector512, 32 with Vector256.</summary>
    private static int RunWindow => Vector512.IsHardwareAccelerated ? 64 : 32;

    /// <summary>
    /// Bit k set when pixel p + k differs from its left neighbour (a run starts there), for one window of
    /// <see cref="RunWindow"/> pixels: each vector of pixels compared with the same load one pixel earlier.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong RunStarts(ref uint source, nuint p)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            return RunStarts512(ref source, p) | (RunStarts512(ref source, p + 16) << 16)
                | (RunStarts512(ref source, p + 32) << 32) | (RunStarts512(ref source, p + 48) << 48);
        }

        return RunStarts256(ref source, p) | (RunStarts256(ref source, p + 8) << 8)
            | (RunStarts256(ref source, p + 16) << 16) | (RunStarts256(ref source, p + 24) << 24);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong RunStarts512(ref uint source, nuint at) =>
        ~Vector512.Equals(Vector512.LoadUnsafe(ref source, at), Vector512.LoadUnsafe(ref source, at - 1)).ExtractMostSignificantBits() & 0xFFFFul;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong RunStarts256(ref uint source, nuint at) =>
        ~Vector256.Equals(Vector256.LoadUnsafe(ref source, at), Vector256.LoadUnsafe(ref source, at - 1)).ExtractMostSignificantBits() & 0xFFul;

    /// <summary>Stores <see cref="RunWindow"/> copies of <paramref name="index"/> from <paramref name="at"/> (the rest of a window and beyond: later runs overwrite it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void StoreWindow(ref byte destination, int at, byte index)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512.Create(index).StoreUnsafe(ref destination, (nuint)at);
        }
        else
        {
            Vector256.Create(index).StoreUnsafe(ref destination, (nuint)at);
        }
    }

    /// <summary>Extra index bytes past <c>values.Length</c> that let <see cref="BuildIndexed"/> stay on its vector paths to the end.</summary>
    public const int IndexSlack = 64;

    /// <summary>Pixels per vector block of <see cref="BuildIndexed"/> (four Vector256 of pixels → one of indices).</summary>
    public const int IndexBlock = 32;

    /// <summary>Per-lane pixel counts of the first four entries, from the blocks (each matching lane subtracts −1).</summary>
    private struct BlockCounts
    {
        public Vector256<uint> Count0;
        public Vector256<uint> Count1;
        public Vector256<uint> Count2;
        public Vector256<uint> Count3;

        public readonly void AddTo(Span<int> counts)
        {
            ReadOnlySpan<Vector256<uint>> sums = [Count0, Count1, Count2, Count3];
            for (int k = 0; k < counts.Length; k++)
            {
                counts[k] += (int)Vector256.Sum(sums[k]);
            }
        }
    }

    /// <summary>
    /// Indexes <see cref="IndexBlock"/> pixels if each equals one of the first (up to) four entries: per lane,
    /// <c>index = (m1 &amp; 1) | (m2 &amp; 2) | (m3 &amp; 3)</c> from the compare masks <c>mk</c> (entries are distinct, so at most
    /// one matches), then the four index vectors are narrowed 32 → 16 → 8 bits into one store. False (nothing written
    /// or counted) when some pixel has another colour.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryIndexBlock(ref uint source, ref byte destination, ref BlockCounts counts)
    {
        var first4 = new FirstFour(_colours, _size);
        Vector256<uint> matched = Vector256<uint>.AllBitsSet;
        BlockCounts delta = default;
        int step = Vector256<uint>.Count;
        Vector256<uint> index0 = first4.Classify(Vector256.LoadUnsafe(ref source), ref matched, ref delta);
        Vector256<uint> index1 = first4.Classify(Vector256.LoadUnsafe(ref source, (nuint)step), ref matched, ref delta);
        Vector256<uint> index2 = first4.Classify(Vector256.LoadUnsafe(ref source, (nuint)(2 * step)), ref matched, ref delta);
        Vector256<uint> index3 = first4.Classify(Vector256.LoadUnsafe(ref source, (nuint)(3 * step)), ref matched, ref delta);
        if (matched != Vector256<uint>.AllBitsSet)
        {
            return false;
        }

        counts.Count0 += delta.Count0;
        counts.Count1 += delta.Count1;
        counts.Count2 += delta.Count2;
        counts.Count3 += delta.Count3;
        Vector256.Narrow(Vector256.Narrow(index0, index1), Vector256.Narrow(index2, index3)).StoreUnsafe(ref destination);
        return true;
    }

    /// <summary>The first (up to) four entries broadcast for <see cref="TryIndexBlock"/>; missing entries never match.</summary>
    private readonly struct FirstFour
    {
        private readonly Vector256<uint> _c0;
        private readonly Vector256<uint> _c1;
        private readonly Vector256<uint> _c2;
        private readonly Vector256<uint> _c3;
        private readonly Vector256<uint> _valid1;
        private readonly Vector256<uint> _valid2;
        private readonly Vector256<uint> _valid3;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public FirstFour(uint[] colours, int size)
        {
            _c0 = Vector256.Create(colours[0]);
            _c1 = Vector256.Create(colours[size > 1 ? 1 : 0]);
            _c2 = Vector256.Create(colours[size > 2 ? 2 : 0]);
            _c3 = Vector256.Create(colours[size > 3 ? 3 : 0]);
            _valid1 = size > 1 ? Vector256<uint>.AllBitsSet : Vector256<uint>.Zero;
            _valid2 = size > 2 ? Vector256<uint>.AllBitsSet : Vector256<uint>.Zero;
            _valid3 = size > 3 ? Vector256<uint>.AllBitsSet : Vector256<uint>.Zero;
        }

        /// <summary>Per lane the entry index (0..3) of the pixel; clears <paramref name="matched"/> lanes that match none.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector256<uint> Classify(Vector256<uint> pixels, ref Vector256<uint> matched, ref BlockCounts delta)
        {
            Vector256<uint> m0 = Vector256.Equals(pixels, _c0);
            Vector256<uint> m1 = Vector256.Equals(pixels, _c1) & _valid1;
            Vector256<uint> m2 = Vector256.Equals(pixels, _c2) & _valid2;
            Vector256<uint> m3 = Vector256.Equals(pixels, _c3) & _valid3;
            matched &= m0 | m1 | m2 | m3;
            delta.Count0 -= m0;
            delta.Count1 -= m1;
            delta.Count2 -= m2;
            delta.Count3 -= m3;

            // m1 → 1, m2 → 2, m3 → 3 (all-ones masks shifted right by 31 and 30).
            return Vector256.ShiftRightLogical(m1 | m3, 31) | (Vector256.ShiftRightLogical(m2 | m3, 30) & Vector256.Create(2u));
        }
    }

    /// <summary>Sorts entries by descending count (entry 0 = most common; equal counts keep insertion order) and rebuilds the index.</summary>
    public void SortByFrequency()
    {
        Span<int> counts = _counts.AsSpan(0, _size);
        Span<uint> colours = _colours.AsSpan(0, _size);

        // One key per entry: descending count, then original position (< 256, 8 bits), so the keys are distinct and
        // an unstable O(n log n) sort gives the stable order (an insertion sort was O(n²) on 256-colour palettes).
        Span<long> keys = stackalloc long[MaxColours];
        keys = keys[.._size];
        for (int i = 0; i < _size; i++)
        {
            keys[i] = ((long)(int.MaxValue - counts[i]) << 8) | (uint)i;
        }

        keys.Sort();
        Span<uint> sortedColours = stackalloc uint[MaxColours];
        Span<int> sortedCounts = stackalloc int[MaxColours];
        for (int i = 0; i < _size; i++)
        {
            int from = (int)(keys[i] & 0xFF);
            sortedColours[i] = colours[from];
            sortedCounts[i] = counts[from];
        }

        sortedColours[.._size].CopyTo(colours);
        sortedCounts[.._size].CopyTo(counts);
        for (int i = 0; i < _size; i++)
        {
            int slot = Hash(colours[i]);
            while (_keys[slot] != colours[i] || _slotIndex[slot] < 0)
            {
                slot = (slot + 1) & (Slots - 1);
            }

            _slotIndex[slot] = (short)i;
        }
    }
}
