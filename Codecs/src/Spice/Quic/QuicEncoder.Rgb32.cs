using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Codecs.Spice.Quic;

/// <summary>
/// The RGB32 path of the encoder (the common case): no per-channel planes. A vector pre-pass turns each row into one
/// word per pixel holding the three mapped residuals (B | G &lt;&lt; 8 | R &lt;&lt; 16) and a bit per pixel for "same colour
/// as the left pixel"; the coder then only looks up, emits and samples, and finds run-mode entries and run ends with
/// bit scans instead of per-pixel compares. Output is bit-identical to the generic path.
/// </summary>
public sealed partial class QuicEncoder
{
    // Code lengths for the 16-bit model counters: [e * 8 + lane], lane k holding code 7 - k. PHMINPOSUW returns the
    // lowest lane among equal minima, which is then the highest code: the reference's tie-break.
    private static readonly ushort[] s_lenReversed8 = BuildReversedLengths();

    private const int MelcodeTableRuns = 256;

    // [state * 256 + run] = MELCODE hits of a run shorter than 256 from that state (never reaching state 31, whose
    // order is 2^15), and the run length the orders of states [0, s) add up to.
    private static readonly byte[] s_melcodeHits = BuildMelcodeHits();
    private static readonly int[] s_melcodeConsumed = BuildMelcodeConsumed();

    // The Golomb codes as s_code8 but with rows in counter-lane order: [(7 - l) * 256 + n].
    private static readonly uint[] s_codeByLane8 = BuildCodesByLane();

    // Counters of the three channels (R, G, B) as [channel * 64 + bucket * 8 + lane], lanes in reversed code order.
    // 16 bits suffice: every code length is 1..26, so no counter exceeds 26 × the smallest + 26, and the smallest
    // stays ≤ 900 + 26 before a halving (the largest trigger plus one code), i.e. every counter stays below 24200.
    private readonly ushort[] _rgbCounters = new ushort[3 * 8 * 8];

    // The best code of each channel by context value, [channel * 256 + context], as its row offset in s_codeByLane8
    // (lane << 8): the bucket's best spread over the bucket's contexts, rewritten only when it changes, so coding a
    // value needs no bucket lookup.
    private readonly ushort[] _rgbBest = new ushort[3 * 256];

    private uint[] _residuals = [];
    private uint[] _correlate = [];
    private ulong[] _sameAsLeft = [];
    private ulong[] _sameAsLeftAbove = [];
    private ulong[] _runCandidates = [];

    // Never inlined, like CodeRgb32Row: once the benchmark or server loop around TryEncode reached tier 1, dynamic PGO
    // inlined the row coder into it and the merged function spilled its hot locals (30-40 % slower on corpus tiles).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool EncodeRgb32Rows(ReadOnlySpan<byte> pixels, int width, int height, int stride, Span<byte> dst, ref int pos, long rowBytes)
    {
        if (_residuals.Length < width)
        {
            int words = (width / 64) + 2;
            _residuals = new uint[width];
            _correlate = new uint[width + 1];
            _sameAsLeft = new ulong[words];
            _sameAsLeftAbove = new ulong[words];
            _runCandidates = new ulong[words];
        }

        Array.Clear(_rgbCounters);
        Array.Clear(_rgbBest); // lane 0 = code 7, the initial best
        ref byte first = ref MemoryMarshal.GetReference(pixels);
        for (int row = 0; row < height; row++)
        {
            ref byte cur = ref Unsafe.Add(ref first, (nint)row * stride);
            (_sameAsLeft, _sameAsLeftAbove) = (_sameAsLeftAbove, _sameAsLeft);
            QuicRgb32Rows.Prepare(ref cur, ref row == 0 ? ref cur : ref Unsafe.Add(ref cur, -(nint)stride), width, row == 0, _residuals, _sameAsLeft);
            if (row > 0)
            {
                QuicRgb32Rows.RunCandidates(_sameAsLeft, _sameAsLeftAbove, width, _runCandidates);
            }

            if (dst.Length - pos >= rowBytes)
            {
                CodeRgb32Row(dst, ref pos, width, row == 0);
                continue;
            }

            // Near the end of a small destination: code the row into scratch first so running out returns false.
            if (_rowScratch is null || _rowScratch.Length < rowBytes)
            {
                _rowScratch = new byte[rowBytes];
            }

            int scratchPos = 0;
            CodeRgb32Row(_rowScratch, ref scratchPos, width, row == 0);
            if (dst.Length - pos < scratchPos)
            {
                return false;
            }

            _rowScratch.AsSpan(0, scratchPos).CopyTo(dst[pos..]);
            pos += scratchPos;
        }

        return true;
    }

