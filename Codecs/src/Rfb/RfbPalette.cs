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

        // Clear only the slots in use (cheaper than 1024 stores when the palette is small).
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
    /// result.
    /// </summary>
    /// <remarks>
    /// Blocks of <see cref="IndexBlock"/> pixels whose colours are all among the first four entries are indexed with
    /// vector compares (<see cref="TryIndexBlock"/>); a block with another colour, and everything without Vector256,
    /// goes run by run (the previous two runs' colours are checked before the hash: text alternates between two
    /// colours), and the vector path is tried again after that block. New colours are only added run by run, so the
    /// entries stay in order of first appearance.
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

        uint lastColour = values[0];
        int lastIndex = AddIndex(lastColour, 0, limit);
        uint otherColour = lastColour;
        int otherIndex = lastIndex;
        bool vectors = Vector256.IsHardwareAccelerated;
        var blockCounts = new BlockCounts();
        ref uint source = ref MemoryMarshal.GetReference(values);
        ref byte destination = ref MemoryMarshal.GetReference(indices);
        int vectorFrom = 0;
        int i = 0;
        while (i < values.Length)
        {
            if (vectors && i >= vectorFrom && values.Length - i >= IndexBlock)
            {
                if (TryIndexBlock(ref Unsafe.Add(ref source, i), ref Unsafe.Add(ref destination, i), ref blockCounts))
                {
                    i += IndexBlock;
                    continue;
                }

                vectorFrom = i + IndexBlock;
            }

            uint v = values[i];
            int j = RfbPixelScan.RunEnd(values, i);
            int run = j - i;
            int index;
            if (v == lastColour)
            {
                index = lastIndex;
                _counts[index] += run;
            }
            else if (v == otherColour)
            {
                index = otherIndex;
                _counts[index] += run;
                otherColour = lastColour;
                otherIndex = lastIndex;
                lastColour = v;
                lastIndex = index;
            }
            else
            {
                index = AddIndex(v, run, limit);
                if (index < 0)
                {
                    return false;
                }

                otherColour = lastColour;
                otherIndex = lastIndex;
                lastColour = v;
                lastIndex = index;
            }

            // Text runs are one to three pixels: store them directly rather than through Fill.
            byte b = (byte)index;
            switch (run)
            {
                case 1:
                    indices[i] = b;
                    break;
                case 2:
                    indices[i] = b;
                    indices[i + 1] = b;
                    break;
                case 3:
                    indices[i] = b;
                    indices[i + 1] = b;
                    indices[i + 2] = b;
                    break;
                default:
                    indices.Slice(i, run).Fill(b);
                    break;
            }

            i = j;
        }

        if (vectors)
        {
            blockCounts.AddTo(_counts.AsSpan(0, Math.Min(_size, 4)));
        }

        return true;
    }

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
