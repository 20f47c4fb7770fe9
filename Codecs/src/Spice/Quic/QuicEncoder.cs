using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Codecs.Spice.Quic;

/// <summary>
/// QUIC encoder (spice-common's SFALIC-derived lossless image codec). The format leaves the encoder no freedom: the
/// output is bit-identical to the reference's family/bucket model, sampling, MELCODE run mode and 2048-position
/// segmenting. Reuse one instance per stream to keep its scratch buffers; not thread-safe.
/// </summary>
/// <remarks>
/// Each row is first split into per-channel byte planes (and a packed key per pixel for the run predicate), then the
/// planes are coded with table-driven Golomb codes (code and length packed in one <see cref="uint"/>) into a 64-bit
/// MSB-first accumulator that spills little-endian 32-bit words.
/// </remarks>
public sealed partial class QuicEncoder
{
    private const int HeaderBytes = 20;

    // [l * 256 + n] = code | length << 16, for bpc 8 and 5 (5 uses n < 32).
    private static readonly uint[] s_code8 = BuildCodes(8);
    private static readonly uint[] s_code5 = BuildCodes(5);

    // [n * 8 + l] = code length, for the model update.
    private static readonly byte[] s_len8 = BuildLengths(8);
    private static readonly byte[] s_len5 = BuildLengths(5);

    // The same lengths as uint rows of 8 for the vector model update (0 for codes ≥ bpc).
    private static readonly uint[] s_lenVector8 = [.. s_len8.Select(b => (uint)b)];
    private static readonly uint[] s_lenVector5 = [.. s_len5.Select(b => (uint)b)];

    private static readonly byte[] s_bucket8 = BuildBucketMap(8);
    private static readonly byte[] s_bucket5 = BuildBucketMap(5);

    private static readonly byte[] s_u2l8 = BuildU2L(8);
    private static readonly byte[] s_u2l5 = BuildU2L(5);

    private readonly Group _rgb = new(3);
    private readonly Group _alpha = new(1);

    private uint[] _code = s_code8;
    private byte[] _len = s_len8;
    private uint[] _lenVector = s_lenVector8;
    private byte[] _bucket = s_bucket8;
    private byte[] _u2l = s_u2l8;
    private int _bpc;
    private int _mask;

    // Bit writer.
    private ulong _acc;
    private int _filled;
    private byte[]? _rowScratch;

    /// <summary>Upper bound of the encoded size of a <paramref name="width"/>×<paramref name="height"/> image, in bytes.</summary>
    public static long GetMaxEncodedLength(QuicImageType type, int width, int height)
    {
        (int channels, int bpc) = QuicTables.Params(type);
        if (channels == 0 || width <= 0 || height <= 0)
        {
            return 0;
        }

        // Worst case per pixel: every channel escapes (≤ 26 bits) and each pass codes one MELCODE remainder (≤ 16 bits)
        // plus one hit bit per run pixel.
        _ = bpc;
        long bitsPerPixel = (channels * (long)QuicTables.MaxCodeLength) + (channels == 4 ? 2 * 17 : 17);
        long bits = (long)width * height * bitsPerPixel;
        return HeaderBytes + (((bits + 31) / 32) + 2) * 4;
    }