    // Codes one row of the RGB pass: the segments of CodeRow's schedule (2048-position model evolution steps), each
    // coded like the reference's compress_row_seg. Between run-mode entries (a precomputed bit mask: the pixel above
    // equals its left neighbour and the two pixels to the left are equal) the loop does no compare at all. The
    // reference's first-pixel step is the general step with stop = WaitCnt: it samples pixel 0 exactly when the wait
    // count is 0 and otherwise leaves WaitCnt - 1 to wait.
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void CodeRgb32Row(Span<byte> dst, ref int pos, int width, bool row0)
    {
        ref State st = ref _rgb.State;
        ref uint residuals = ref MemoryMarshal.GetArrayDataReference(_residuals);
        ref uint correlate = ref MemoryMarshal.GetArrayDataReference(_correlate);
        ref ulong candidates = ref MemoryMarshal.GetArrayDataReference(_runCandidates);
        ref ulong same = ref MemoryMarshal.GetArrayDataReference(_sameAsLeft);
        ref byte bucket = ref MemoryMarshal.GetArrayDataReference(s_bucket8);
        ref uint code = ref MemoryMarshal.GetArrayDataReference(s_codeByLane8);
        ref ushort best = ref MemoryMarshal.GetArrayDataReference(_rgbBest);
        ref ushort counters = ref MemoryMarshal.GetArrayDataReference(_rgbCounters);
        ref ushort lens = ref MemoryMarshal.GetArrayDataReference(s_lenReversed8);
        ref uint chaos = ref MemoryMarshal.GetReference(QuicTables.TabrandChaos);
        ref byte output = ref MemoryMarshal.GetReference(dst);

        // correlate_row[-1]: 0 on the first row, else the previous row's correlate_row[0].
        correlate = row0 ? 0 : Unsafe.Add(ref correlate, 1);
        ulong acc = _acc;
        int filled = _filled;
        int o = pos;
        int i = 0;
        while (true)
        {
            bool evolves = st.WmIdx < QuicTables.WaitMaskMax && st.WmiLeft <= width - i;
            int segmentStart = i;
            int end = evolves ? i + st.WmiLeft : width;
            if (end != i)
            {
                int waitMask = (1 << st.WmIdx) - 1;
                uint trigger = st.WmTrigger;
                int stop = i + st.WaitCnt;
                int searchFrom = i;
                while (true)
                {
                    int limit = row0 ? end : NextRunCandidate(ref candidates, searchFrom, end);
                    uint context = Unsafe.Add(ref correlate, i);
                    for (; i < limit; i++)
                    {
                        uint e = Unsafe.Add(ref residuals, i);
                        Unsafe.Add(ref correlate, i + 1) = e;
                        EmitPixel(e, context, ref best, ref code, ref acc, ref filled, ref output, ref o);
                        if (i == stop)
                        {
                            UpdateRgbModel(context, e, trigger, ref bucket, ref best, ref counters, ref lens);
                            stop = i + 1 + (int)(Unsafe.Add(ref chaos, ++st.Seed & 0xFF) & (uint)waitMask);
                        }

                        context = e;
                    }

                    if (i == end)
                    {
                        st.WaitCnt = stop - end;
                        break;
                    }

                    // Run mode at i: the pixels equal to their left neighbour are one MELCODE length; they are
                    // neither coded nor sampled (the wait count resumes after the run), and a run reaching the
                    // segment end ends the segment.
                    int waitLeft = stop - i;
                    int runSize = RunLength(ref same, i, end);
                    i += runSize;
                    EmitRun(ref st, runSize, ref acc, ref filled, ref output, ref o);
                    if (i == end)
                    {
                        st.WaitCnt = waitLeft;
                        break;
                    }

                    stop = i + waitLeft;

                    // An empty run leaves i where it started, and the reference codes that pixel next (run_index == i).
                    searchFrom = runSize == 0 ? i + 1 : i;
                }
            }

            if (evolves)
            {
                st.WmIdx++;
                st.WmTrigger = QuicTables.WmTrigger[st.WmIdx];
                st.WmiLeft = QuicTables.WaitMaskNext;
                continue;
            }

            if (st.WmIdx < QuicTables.WaitMaskMax)
            {
                st.WmiLeft -= end - segmentStart;
            }

            break;
        }

        _acc = acc;
        _filled = filled;
        pos = o;
    }

