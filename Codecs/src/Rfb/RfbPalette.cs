using System.Runtime.CompilerServices;

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
    /// so a palette rectangle needs no second pass with look-ups. The previous run's colour is checked before the hash:
    /// text alternates between two colours. On false, <paramref name="indices"/> holds a partial result.
    /// </summary>
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
        int i = 0;
        while (i < values.Length)
        {
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

        return true;
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