    /// <summary>
    /// Encodes one image. <paramref name="pixels"/> holds <paramref name="height"/> rows of <paramref name="stride"/>
    /// bytes in the type's memory layout, top row first. Returns false when <paramref name="destination"/> is too small.
    /// </summary>
    public bool TryEncode(QuicImageType type, ReadOnlySpan<byte> pixels, int width, int height, int stride, Span<byte> destination, out int bytesWritten)
    {
        (int channels, int bpc) = QuicTables.Params(type);
        if (channels == 0 || type == QuicImageType.Gray)
        {
            throw new ArgumentException("QUIC encodes RGB16, RGB24, RGB32 and RGBA only.", nameof(type));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if ((long)width * height > QuicTables.MaxPixels)
        {
            throw new ArgumentOutOfRangeException(nameof(width), "Image too large for QUIC.");
        }

        int bpp = QuicTables.BytesPerPixel(type);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, width * bpp);
        if (pixels.Length < ((long)(height - 1) * stride) + ((long)width * bpp))
        {
            throw new ArgumentException("Pixel buffer smaller than height × stride.", nameof(pixels));
        }

        bytesWritten = 0;
        _bpc = bpc;
        _mask = (1 << bpc) - 1;
        if (bpc == 8)
        {
            _code = s_code8;
            _len = s_len8;
            _lenVector = s_lenVector8;
            _bucket = s_bucket8;
            _u2l = s_u2l8;
        }
        else
        {
            _code = s_code5;
            _len = s_len5;
            _lenVector = s_lenVector5;
            _bucket = s_bucket5;
            _u2l = s_u2l5;
        }

        if (type == QuicImageType.Rgb32)
        {
            _rgb.ResetState();
        }
        else
        {
            _rgb.Reset(width, bpc);
        }

        if (channels == 4)
        {
            _alpha.Reset(width, bpc);
        }

        _acc = 0;
        _filled = 0;
        int pos = 0;
        Span<byte> dst = destination;
        if (dst.Length < HeaderBytes)
        {
            return false;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(dst, QuicTables.Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(dst[4..], QuicTables.Version);
        BinaryPrimitives.WriteUInt32LittleEndian(dst[8..], (uint)type);
        BinaryPrimitives.WriteUInt32LittleEndian(dst[12..], (uint)width);
        BinaryPrimitives.WriteUInt32LittleEndian(dst[16..], (uint)height);
        pos = HeaderBytes;

        // Worst case for one row; the destination is checked once per row.
        long rowBytes = GetMaxEncodedLength(type, width, 1) - HeaderBytes;
        if (type == QuicImageType.Rgb32)
        {
            if (!EncodeRgb32Rows(pixels, width, height, stride, dst, ref pos, rowBytes))
            {
                return false;
            }
        }

        for (int row = 0; type != QuicImageType.Rgb32 && row < height; row++)
        {
            ReadOnlySpan<byte> line = pixels.Slice(row * stride, width * bpp);
            _rgb.Swap();
            SplitRow(type, line, _rgb, channels == 4 ? _alpha : null);

            if (dst.Length - pos < rowBytes)
            {
                if (!EncodeRowChecked(row, dst, ref pos, channels, width, rowBytes))
                {
                    return false;
                }

                continue;
            }

            EncodeRow(row, dst, ref pos, channels, width);
        }

        // Flush: pad the current word, then one all-zero word.
        if (_filled > 0)
        {
            if (dst.Length - pos < 4)
            {
                return false;
            }

            BinaryPrimitives.WriteUInt32LittleEndian(dst[pos..], (uint)(_acc >> 32));
            pos += 4;
        }

        if (dst.Length - pos < 4)
        {
            return false;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(dst[pos..], 0);
        pos += 4;
        bytesWritten = pos;
        return true;
    }

    // Near the end of a small destination: code the row into scratch first so running out returns false, not throws.
    private bool EncodeRowChecked(int row, Span<byte> dst, ref int pos, int channels, int width, long rowBytes)
    {
        if (_rowScratch is null || _rowScratch.Length < rowBytes)
        {
            _rowScratch = new byte[rowBytes];
        }

        int scratchPos = 0;
        EncodeRow(row, _rowScratch, ref scratchPos, channels, width);
        if (dst.Length - pos < scratchPos)
        {
            return false;
        }

        _rowScratch.AsSpan(0, scratchPos).CopyTo(dst[pos..]);
        pos += scratchPos;
        return true;
    }

    private void EncodeRow(int row, Span<byte> dst, ref int pos, int channels, int width)
    {
        if (row == 0)
        {
            _rgb.StartRow(first: true);
            CodeRow(_rgb, dst, ref pos, width, row0: true);
            if (channels == 4)
            {
                _alpha.StartRow(first: true);
                CodeRow(_alpha, dst, ref pos, width, row0: true);
            }
        }
        else
        {
            _rgb.StartRow(first: false);
            CodeRow(_rgb, dst, ref pos, width, row0: false);
            if (channels == 4)
            {
                _alpha.StartRow(first: false);
                CodeRow(_alpha, dst, ref pos, width, row0: false);
            }
        }
    }

    private static void SplitRow(QuicImageType type, ReadOnlySpan<byte> line, Group rgb, Group? alpha)
    {
        int width = rgb.Width;
        Span<byte> r = rgb.Cur[0].AsSpan(0, width);
        Span<byte> g = rgb.Cur[1].AsSpan(0, width);
        Span<byte> b = rgb.Cur[2].AsSpan(0, width);
        Span<uint> key = rgb.CurKey.AsSpan(0, width);
        switch (type)
        {
            case QuicImageType.Rgb32:
            case QuicImageType.Rgba:
                ReadOnlySpan<uint> px = MemoryMarshal.Cast<byte, uint>(line);
                for (int i = 0; i < px.Length; i++)
                {
                    uint v = px[i];
                    b[i] = (byte)v;
                    g[i] = (byte)(v >> 8);
                    r[i] = (byte)(v >> 16);
                    key[i] = v & 0xFFFFFF;
                }

                if (alpha is not null)
                {
                    alpha.Swap();
                    Span<byte> a = alpha.Cur[0].AsSpan(0, width);
                    Span<uint> akey = alpha.CurKey.AsSpan(0, width);
                    for (int i = 0; i < px.Length; i++)
                    {
                        byte av = (byte)(px[i] >> 24);
                        a[i] = av;
                        akey[i] = av;
                    }
                }

                break;
            case QuicImageType.Rgb24:
                for (int i = 0, j = 0; i < width; i++, j += 3)
                {
                    b[i] = line[j];
                    g[i] = line[j + 1];
                    r[i] = line[j + 2];
                    key[i] = line[j] | ((uint)line[j + 1] << 8) | ((uint)line[j + 2] << 16);
                }

                break;
            default: // Rgb16
                for (int i = 0, j = 0; i < width; i++, j += 2)
                {
                    uint v = (uint)(line[j] | (line[j + 1] << 8));
                    b[i] = (byte)(v & 0x1F);
                    g[i] = (byte)((v >> 5) & 0x1F);
                    r[i] = (byte)((v >> 10) & 0x1F);
                    key[i] = v & 0x7FFF;
                }

                break;
        }
    }

    // Splits a row into segments at the model's 2048-position evolution boundaries (compress_row / compress_row0).
    private void CodeRow(Group grp, Span<byte> dst, ref int pos, int width, bool row0)
    {
        ref State st = ref grp.State;
        int start = 0;
        int left = width;
        while (st.WmIdx < QuicTables.WaitMaskMax && st.WmiLeft <= left)
        {
            if (st.WmiLeft != 0)
            {
                CodeSegment(grp, dst, ref pos, start, start + st.WmiLeft, (1 << st.WmIdx) - 1, row0);
                left -= st.WmiLeft;
                start += st.WmiLeft;
            }

            st.WmIdx++;
            st.WmTrigger = QuicTables.WmTrigger[st.WmIdx];
            st.WmiLeft = QuicTables.WaitMaskNext;
        }

        if (left != 0)
        {
            CodeSegment(grp, dst, ref pos, start, start + left, (1 << st.WmIdx) - 1, row0);
            if (st.WmIdx < QuicTables.WaitMaskMax)
            {
                st.WmiLeft -= left;
            }
        }
    }

    private void CodeSegment(Group grp, Span<byte> dst, ref int pos, int i, int end, int waitMask, bool row0)
    {
        ref State st = ref grp.State;
        int stopIdx;
        if (i == 0)
        {
            CodeFirstPixel(grp, dst, ref pos, row0);
            if (st.WaitCnt != 0)
            {
                st.WaitCnt--;
            }
            else
            {
                st.WaitCnt = (int)(Tabrand(ref st) & (uint)waitMask);
                UpdateModel(grp, 0);
            }

            stopIdx = ++i + st.WaitCnt;
        }
        else
        {
            stopIdx = i + st.WaitCnt;
        }

        CodeSpan(grp, dst, ref pos, i, end, row0, stopIdx, waitMask);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Tabrand(ref State st) => QuicTables.TabrandChaos[(int)(++st.Seed & 0xFF)];

    private void CodeFirstPixel(Group grp, Span<byte> dst, ref int pos, bool row0)
    {
        for (int c = 0; c < grp.Count; c++)
        {
            byte[] cur = grp.Cur[c];
            byte[] corr = grp.Corr[c];
            int v = row0 ? cur[0] : (cur[0] - grp.Prev[c][0]) & _mask;
            byte e = _u2l[v];
            corr[1] = e;
            int l = grp.BestCode[c][_bucket[corr[0]]];
            Put(dst, ref pos, _code[(l << 8) | e]);
        }
    }

    // Codes pixels [i, end) of one pass, stopping early where the run predicate fires (rows ≥ 1); returns the index
    // reached. After coding the pixel at stopIdx the model is updated there and the next sample drawn (the reference's
    // wait-count loop), so in the first 2048 positions, where every pixel is sampled, nothing returns per pixel. The
    // hot loop of the encoder: bit writer and every plane's reference live in locals, the destination was checked for
    // the whole row by the caller.
    private void CodeSpan(Group grp, Span<byte> dst, ref int pos, int i, int end, bool row0, int stopIdx, int waitMask)
    {
        if (i >= end)
        {
            grp.State.WaitCnt = stopIdx - end;
            return;
        }

        ref byte u2l = ref MemoryMarshal.GetArrayDataReference(_u2l);
        ref byte bucket = ref MemoryMarshal.GetArrayDataReference(_bucket);
        ref uint code = ref MemoryMarshal.GetArrayDataReference(_code);
        ref uint curKey = ref MemoryMarshal.GetArrayDataReference(grp.CurKey);
        ref uint prevKey = ref MemoryMarshal.GetArrayDataReference(grp.PrevKey);
        ref byte output = ref MemoryMarshal.GetReference(dst);
        bool three = grp.Count == 3;
        ref byte cur0 = ref MemoryMarshal.GetArrayDataReference(grp.Cur[0]);
        ref byte prev0 = ref MemoryMarshal.GetArrayDataReference(grp.Prev[0]);
        ref byte corr0 = ref MemoryMarshal.GetArrayDataReference(grp.Corr[0]);
        ref byte best0 = ref MemoryMarshal.GetArrayDataReference(grp.BestCode[0]);
        ref byte cur1 = ref three ? ref MemoryMarshal.GetArrayDataReference(grp.Cur[1]) : ref cur0;
        ref byte prev1 = ref three ? ref MemoryMarshal.GetArrayDataReference(grp.Prev[1]) : ref prev0;
        ref byte corr1 = ref three ? ref MemoryMarshal.GetArrayDataReference(grp.Corr[1]) : ref corr0;
        ref byte best1 = ref three ? ref MemoryMarshal.GetArrayDataReference(grp.BestCode[1]) : ref best0;
        ref byte cur2 = ref three ? ref MemoryMarshal.GetArrayDataReference(grp.Cur[2]) : ref cur0;
        ref byte prev2 = ref three ? ref MemoryMarshal.GetArrayDataReference(grp.Prev[2]) : ref prev0;
        ref byte corr2 = ref three ? ref MemoryMarshal.GetArrayDataReference(grp.Corr[2]) : ref corr0;
        ref byte best2 = ref three ? ref MemoryMarshal.GetArrayDataReference(grp.BestCode[2]) : ref best0;
        ref uint counters0 = ref MemoryMarshal.GetArrayDataReference(grp.Counters[0]);
        ref uint counters1 = ref three ? ref MemoryMarshal.GetArrayDataReference(grp.Counters[1]) : ref counters0;
        ref uint counters2 = ref three ? ref MemoryMarshal.GetArrayDataReference(grp.Counters[2]) : ref counters0;
        ref uint lens = ref MemoryMarshal.GetArrayDataReference(_lenVector);
        bool vectorModel = Vector256.IsHardwareAccelerated;
        Vector256<uint> unused = _bpc == 8 ? Vector256<uint>.Zero : Vector256.Create(0u, 0, 0, 0, 0, uint.MaxValue, uint.MaxValue, uint.MaxValue);
        int mask = _mask;
        ulong acc = _acc;
        int filled = _filled;
        int o = pos;
        int stop = stopIdx;
        int runIndex = 0;
    Code:
        for (; i < end; i++)
        {
            if (!row0 && Unsafe.Add(ref prevKey, i - 1) == Unsafe.Add(ref prevKey, i) && runIndex != i && i > 2
                && Unsafe.Add(ref curKey, i - 1) == Unsafe.Add(ref curKey, i - 2))
            {
                goto Run;
            }

            uint packed = CodeOf(ref cur0, ref prev0, ref corr0, ref best0, i, row0, mask, ref u2l, ref bucket, ref code);
            Emit(packed, ref acc, ref filled, ref output, ref o);
            if (three)
            {
                packed = CodeOf(ref cur1, ref prev1, ref corr1, ref best1, i, row0, mask, ref u2l, ref bucket, ref code);
                Emit(packed, ref acc, ref filled, ref output, ref o);
                packed = CodeOf(ref cur2, ref prev2, ref corr2, ref best2, i, row0, mask, ref u2l, ref bucket, ref code);
                Emit(packed, ref acc, ref filled, ref output, ref o);
            }

            if (i == stop)
            {
                if (vectorModel)
                {
                    uint trigger = grp.State.WmTrigger;
                    UpdateBucket(ref corr0, ref counters0, ref best0, i, trigger, unused, ref lens, ref bucket);
                    if (three)
                    {
                        UpdateBucket(ref corr1, ref counters1, ref best1, i, trigger, unused, ref lens, ref bucket);
                        UpdateBucket(ref corr2, ref counters2, ref best2, i, trigger, unused, ref lens, ref bucket);
                    }
                }
                else
                {
                    UpdateModel(grp, i);
                }

                stop = i + 1 + (int)(Tabrand(ref grp.State) & (uint)waitMask);
            }
        }

        _acc = acc;
        _filled = filled;
        pos = o;
        grp.State.WaitCnt = stop - end;
        return;

    Run:
        // Run mode: the pixels equal to the left one are coded as one MELCODE length (run pixels are neither coded
        // nor sampled: the wait count resumes after the run); a run reaching the segment end ends the segment.
        runIndex = i;
        int waitLeft = stop - i;
        int runSize = 0;
        uint runKey = Unsafe.Add(ref curKey, i - 1);
        while (Unsafe.Add(ref curKey, i) == runKey)
        {
            runSize++;
            if (++i == end)
            {
                break;
            }
        }

        _acc = acc;
        _filled = filled;
        pos = o;
        EncodeRun(ref grp.State, dst, ref pos, runSize);
        if (i == end)
        {
            grp.State.WaitCnt = waitLeft;
            return;
        }

        acc = _acc;
        filled = _filled;
        o = pos;
        stop = i + waitLeft;
        goto Code;
    }

    // One channel of pixel i: predict, zig-zag map, store the context for the next pixel, look up the Golomb code
    // of the bucket's best code length (code | length << 16).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint CodeOf(ref byte cur, ref byte prev, ref byte corr, ref byte best, int i, bool row0, int mask, ref byte u2l, ref byte bucket, ref uint code)
    {
        int left = Unsafe.Add(ref cur, i - 1);
        int pred = row0 ? left : (left + Unsafe.Add(ref prev, i)) >> 1;
        byte e = Unsafe.Add(ref u2l, (Unsafe.Add(ref cur, i) - pred) & mask);
        Unsafe.Add(ref corr, i + 1) = e;
        int l = Unsafe.Add(ref best, Unsafe.Add(ref bucket, Unsafe.Add(ref corr, i)));
        return Unsafe.Add(ref code, (l << 8) | e);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Emit(uint packed, ref ulong acc, ref int filled, ref byte output, ref int o)
    {
        filled += (int)(packed >> 16);
        acc |= (ulong)(packed & 0xFFFF) << (64 - filled);
        if (filled >= 32)
        {
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref output, o), BitConverter.IsLittleEndian ? (uint)(acc >> 32) : BinaryPrimitives.ReverseEndianness((uint)(acc >> 32)));
            o += 4;
            acc <<= 32;
            filled -= 32;
        }
    }

    private void UpdateModel(Group grp, int index)
    {
        if (Vector256.IsHardwareAccelerated)
        {
            UpdateModelVector(grp, index);
            return;
        }

        uint trigger = grp.State.WmTrigger;
        int bpc = _bpc;
        ref byte lens = ref MemoryMarshal.GetArrayDataReference(_len);
        ref byte bucketMap = ref MemoryMarshal.GetArrayDataReference(_bucket);
        for (int c = 0; c < grp.Count; c++)
        {
            ref byte corr = ref MemoryMarshal.GetArrayDataReference(grp.Corr[c]);
            int bucket = Unsafe.Add(ref bucketMap, Unsafe.Add(ref corr, index));
            ref uint counters = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(grp.Counters[c]), bucket * 8);
            ref byte len = ref Unsafe.Add(ref lens, Unsafe.Add(ref corr, index + 1) * 8);
            int best = bpc - 1;
            uint bestLen = Unsafe.Add(ref counters, best) += Unsafe.Add(ref len, best);
            for (int l = bpc - 2; l >= 0; l--)
            {
                uint x = Unsafe.Add(ref counters, l) += Unsafe.Add(ref len, l);
                if (x < bestLen)
                {
                    best = l;
                    bestLen = x;
                }
            }

            grp.BestCode[c][bucket] = (byte)best;
            if (bestLen > trigger)
            {
                for (int l = 0; l < bpc; l++)
                {
                    Unsafe.Add(ref counters, l) >>= 1;
                }
            }
        }
    }

    // The eight counters of a bucket as one vector: add the code lengths of the value, take the minimum over the
    // codes in use (lanes ≥ bpc are masked to MaxValue), pick the highest code holding it (ties go to the larger
    // code, as in the reference's downward scan), halve all counters when the minimum exceeds the trigger.
    private void UpdateModelVector(Group grp, int index)
    {
        uint trigger = grp.State.WmTrigger;
        ref uint lens = ref MemoryMarshal.GetArrayDataReference(_lenVector);
        ref byte bucketMap = ref MemoryMarshal.GetArrayDataReference(_bucket);
        Vector256<uint> unused = _bpc == 8 ? Vector256<uint>.Zero : Vector256.Create(0u, 0, 0, 0, 0, uint.MaxValue, uint.MaxValue, uint.MaxValue);
        for (int c = 0; c < grp.Count; c++)
        {
            ref byte corr = ref MemoryMarshal.GetArrayDataReference(grp.Corr[c]);
            int bucket = Unsafe.Add(ref bucketMap, Unsafe.Add(ref corr, index));
            ref uint counters = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(grp.Counters[c]), bucket * 8);
            Vector256<uint> v = Vector256.LoadUnsafe(ref counters) + Vector256.LoadUnsafe(ref lens, (nuint)(Unsafe.Add(ref corr, index + 1) * 8));
            Vector256<uint> masked = v | unused;
            Vector256<uint> m = Vector256.Min(masked, Vector256.Shuffle(masked, Vector256.Create(4u, 5, 6, 7, 0, 1, 2, 3)));
            m = Vector256.Min(m, Vector256.Shuffle(m, Vector256.Create(2u, 3, 0, 1, 6, 7, 4, 5)));
            m = Vector256.Min(m, Vector256.Shuffle(m, Vector256.Create(1u, 0, 3, 2, 5, 4, 7, 6)));
            uint hits = Vector256.Equals(masked, m).ExtractMostSignificantBits();
            grp.BestCode[c][bucket] = (byte)(31 - BitOperations.LeadingZeroCount(hits));
            if (m.ToScalar() > trigger)
            {
                v = Vector256.ShiftRightLogical(v, 1);
            }

            v.StoreUnsafe(ref counters);
        }
    }

    // UpdateModelVector for one channel, on references the span coder already holds.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void UpdateBucket(ref byte corr, ref uint counterRows, ref byte best, int index, uint trigger, Vector256<uint> unused, ref uint lens, ref byte bucketMap)
    {
        int b = Unsafe.Add(ref bucketMap, Unsafe.Add(ref corr, index));
        ref uint counters = ref Unsafe.Add(ref counterRows, b * 8);
        Vector256<uint> v = Vector256.LoadUnsafe(ref counters) + Vector256.LoadUnsafe(ref lens, (nuint)(Unsafe.Add(ref corr, index + 1) * 8));
        Vector256<uint> masked = v | unused;
        Vector256<uint> m = Vector256.Min(masked, Vector256.Shuffle(masked, Vector256.Create(4u, 5, 6, 7, 0, 1, 2, 3)));
        m = Vector256.Min(m, Vector256.Shuffle(m, Vector256.Create(2u, 3, 0, 1, 6, 7, 4, 5)));
        m = Vector256.Min(m, Vector256.Shuffle(m, Vector256.Create(1u, 0, 3, 2, 5, 4, 7, 6)));
        uint hits = Vector256.Equals(masked, m).ExtractMostSignificantBits();
        Unsafe.Add(ref best, b) = (byte)(31 - BitOperations.LeadingZeroCount(hits));
        if (m.ToScalar() > trigger)
        {
            v = Vector256.ShiftRightLogical(v, 1);
        }

        v.StoreUnsafe(ref counters);
    }

    // MELCODE: one 1 bit per completed order (each raising the state), then a 0 and the remainder in MelcLen bits
    // (written together as MelcLen + 1 bits), then the state falls by one.
    private void EncodeRun(ref State st, Span<byte> dst, ref int pos, int runLength)
    {
        ref byte exponents = ref MemoryMarshal.GetReference(QuicTables.MelcodeJ);
        int state = st.MelcState;
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
            Write(dst, ref pos, 0xFFFFFFFF, 32);
        }

        if (hits > 0)
        {
            Write(dst, ref pos, (1u << hits) - 1, hits);
        }

        Write(dst, ref pos, (uint)runLength, length + 1);
        if (state > 0)
        {
            length = Unsafe.Add(ref exponents, --state);
            order = 1 << length;
        }

        st.MelcState = state;
        st.MelcLen = length;
        st.MelcOrder = order;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Put(Span<byte> dst, ref int pos, uint packed) => Write(dst, ref pos, packed & 0xFFFF, (int)(packed >> 16));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Write(Span<byte> dst, ref int pos, uint value, int length)
    {
        int filled = _filled + length;
        _acc |= (ulong)value << (64 - filled);
        if (filled >= 32)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(dst.Slice(pos, 4), (uint)(_acc >> 32));
            pos += 4;
            _acc <<= 32;
            filled -= 32;
        }

        _filled = filled;
    }