    // The three codes of one pixel (R, G, B), each with its channel's best code for the bucket of its context. When
    // they fit in 32 bits (nearly always) they are concatenated and written as one.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void EmitPixel(uint e, uint context, ref ushort best, ref uint code, ref ulong acc, ref int filled, ref byte output, ref int o)
    {
        uint r = Unsafe.Add(ref code, (nint)(Unsafe.Add(ref best, (context >> 16) & 0xFF) | ((e >> 16) & 0xFF)));
        uint g = Unsafe.Add(ref code, (nint)(Unsafe.Add(ref best, 256 + ((context >> 8) & 0xFF)) | ((e >> 8) & 0xFF)));
        uint b = Unsafe.Add(ref code, (nint)(Unsafe.Add(ref best, 512 + (context & 0xFF)) | (e & 0xFF)));
        int lengthG = (int)(g >> 16);
        int lengthB = (int)(b >> 16);
        int total = (int)(r >> 16) + lengthG + lengthB;
        if (total <= 32)
        {
            uint bits = ((r & 0xFFFF) << (lengthG + lengthB)) | ((g & 0xFFFF) << lengthB) | (b & 0xFFFF);
            EmitBits(bits, total, ref acc, ref filled, ref output, ref o);
        }
        else
        {
            EmitBits(r & 0xFFFF, (int)(r >> 16), ref acc, ref filled, ref output, ref o);
            EmitBits(g & 0xFFFF, lengthG, ref acc, ref filled, ref output, ref o);
            EmitBits(b & 0xFFFF, lengthB, ref acc, ref filled, ref output, ref o);
        }
    }

