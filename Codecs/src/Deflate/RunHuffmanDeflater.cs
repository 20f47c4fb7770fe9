using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Codecs.Deflate;

/// <summary>
/// A persistent zlib stream for data made of runs and skewed byte values (Tight's gradient residuals, and palette
/// indices of flat areas) that codes only literals and runs.
/// A run repeats the bytes <see cref="RunDistance"/> back (the previous byte, or the previous pixel) and is found with
/// one compare, so there is no hash table and no match search. Each block gets its own Huffman codes.
/// </summary>
/// <remarks>
/// <para>This is zlib's <c>Z_RLE</c> strategy (optionally with the distance widened to a pixel) without zlib's
/// per-symbol bookkeeping. On gradient residuals of photos and video, LZ matches at other distances are rare: on the
/// corpus this is within 1–4 % of zlib-ng's level 6 in size, and zlib-ng's own RLE strategy, the same size, takes
/// 2–3× the time (docs/benchmarks.md, "Gradient residual coders"). Tight uses distance 1, which measured 1–1.5 %
/// smaller than 3 on the corpus residuals (runs of zeros cross pixel boundaries).</para>
/// <para>Like <c>RfbZlibDeflater</c>, each <see cref="Compress"/> call ends with a sync flush (an empty stored block,
/// <c>00 00 FF FF</c>), so its output decodes completely on its own. The zlib header comes only in the first output
/// after creation or <see cref="Reset"/>. The stream is never finished, so its Adler-32 is never sent. The
/// output is plain deflate, which any inflater decodes: zlib in TigerVNC and gtk-vnc, pako in noVNC, the in-box
/// <c>ZLibStream</c>.</para>
/// <para>Every code is complete: each alphabet gets at least two used symbols, since zlib's inflate rejects an
/// incomplete code-length code. A block whose coded size would exceed its stored size is sent stored.</para>
/// </remarks>
public sealed class RunHuffmanDeflater
{
    /// <summary>Tokens per block: enough for stable statistics, few enough to follow changing content (zlib: 16 Ki–32 Ki).</summary>
    public const int BlockTokens = 32 * 1024;

    private const int MinRun = 3;
    private const int MaxRun = 258;
    private const int LiteralLengthSymbols = 286;
    private const int EndOfBlock = 256;
    private const int MaxCodeBits = 15;

    // Tokens: 0..255 = literal byte, 256 + n = run of n bytes (3..258).
    private readonly ushort[] _tokens = new ushort[BlockTokens];
    private readonly int[] _literalFrequencies = new int[LiteralLengthSymbols];
    private readonly int[] _literalCounts = new int[4 * 256];
    private readonly byte[] _literalLengths = new byte[LiteralLengthSymbols];
    private readonly ushort[] _literalCodes = new ushort[LiteralLengthSymbols];

    // Per token: the bits to write (code, extra bits, distance code) in the low 32 bits, their count above.
    private readonly ulong[] _tokenBits = new ulong[256 + MaxRun + 1];
    private readonly HuffmanBuilder _huffman = new();
    private readonly DeflateDynamicHeader _header = new();
    private int _runCount;
    private byte[] _output = new byte[64 * 1024];
    private bool _fresh = true;

    /// <param name="runDistance">How far back a run repeats, 1..4: 1 for runs of one byte, or a pixel size in bytes.</param>
    public RunHuffmanDeflater(int runDistance)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(runDistance, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(runDistance, 4);
        RunDistance = runDistance;
    }

    public int RunDistance { get; }

    /// <summary>True when the next output starts a new zlib stream (after creation or <see cref="Reset"/>).</summary>
    public bool IsFresh => _fresh;

    /// <summary>Total bytes in and out, for statistics.</summary>
    public long BytesIn { get; private set; }

    public long BytesOut { get; private set; }

    /// <summary>Starts a new zlib stream with the next output (the client resets its inflater at the same point).</summary>
    public void Reset() => _fresh = true;

    /// <summary>Compresses and sync-flushes <paramref name="data"/>; the result is valid until the next call.</summary>
    public ReadOnlySpan<byte> Compress(ReadOnlySpan<byte> data)
    {
        // Worst case: every block stored (5 bytes per 65 535) plus headers and the flush; the coded form is only
        // chosen when smaller than stored.
        int capacity = 2 + data.Length + 5 * (data.Length / 65535 + data.Length / (BlockTokens / 2) + 2) + 16;
        if (_output.Length < capacity)
        {
            _output = new byte[Math.Max(capacity, _output.Length * 2)];
        }

        var writer = new DeflateBitWriter(_output);
        if (_fresh)
        {
            // CMF 0x78 (deflate, 32 KiB window), FLG 0x01 (no dictionary, check bits: 0x7801 % 31 == 0).
            writer.WriteAlignedBytes([0x78, 0x01]);
            _fresh = false;
        }

        int position = 0;
        while (position < data.Length)
        {
            int blockStart = position;
            int tokenCount = Tokenize(data, ref position);
            WriteBlock(ref writer, data[blockStart..position], tokenCount);
        }

        // Sync flush: an empty stored block, then LEN 0 / NLEN 0xFFFF.
        writer.WriteBits(0, 3);
        writer.AlignToByte();
        writer.WriteAlignedBytes([0x00, 0x00, 0xFF, 0xFF]);
        BytesIn += data.Length;
        BytesOut += writer.Position;
        return _output.AsSpan(0, writer.Position);
    }