    private static uint[] BuildCodes(int bpc)
    {
        var table = new uint[8 * 256];
        for (int l = 0; l < bpc; l++)
        {
            (int nGr, int escLen) = Family(bpc, l);
            for (int n = 0; n < 256; n++)
            {
                uint code;
                int len;
                if (n < nGr)
                {
                    code = (1u << l) | ((uint)n & ((1u << l) - 1));
                    len = (n >> l) + 1 + l;
                }
                else
                {
                    code = (uint)(n - nGr);
                    len = escLen;
                }

                table[(l << 8) | n] = (code & 0xFFFF) | ((uint)len << 16);
            }
        }

        return table;
    }

    private static byte[] BuildLengths(int bpc)
    {
        var table = new byte[256 * 8];
        for (int l = 0; l < bpc; l++)
        {
            (int nGr, int escLen) = Family(bpc, l);
            for (int n = 0; n < 256; n++)
            {
                table[(n * 8) + l] = (byte)(n < nGr ? (n >> l) + 1 + l : escLen);
            }
        }

        return table;
    }

    // family_init: number of GR codewords and the escape codeword length for code l.
    internal static (int NGr, int EscapeLength) Family(int bpc, int l)
    {
        int altPrefix = Math.Min(QuicTables.MaxCodeLength - bpc, (1 << (bpc - l)) - 1);
        int altCodewords = (1 << bpc) - (altPrefix << l);
        int suffix = altCodewords <= 1 ? 0 : 32 - BitOperations.LeadingZeroCount((uint)(altCodewords - 1));
        return (altPrefix << l, altPrefix + suffix);
    }