    // Appends 1..32 bits MSB-first to the accumulator (fewer than 32 bits pending on entry and on exit). The pending
    // word is stored every time and the position advances only when it is complete: no branch to mispredict. (The
    // store may land one word past the final output; the row budget has two spare words.)
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void EmitBits(uint value, int length, ref ulong acc, ref int filled, ref byte output, ref int o)
    {
        filled += length;
        acc |= (ulong)value << (64 - filled);
        uint word = (uint)(acc >> 32);
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref output, o), BitConverter.IsLittleEndian ? word : BinaryPrimitives.ReverseEndianness(word));
        int complete = filled >> 5;
        o += complete << 2;
        acc <<= complete << 5;
        filled &= 31;
    }

    // EncodeRun on the span coder's bit writer; inlined so that the writer stays in registers. Runs shorter than
    // MelcodeTableRuns take the hit count from a table and go out as one code of at most 28 bits: the hit bits, the
    // 0 and the remainder.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void EmitRun(ref State st, int runLength, ref ulong acc, ref int filled, ref byte output, ref int o)
    {
        ref byte exponents = ref MemoryMarshal.GetReference(QuicTables.MelcodeJ);
        int state = st.MelcState;
        if (runLength < MelcodeTableRuns)
        {
            int hitCount = Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(s_melcodeHits), (state * MelcodeTableRuns) + runLength);
            int reached = state + hitCount;
            int bits = Unsafe.Add(ref exponents, reached);
            ref int consumed = ref MemoryMarshal.GetArrayDataReference(s_melcodeConsumed);
            uint remainder = (uint)(runLength - (Unsafe.Add(ref consumed, reached) - Unsafe.Add(ref consumed, state)));
            EmitBits((((1u << hitCount) - 1) << (bits + 1)) | remainder, hitCount + bits + 1, ref acc, ref filled, ref output, ref o);
            state = reached > 0 ? reached - 1 : 0;
            st.MelcState = state;
            st.MelcLen = Unsafe.Add(ref exponents, state);
            st.MelcOrder = 1 << st.MelcLen;
            return;
        }

        int length = st.MelcLen;
        int order = st.MelcOrder;
        int hits = 0;
        while (runLength >= order)
        {
            hits++;
            runLength -= order;
            if (state < 31)
            {
                length = Unsafe.Add(ref exponents, ++state);
                order = 1 << length;
            }
        }

        for (; hits >= 32; hits -= 32)
        {
            EmitBits(uint.MaxValue, 32, ref acc, ref filled, ref output, ref o);
        }

        if (hits > 0)
        {
            EmitBits((1u << hits) - 1, hits, ref acc, ref filled, ref output, ref o);
        }

        EmitBits((uint)runLength, length + 1, ref acc, ref filled, ref output, ref o);
        if (state > 0)
        {
            length = Unsafe.Add(ref exponents, --state);
            order = 1 << length;
        }

        st.MelcState = state;
        st.MelcLen = length;
        st.MelcOrder = order;
    }

    // The model update of the three channels at one sampled pixel: add the code lengths of the value to the
    // counters of the context's bucket, take the best (shortest total, ties to the larger code), halve all when the
    // best exceeds the trigger.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void UpdateRgbModel(uint context, uint e, uint trigger, ref byte bucket, ref ushort best, ref ushort counters, ref ushort lens)
    {
        UpdateChannel(0, (context >> 16) & 0xFF, (e >> 16) & 0xFF, trigger, ref bucket, ref best, ref counters, ref lens);
        UpdateChannel(1, (context >> 8) & 0xFF, (e >> 8) & 0xFF, trigger, ref bucket, ref best, ref counters, ref lens);
        UpdateChannel(2, context & 0xFF, e & 0xFF, trigger, ref bucket, ref best, ref counters, ref lens);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void UpdateChannel(nuint channel, uint context, uint value, uint trigger, ref byte bucket, ref ushort best, ref ushort counters, ref ushort lens)
    {
        nuint slot = (channel * 8) + Unsafe.Add(ref bucket, context);
        ref ushort row = ref Unsafe.Add(ref counters, slot * 8);
        if (Sse41.IsSupported)
        {
            // PHMINPOSUW: lane 0 = the minimum, lane 1 = its lowest lane index (= 7 - the highest best code).
            Vector128<ushort> v = Vector128.LoadUnsafe(ref row) + Vector128.LoadUnsafe(ref lens, value * 8);
            Vector128<ushort> min = Sse41.MinHorizontal(v);
            uint lowest = min.AsUInt32().ToScalar();
            if ((lowest & 0xFFFF) > trigger)
            {
                v = Vector128.ShiftRightLogical(v, 1);
            }

            v.StoreUnsafe(ref row);
            SetBest(channel, context, slot & 7, (ushort)((lowest >> 8) & 0x700), ref best);
            return;
        }

        ref ushort len = ref Unsafe.Add(ref lens, value * 8);
        int bestLane = 0;
        uint bestLen = Unsafe.Add(ref row, 0) += Unsafe.Add(ref len, 0);
        for (int k = 1; k < 8; k++)
        {
            uint x = Unsafe.Add(ref row, k) += Unsafe.Add(ref len, k);
            if (x < bestLen)
            {
                bestLane = k;
                bestLen = x;
            }
        }

        SetBest(channel, context, slot & 7, (ushort)(bestLane << 8), ref best);
        if (bestLen > trigger)
        {
            for (int k = 0; k < 8; k++)
            {
                Unsafe.Add(ref row, k) >>= 1;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SetBest(nuint channel, uint context, nuint bucket, ushort offset, ref ushort best)
    {
        if (Unsafe.Add(ref best, (channel * 256) + context) != offset)
        {
            SpreadBest(ref Unsafe.Add(ref best, channel * 256), (int)bucket, offset);
        }
    }

    // Buckets for bpc 8: [2^b - 1, 2^(b + 1) - 2], the last one up to 255. A plain loop, not a call: a call in the
    // coding loop would make the JIT keep its locals on the stack.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SpreadBest(ref ushort channelBest, int bucket, ushort offset)
    {
        int start = (1 << bucket) - 1;
        int length = bucket == 7 ? 256 - start : 1 << bucket;
        ref ushort first = ref Unsafe.Add(ref channelBest, start);
        for (int k = 0; k < length; k++)
        {
            Unsafe.Add(ref first, k) = offset;
        }
    }

    // First run-mode entry in [from, end), or end.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int NextRunCandidate(ref ulong candidates, int from, int end)
    {
        int word = from >> 6;
        ulong bits = Unsafe.Add(ref candidates, word) & (ulong.MaxValue << (from & 63));
        while (bits == 0)
        {
            word++;
            if (word << 6 >= end)
            {
                return end;
            }

            bits = Unsafe.Add(ref candidates, word);
        }

        return Math.Min((word << 6) + BitOperations.TrailingZeroCount(bits), end);
    }

    // The number of pixels from i on (before end) that equal their left neighbour.
    private static int RunLength(ref ulong same, int i, int end)
    {
        int p = i;
        while (true)
        {
            int shift = p & 63;

            // Ones beyond the word's end (shifted in as zeros, inverted) stop the count at the word boundary.
            int ones = BitOperations.TrailingZeroCount(~(Unsafe.Add(ref same, p >> 6) >> shift));
            p += ones;
            if (p >= end)
            {
                return end - i;
            }

            if (ones < 64 - shift)
            {
                return p - i;
            }
        }
    }

    private static uint[] BuildCodesByLane()
    {
        uint[] codes = BuildCodes(8);
        var table = new uint[8 * 256];
        for (int i = 0; i < table.Length; i++)
        {
            table[i] = codes[((7 - (i >> 8)) << 8) | (i & 0xFF)];
        }

        return table;
    }

    private static byte[] BuildMelcodeHits()
    {
        var table = new byte[32 * MelcodeTableRuns];
        for (int state = 0; state < 32; state++)
        {
            for (int run = 0; run < MelcodeTableRuns; run++)
            {
                int s = state;
                int left = run;
                int hits = 0;
                while (left >= 1 << QuicTables.MelcodeJ[s])
                {
                    left -= 1 << QuicTables.MelcodeJ[s];
                    hits++;
                    s++;
                }

                table[(state * MelcodeTableRuns) + run] = (byte)hits;
            }
        }

        return table;
    }

    private static int[] BuildMelcodeConsumed()
    {
        var table = new int[32];
        for (int state = 1; state < 32; state++)
        {
            table[state] = table[state - 1] + (1 << QuicTables.MelcodeJ[state - 1]);
        }

        return table;
    }

    private static ushort[] BuildReversedLengths()
    {
        byte[] lengths = BuildLengths(8);
        var table = new ushort[256 * 8];
        for (int e = 0; e < 256; e++)
        {
            for (int lane = 0; lane < 8; lane++)
            {
                table[(e * 8) + lane] = lengths[(e * 8) + 7 - lane];
            }
        }

        return table;
    }
}