    /// <summary>Splits data from <paramref name="position"/> into up to <see cref="BlockTokens"/> tokens and counts their symbols.</summary>
    /// <remarks>
    /// A run starts wherever three bytes equal the three one pixel back. The vector path compares a whole vector with
    /// the same vector one pixel back and reads the run starts from the mask (bit k set when bytes k, k+1 and k+2
    /// match), which finds exactly what the byte-by-byte test finds, so every ISA gives the same tokens:
    /// <code>
    ///   data      a b c a b c a b c x y z ...      (distance 3)
    ///   equal?    . . . 1 1 1 1 1 1 0 0 0          m
    ///   run start . . . 1 1 1 1 0 0 0 0 0          m &amp; m>>1 &amp; m>>2  → literals up to the first set bit
    /// </code>
    /// Literal stretches (most of a photo's residuals) are copied without a branch per byte; the frequencies are
    /// counted in four tables in turn, so that repeated bytes do not wait on each other's increment.
    /// </remarks>
    private int Tokenize(ReadOnlySpan<byte> data, ref int position)
    {
        Span<int> counts = _literalCounts;
        counts.Clear();
        _literalFrequencies.AsSpan().Clear();
        int distance = RunDistance;
        int i = position;
        int end = data.Length;
        int count = 0;
        int runs = 0;
        ref byte start = ref MemoryMarshal.GetReference(data);
        ref ushort tokens = ref MemoryMarshal.GetArrayDataReference(_tokens);
        ref int counters = ref MemoryMarshal.GetArrayDataReference(_literalCounts);
        while (i < end && count < BlockTokens)
        {
            int literals;
            bool runFollows;
            if (i >= distance && Vector256.IsHardwareAccelerated && i + Vector256<byte>.Count <= end && count + Vector256<byte>.Count <= BlockTokens)
            {
                uint equal = Vector256.Equals(Vector256.LoadUnsafe(ref start, (nuint)i), Vector256.LoadUnsafe(ref start, (nuint)(i - distance))).ExtractMostSignificantBits();
                (literals, runFollows) = LiteralsBeforeRun(equal, Vector256<byte>.Count - 2);
            }
            else if (i >= distance && Vector128.IsHardwareAccelerated && i + Vector128<byte>.Count <= end && count + Vector128<byte>.Count <= BlockTokens)
            {
                uint equal = Vector128.Equals(Vector128.LoadUnsafe(ref start, (nuint)i), Vector128.LoadUnsafe(ref start, (nuint)(i - distance))).ExtractMostSignificantBits();
                (literals, runFollows) = LiteralsBeforeRun(equal, Vector128<byte>.Count - 2);
            }
            else
            {
                runFollows = StartsRun(ref start, i, distance, end);
                literals = runFollows ? 0 : 1;
            }

            for (int k = 0; k < literals; k++)
            {
                byte literal = Unsafe.Add(ref start, i + k);
                Unsafe.Add(ref tokens, count + k) = literal;
                Unsafe.Add(ref counters, ((k & 3) << 8) + literal)++;
            }

            i += literals;
            count += literals;
            if (runFollows)
            {
                int length = RunLength(ref start, i, distance, Math.Min(MaxRun, end - i));
                Unsafe.Add(ref tokens, count++) = (ushort)(256 + length);
                _literalFrequencies[DeflateTables.LengthSymbol(length)]++;
                runs++;
                i += length;
            }
        }

        // Fold the four literal tables into the frequencies (the run symbols are already there).
        Span<int> frequencies = _literalFrequencies.AsSpan(0, 256);
        for (int v = 0; v < 256; v++)
        {
            frequencies[v] = counts[v] + counts[256 + v] + counts[512 + v] + counts[768 + v];
        }

        position = i;
        _runCount = runs;
        return count;
    }

    /// <summary>From an equality mask over a vector: literals before the first run start among its first <paramref name="window"/> positions.</summary>
    private static (int Literals, bool RunFollows) LiteralsBeforeRun(uint equal, int window)
    {
        uint runStarts = equal & (equal >> 1) & (equal >> 2) & ((1u << window) - 1);
        return runStarts == 0 ? (window, false) : (BitOperations.TrailingZeroCount(runStarts), true);
    }

    private static bool StartsRun(ref byte start, int i, int distance, int end) =>
        i >= distance && i + MinRun <= end
        && Unsafe.Add(ref start, i) == Unsafe.Add(ref start, i - distance)
        && Unsafe.Add(ref start, i + 1) == Unsafe.Add(ref start, i + 1 - distance)
        && Unsafe.Add(ref start, i + 2) == Unsafe.Add(ref start, i + 2 - distance);