    // Buckets for DEFevol = 3: sizes 1, 2, 4, ... with the last one absorbing the rest.
    private static byte[] BuildBucketMap(int bpc)
    {
        int levels = 1 << bpc;
        var map = new byte[256];
        int start = 0;
        int size = 1;
        int bucket = 0;
        while (start < levels)
        {
            int end = start + size - 1;
            if (end + size >= levels)
            {
                end = levels - 1;
            }

            for (int v = start; v <= end; v++)
            {
                map[v] = (byte)bucket;
            }

            bucket++;
            start = end + 1;
            size *= 2;
        }

        return map;
    }

    private static byte[] BuildU2L(int bpc)
    {
        int mask = (1 << bpc) - 1;
        var table = new byte[256];
        for (int s = 0; s <= mask; s++)
        {
            table[s] = (byte)(s <= mask >> 1 ? s << 1 : ((mask - s) << 1) + 1);
        }

        return table;
    }

    private struct State
    {
        public int WaitCnt;
        public uint Seed;
        public uint WmTrigger;
        public int WmIdx;
        public int WmiLeft;
        public int MelcState;
        public int MelcLen;
        public int MelcOrder;
    }

    private sealed class Group(int count)
    {
        public readonly int Count = count;
        public State State;
        public int Width;
        public byte[][] Cur = new byte[count][];
        public byte[][] Prev = new byte[count][];
        public uint[] CurKey = [];
        public uint[] PrevKey = [];

