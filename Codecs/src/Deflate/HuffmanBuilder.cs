namespace Codecs.Deflate;

/// <summary>
/// Length-limited Huffman code lengths and deflate's canonical codes (RFC 1951 §3.2.2).
/// </summary>
/// <remarks>
/// Lengths come from the two-queue Huffman construction over symbols sorted by frequency. When a length exceeds
/// the limit, the frequencies are halved (keeping every used symbol at ≥ 1) and the code is rebuilt. This is simpler
/// than package-merge, and deflate's alphabets are small (≤ 286 symbols). At least two symbols always get a code, so the
/// code is complete, which inflaters require of the code-length code.
/// </remarks>
internal sealed class HuffmanBuilder
{
    private const int MaxSymbols = 288;

    private readonly int[] _frequencies = new int[MaxSymbols];
    private readonly long[] _leaves = new long[MaxSymbols];
    private readonly long[] _weights = new long[2 * MaxSymbols];
    private readonly int[] _parents = new int[2 * MaxSymbols];
    private readonly byte[] _depths = new byte[2 * MaxSymbols];

    /// <summary>Fills <paramref name="lengths"/> (0 = unused) for <paramref name="frequencies"/>, no length above <paramref name="maxBits"/>.</summary>
    public void Build(ReadOnlySpan<int> frequencies, Span<byte> lengths, int maxBits)
    {
        int n = frequencies.Length;
        Span<int> f = _frequencies.AsSpan(0, n);
        frequencies.CopyTo(f);
        lengths[..n].Clear();
        int used = 0;
        foreach (int value in f)
        {
            used += value > 0 ? 1 : 0;
        }

        // Two used symbols at least: a one-symbol code is incomplete.
        for (int s = 0; used < 2; s++)
        {
            if (f[s] == 0)
            {
                f[s] = 1;
                used++;
            }
        }

        while (!TryBuild(f, lengths, maxBits))
        {
            for (int s = 0; s < n; s++)
            {
                f[s] = f[s] == 0 ? 0 : (f[s] + 1) >> 1;
            }
        }
    }

    private bool TryBuild(ReadOnlySpan<int> f, Span<byte> lengths, int maxBits)
    {
        // Leaves sorted by (frequency, symbol): the symbol in the low 16 bits keeps the order deterministic.
        int leafCount = 0;
        for (int s = 0; s < f.Length; s++)
        {
            if (f[s] > 0)
            {
                _leaves[leafCount++] = ((long)f[s] << 16) | (uint)s;
            }
        }

        Span<long> leaves = _leaves.AsSpan(0, leafCount);
        leaves.Sort();

        // Nodes 0..leafCount-1 are the leaves, the rest internal nodes created in non-decreasing weight order.
        for (int i = 0; i < leafCount; i++)
        {
            _weights[i] = leaves[i] >> 16;
        }

        int nextLeaf = 0;
        int nextInternal = leafCount;
        int created = leafCount;
        for (int k = 0; k < leafCount - 1; k++)
        {
            int a = TakeSmallest(ref nextLeaf, ref nextInternal, leafCount, created);
            int b = TakeSmallest(ref nextLeaf, ref nextInternal, leafCount, created);
            _weights[created] = _weights[a] + _weights[b];
            _parents[a] = created;
            _parents[b] = created;
            created++;
        }

        // Parents have higher indices than their children: one descending pass gives every depth.
        int root = created - 1;
        _depths[root] = 0;
        int maxDepth = 0;
        for (int node = root - 1; node >= 0; node--)
        {
            int depth = _depths[_parents[node]] + 1;
            _depths[node] = (byte)Math.Min(depth, 255);
            maxDepth = Math.Max(maxDepth, depth);
        }

        if (maxDepth > maxBits)
        {
            return false;
        }

        for (int i = 0; i < leafCount; i++)
        {
            lengths[(int)(leaves[i] & 0xFFFF)] = _depths[i];
        }

        return true;
    }

    private int TakeSmallest(ref int nextLeaf, ref int nextInternal, int leafCount, int created)
    {
        if (nextLeaf < leafCount && (nextInternal >= created || _weights[nextLeaf] <= _weights[nextInternal]))
        {
            return nextLeaf++;
        }

        return nextInternal++;
    }

    /// <summary>Canonical codes for <paramref name="lengths"/>, bit-reversed so that they can be written least significant bit first.</summary>
    public static void AssignCodes(ReadOnlySpan<byte> lengths, Span<ushort> codes)
    {
        Span<int> countPerLength = stackalloc int[16];
        countPerLength.Clear();
        foreach (byte length in lengths)
        {
            countPerLength[length]++;
        }

        countPerLength[0] = 0;
        Span<int> nextCode = stackalloc int[16];
        int code = 0;
        for (int bits = 1; bits < 16; bits++)
        {
            code = (code + countPerLength[bits - 1]) << 1;
            nextCode[bits] = code;
        }

        for (int s = 0; s < lengths.Length; s++)
        {
            int length = lengths[s];
            codes[s] = length == 0 ? (ushort)0 : Reverse(nextCode[length]++, length);
        }
    }

    private static ushort Reverse(int code, int length)
    {
        int reversed = 0;
        for (int i = 0; i < length; i++)
        {
            reversed = (reversed << 1) | ((code >> i) & 1);
        }

        return (ushort)reversed;
    }
}
