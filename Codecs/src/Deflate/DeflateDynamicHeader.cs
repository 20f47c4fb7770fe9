namespace Codecs.Deflate;

/// <summary>
/// The header of a dynamic-Huffman block (RFC 1951 §3.2.7): HLIT, HDIST and HCLEN, then the code-length code's
/// lengths, then the literal/length and distance code lengths, run-length coded with symbols 16 (repeat the previous
/// length 3–6 times), 17 (3–10 zeros) and 18 (11–138 zeros).
/// </summary>
internal sealed class DeflateDynamicHeader
{
    private const int CodeLengthSymbols = 19;
    private const int MaxCodeLengthBits = 7;

    // Run-length coded lengths: symbol in the low byte, extra-bit value above.
    private readonly int[] _items = new int[286 + 30];
    private readonly int[] _codeLengthFrequencies = new int[CodeLengthSymbols];
    private readonly byte[] _codeLengthLengths = new byte[CodeLengthSymbols];
    private readonly ushort[] _codeLengthCodes = new ushort[CodeLengthSymbols];
    private int _itemCount;
    private int _literalCount;
    private int _distanceCount;
    private int _codeLengthCount;

    /// <summary>Size of the header in bits (after the 3 block-type bits).</summary>
    public long Bits { get; private set; }

    /// <summary>Codes the lengths of one block; <see cref="Bits"/> then gives the header's size.</summary>
    public void Prepare(ReadOnlySpan<byte> literalLengths, ReadOnlySpan<byte> distanceLengths, HuffmanBuilder huffman)
    {
        _literalCount = literalLengths.Length;
        _distanceCount = distanceLengths.Length;
        Span<byte> all = stackalloc byte[286 + 30];
        literalLengths.CopyTo(all);
        distanceLengths.CopyTo(all[_literalCount..]);
        all = all[..(_literalCount + _distanceCount)];

        _itemCount = 0;
        Array.Clear(_codeLengthFrequencies);
        for (int i = 0; i < all.Length;)
        {
            byte length = all[i];
            int run = 1;
            while (i + run < all.Length && all[i + run] == length)
            {
                run++;
            }

            i += run;
            if (length == 0)
            {
                while (run >= 11)
                {
                    int take = Math.Min(run, 138);
                    Add(18, take - 11);
                    run -= take;
                }

                if (run >= 3)
                {
                    Add(17, run - 3);
                    run = 0;
                }
            }
            else
            {
                Add(length, 0);
                run--;
                while (run >= 3)
                {
                    int take = Math.Min(run, 6);
                    Add(16, take - 3);
                    run -= take;
                }
            }

            for (; run > 0; run--)
            {
                Add(length, 0);
            }
        }

        huffman.Build(_codeLengthFrequencies, _codeLengthLengths, MaxCodeLengthBits);
        HuffmanBuilder.AssignCodes(_codeLengthLengths, _codeLengthCodes);
        _codeLengthCount = CodeLengthSymbols;
        while (_codeLengthCount > 4 && _codeLengthLengths[DeflateTables.CodeLengthOrder[_codeLengthCount - 1]] == 0)
        {
            _codeLengthCount--;
        }

        long bits = 5 + 5 + 4 + 3 * _codeLengthCount;
        for (int k = 0; k < _itemCount; k++)
        {
            int symbol = _items[k] & 0xFF;
            bits += _codeLengthLengths[symbol] + ExtraBits(symbol);
        }

        Bits = bits;
    }

    public void Write(ref DeflateBitWriter writer)
    {
        writer.WriteBits((uint)(_literalCount - 257), 5);
        writer.WriteBits((uint)(_distanceCount - 1), 5);
        writer.WriteBits((uint)(_codeLengthCount - 4), 4);
        for (int k = 0; k < _codeLengthCount; k++)
        {
            writer.WriteBits(_codeLengthLengths[DeflateTables.CodeLengthOrder[k]], 3);
        }

        for (int k = 0; k < _itemCount; k++)
        {
            int symbol = _items[k] & 0xFF;
            writer.WriteBits(_codeLengthCodes[symbol], _codeLengthLengths[symbol]);
            int extraBits = ExtraBits(symbol);
            if (extraBits > 0)
            {
                writer.WriteBits((uint)(_items[k] >> 8), extraBits);
            }
        }
    }

    private static int ExtraBits(int symbol) => symbol switch
    {
        16 => 2,
        17 => 3,
        18 => 7,
        _ => 0,
    };

    private void Add(int symbol, int extra)
    {
        _items[_itemCount++] = symbol | (extra << 8);
        _codeLengthFrequencies[symbol]++;
    }
}