    /// <summary>Bytes from <paramref name="i"/> that equal the bytes <paramref name="distance"/> before them (≥ 3 known).</summary>
    private static int RunLength(ref byte start, int i, int distance, int max)
    {
        int length = MinRun;
        while (length + 8 <= max)
        {
            ulong difference = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i + length))
                ^ Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i + length - distance));
            if (difference != 0)
            {
                return length + (BitOperations.TrailingZeroCount(difference) >> 3);
            }

            length += 8;
        }

        while (length < max && Unsafe.Add(ref start, i + length) == Unsafe.Add(ref start, i + length - distance))
        {
            length++;
        }

        return length;
    }

    private void WriteBlock(ref DeflateBitWriter writer, ReadOnlySpan<byte> blockData, int tokenCount)
    {
        Span<int> frequencies = _literalFrequencies;
        frequencies[EndOfBlock] = 1;
        _huffman.Build(frequencies, _literalLengths, MaxCodeBits);

        // Distances: two codes of one bit (a complete code), symbol 0 (distance 1) and the run distance's symbol.
        int distanceSymbol = RunDistance - 1;
        Span<byte> distanceLengths = stackalloc byte[Math.Max(2, RunDistance)];
        distanceLengths.Clear();
        distanceLengths[0] = 1;
        distanceLengths[distanceSymbol == 0 ? 1 : distanceSymbol] = 1;

        int literalCodeCount = LiteralLengthSymbols;
        while (literalCodeCount > 257 && _literalLengths[literalCodeCount - 1] == 0)
        {
            literalCodeCount--;
        }

        _header.Prepare(_literalLengths.AsSpan(0, literalCodeCount), distanceLengths, _huffman);
        long codedBits = 3 + _header.Bits + _runCount * (long)distanceLengths[distanceSymbol];
        for (int s = 0; s < LiteralLengthSymbols; s++)
        {
            codedBits += (long)frequencies[s] * (_literalLengths[s] + DeflateTables.LengthSymbolExtraBits(s));
        }

        long storedBits = 8L * (blockData.Length + 5 * ((blockData.Length + 65534) / 65535)) + 7;
        if (codedBits >= storedBits)
        {
            WriteStored(ref writer, blockData);
            return;
        }

        writer.WriteBits(0b100, 3); // BFINAL 0, BTYPE 2 (dynamic Huffman)
        _header.Write(ref writer);
        BuildTokenBits(distanceLengths, distanceSymbol);
        writer.WriteTokens(_tokens.AsSpan(0, tokenCount), _tokenBits);
        ulong endOfBlock = _tokenBits[EndOfBlock];
        writer.WriteBits((uint)endOfBlock, (int)(endOfBlock >> 32));
    }

    /// <summary>Fills the per-token bit table: literal codes; for runs the length code, its extra bits and the distance code.</summary>
    private void BuildTokenBits(ReadOnlySpan<byte> distanceLengths, int distanceSymbol)
    {
        HuffmanBuilder.AssignCodes(_literalLengths, _literalCodes);
        Span<ushort> distanceCodes = stackalloc ushort[distanceLengths.Length];
        HuffmanBuilder.AssignCodes(distanceLengths, distanceCodes);
        Span<ulong> bits = _tokenBits;
        for (int s = 0; s <= EndOfBlock; s++)
        {
            bits[s] = _literalCodes[s] | ((ulong)_literalLengths[s] << 32);
        }

        uint distanceCode = distanceCodes[distanceSymbol];
        int distanceBits = distanceLengths[distanceSymbol];
        for (int length = MinRun; length <= MaxRun; length++)
        {
            int symbol = DeflateTables.LengthSymbol(length);
            int codeBits = _literalLengths[symbol];
            int extraBits = DeflateTables.LengthSymbolExtraBits(symbol);
            uint value = _literalCodes[symbol]
                | ((uint)(length - DeflateTables.LengthBase(symbol)) << codeBits)
                | (distanceCode << (codeBits + extraBits));
            bits[256 + length] = value | ((ulong)(codeBits + extraBits + distanceBits) << 32);
        }
    }

    private static void WriteStored(ref DeflateBitWriter writer, ReadOnlySpan<byte> data)
    {
        Span<byte> lengths = stackalloc byte[4];
        do
        {
            int length = Math.Min(65535, data.Length);
            writer.WriteBits(0, 3); // BFINAL 0, BTYPE 0 (stored)
            writer.AlignToByte();
            BinaryPrimitives.WriteUInt16LittleEndian(lengths, (ushort)length);
            BinaryPrimitives.WriteUInt16LittleEndian(lengths[2..], (ushort)~length);
            writer.WriteAlignedBytes(lengths);
            writer.WriteAlignedBytes(data[..length]);
            data = data[length..];
        }
        while (!data.IsEmpty);
    }
}
