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
    public bool Add(uint value, int count, int limit)
    {
        int slot = Hash(value);
        while (true)
        {
            int index = _slotIndex[slot];
            if (index < 0)
            {
                if (_size >= limit)
                {
                    return false;
                }

                _keys[slot] = value;
                _slotIndex[slot] = (short)_size;
                _colours[_size] = value;
                _counts[_size] = count;
                _size++;
                return true;
            }

            if (_keys[slot] == value)
            {
                _counts[index] += count;
                return true;
            }

            slot = (slot + 1) & (Slots - 1);
        }
    }

    /// <summary>Index of a colour that is in the palette.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int IndexOf(uint value)
    {
        int slot = Hash(value);
        while (_keys[slot] != value || _slotIndex[slot] < 0)
        {
            slot = (slot + 1) & (Slots - 1);
        }

        return _slotIndex[slot];
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
