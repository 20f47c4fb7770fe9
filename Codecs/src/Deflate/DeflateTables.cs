namespace Codecs.Deflate;

/// <summary>Deflate's fixed tables (RFC 1951 §3.2.5, §3.2.7).</summary>
internal static class DeflateTables
{
    public const int FirstLengthSymbol = 257;

    private static readonly byte[] s_lengthIndex = BuildLengthIndex();

    /// <summary>Base match length of length symbols 257..285.</summary>
    private static ReadOnlySpan<ushort> LengthBases =>
        [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];

    /// <summary>Extra bits after length symbols 257..285.</summary>
    private static ReadOnlySpan<byte> LengthExtraBits => [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];

    /// <summary>The order in which the code-length code's lengths are sent.</summary>
    public static ReadOnlySpan<byte> CodeLengthOrder => [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

    /// <summary>The literal/length symbol of a match length 3..258.</summary>
    public static int LengthSymbol(int length) => FirstLengthSymbol + s_lengthIndex[length];

    /// <summary>Extra bits after a literal/length symbol (0 for literals and end of block).</summary>
    public static int LengthSymbolExtraBits(int symbol) => symbol < FirstLengthSymbol ? 0 : LengthExtraBits[symbol - FirstLengthSymbol];

    public static int LengthBase(int symbol) => LengthBases[symbol - FirstLengthSymbol];

    private static byte[] BuildLengthIndex()
    {
        var index = new byte[259];
        for (int k = 0; k < LengthBases.Length; k++)
        {
            int last = k + 1 < LengthBases.Length ? LengthBases[k + 1] - 1 : 258;
            for (int length = LengthBases[k]; length <= last; length++)
            {
                index[length] = (byte)k;
            }
        }

        return index;
    }
}