        // Corr[c][0] is correlate_row[-1]; Corr[c][i + 1] is correlate_row[i].
        public byte[][] Corr = new byte[count][];
        public uint[][] Counters = new uint[count][];
        public byte[][] BestCode = new byte[count][];

        public void Reset(int width, int bpc)
        {
            if (Width < width || Cur[0] is null)
            {
                for (int c = 0; c < Count; c++)
                {
                    Cur[c] = new byte[width];
                    Prev[c] = new byte[width];
                    Corr[c] = new byte[width + 1];
                    Counters[c] = new uint[8 * 8];
                    BestCode[c] = new byte[8];
                }

                CurKey = new uint[width];
                PrevKey = new uint[width];
            }

            Width = width;
            for (int c = 0; c < Count; c++)
            {
                Array.Clear(Counters[c]);
                BestCode[c].AsSpan().Fill((byte)(bpc - 1));
            }

            ResetState();
        }

        public void ResetState()
        {
            State = new State
            {
                WaitCnt = 0,
                Seed = 0xFF,
                WmIdx = 0,
                WmiLeft = QuicTables.WaitMaskNext,
                WmTrigger = QuicTables.WmTrigger[0],
                MelcState = 0,
                MelcLen = QuicTables.MelcodeJ[0],
                MelcOrder = 1 << QuicTables.MelcodeJ[0],
            };
        }

        public void Swap()
        {
            (Cur, Prev) = (Prev, Cur);
            (CurKey, PrevKey) = (PrevKey, CurKey);
        }

        public void StartRow(bool first)
        {
            for (int c = 0; c < Count; c++)
            {
                Corr[c][0] = first ? (byte)0 : Corr[c][1];
            }
        }
    }
}
