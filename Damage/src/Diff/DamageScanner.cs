using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Codecs.Pixels;

namespace Damage;

/// <summary>The instruction tier the damage kernels run with.</summary>
public enum DamageIsa
{
    /// <summary>8 bytes at a time through <see cref="ulong"/> (<c>DOTNET_EnableHWIntrinsic=0</c>).</summary>
    Scalar,

    /// <summary>16-byte vectors (SSE2/AdvSimd; <c>DOTNET_EnableAVX2=0</c>).</summary>
    Vector128,

    /// <summary>32-byte vectors (AVX2; <c>DOTNET_EnableAVX512=0</c>).</summary>
    Vector256,

    /// <summary>64-byte vectors (AVX-512).</summary>
    Vector512,
}

/// <summary>
/// Compares two frames of the same geometry and fills a <see cref="DirtyTileMap"/>: which tiles changed and the exact
/// bounds of the change inside each. Runs at memory speed on unchanged areas.
/// </summary>
/// <remarks>
/// <para>
/// The scan walks one band of <c>TileSize</c> rows at a time, each row once, in address order. Clean tiles are compared
/// as long runs (a whole row at once while nothing differs, which is what makes the no-change case as fast as
/// <c>memcmp</c>); the first difference in a run marks its tile dirty and records that row as the tile's top, and the
/// search for differences resumes at the next tile (early exit: a dirty tile is never searched again). From then on
/// the dirty tile's row segments are only XOR-ed and OR-ed into a per-tile accumulator (no branches on the data, no
/// short compares; a run of dirty tiles is one call, since the accumulators lie side by side like the pixels), which at
/// the end of the band gives the first and last changed byte column; the bottom is found by a short upward search from
/// the last row in which the tile's run differed. Reading every byte once and in address order keeps the hardware
/// prefetchers streaming: an earlier version that revisited each dirty tile's rows after the band (strided, tile by
/// tile) ran at 0.66–0.73× memcmp on a 1080p frame with 5.7 % of its pixels in dirty bounds, this one at 0.90×.
/// </para>
/// <para>
/// Kernels: Vector512, Vector256, Vector128 or scalar, chosen once at start-up (<see cref="ActiveIsa"/>: the widest the
/// runtime accelerates, 512-bit only on request; the <c>DOTNET_EnableAVX512=0</c>, <c>DOTNET_EnableAVX2=0</c> and
/// <c>DOTNET_EnableHWIntrinsic=0</c> switches lower it). Any bytes per pixel work; bounds are in pixels.
/// </para>
/// </remarks>
public static class DamageScanner
{
    /// <summary>The widest kernel tier the runtime accelerates (the <c>DOTNET_Enable*</c> switches lower it).</summary>
    public static DamageIsa AcceleratedIsa { get; } =
        Vector512.IsHardwareAccelerated ? DamageIsa.Vector512 :
        Vector256.IsHardwareAccelerated ? DamageIsa.Vector256 :
        Vector128.IsHardwareAccelerated ? DamageIsa.Vector128 :
        DamageIsa.Scalar;

    /// <summary>
    /// The tier every scan uses: <see cref="AcceleratedIsa"/>, except that 512-bit kernels are used only when the
    /// environment variable <c>DAMAGE_VECTOR512=1</c> asks for them. On the AMD EPYC (Zen 4) this was measured on, the
    /// 256-bit kernels compare two 1080p frames faster: 0.97× memcmp from memory against 0.81× for 512-bit, and 0.90×
    /// against 0.85× from L3 (glibc's memcmp also uses 256-bit EVEX there); see docs/damage.md.
    /// </summary>
    public static DamageIsa ActiveIsa { get; } =
        AcceleratedIsa == DamageIsa.Vector512 && !DiffDispatch.UseVector512 ? DamageIsa.Vector256 : AcceleratedIsa;

    /// <summary>Compares every pixel of the two frames. Returns the bytes of each frame that were read.</summary>
    public static long Scan(ReadOnlyImageView previous, ReadOnlyImageView current, DirtyTileMap result)
    {
        Rect all = current.Bounds;
        return Scan(previous, current, result, new ReadOnlySpan<Rect>(in all), ActiveIsa);
    }

    /// <summary>
    /// Compares only the pixels inside <paramref name="areas"/> (damage hints; nothing outside them may differ).
    /// An empty list scans nothing. Returns the bytes of each frame that were read.
    /// </summary>
    public static long Scan(ReadOnlyImageView previous, ReadOnlyImageView current, DirtyTileMap result, ReadOnlySpan<Rect> areas) =>
        Scan(previous, current, result, areas, ActiveIsa);

    /// <summary>
    /// As <see cref="Scan(ReadOnlyImageView, ReadOnlyImageView, DirtyTileMap, ReadOnlySpan{Rect})"/>, and also copies
    /// every changed pixel of <paramref name="current"/> into <paramref name="previous"/> while the band is in cache, so
    /// that afterwards <paramref name="previous"/> equals <paramref name="current"/> inside the scanned areas. The copy
    /// costs only the changed bytes (each dirty tile's exact bounds), never a full frame.
    /// </summary>
    public static long ScanAndUpdate(ImageView previous, ReadOnlyImageView current, DirtyTileMap result, ReadOnlySpan<Rect> areas) =>
        Scan(previous, current, result, areas, ActiveIsa, update: true);

    /// <summary>Full-frame <see cref="ScanAndUpdate(ImageView, ReadOnlyImageView, DirtyTileMap, ReadOnlySpan{Rect})"/>.</summary>
    public static long ScanAndUpdate(ImageView previous, ReadOnlyImageView current, DirtyTileMap result)
    {
        Rect all = current.Bounds;
        return Scan(previous, current, result, new ReadOnlySpan<Rect>(in all), ActiveIsa, update: true);
    }

    /// <summary>The scan with an explicit kernel tier (tests, benchmarks); <paramref name="isa"/> must not exceed <see cref="AcceleratedIsa"/>.</summary>
    internal static long Scan(ReadOnlyImageView previous, ReadOnlyImageView current, DirtyTileMap result, ReadOnlySpan<Rect> areas, DamageIsa isa, bool update = false)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (previous.Width != current.Width || previous.Height != current.Height || previous.Format != current.Format)
        {
            throw new ArgumentException($"Frames differ in geometry: {previous.Width}x{previous.Height} {previous.Format} vs {current.Width}x{current.Height} {current.Format}.", nameof(previous));
        }

        if (isa > AcceleratedIsa)
        {
            throw new ArgumentOutOfRangeException(nameof(isa), isa, $"The runtime accelerates only up to {AcceleratedIsa}.");
        }

        if (result.Width != current.Width || result.Height != current.Height)
        {
            result.Reset(current.Width, current.Height, result.TileSize);
        }
        else
        {
            result.Clear();
        }

        if (current.Width == 0 || current.Height == 0 || areas.IsEmpty)
        {
            return 0;
        }

        var frame = FramePair.Create(previous, current, update);

        return isa switch
        {
            DamageIsa.Vector512 => ScanFrame<Vector512DiffKernel>(frame, result, areas),
            DamageIsa.Vector256 => ScanFrame<Vector256DiffKernel>(frame, result, areas),
            DamageIsa.Vector128 => ScanFrame<Vector128DiffKernel>(frame, result, areas),
            _ => ScanFrame<ScalarDiffKernel>(frame, result, areas),
        };
    }

    /// <summary>Index of the first differing byte of two equally long spans, or their length when equal (active kernel).</summary>
    public static int FirstDifference(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException("Spans differ in length.", nameof(b));
        }

        return (int)DiffDispatch.FirstDifference(ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(b), (nuint)a.Length);
    }

    /// <summary>Index of the last differing byte of two equally long spans, or -1 when equal (active kernel).</summary>
    public static int LastDifference(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException("Spans differ in length.", nameof(b));
        }

        return (int)DiffDispatch.LastDifference(ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(b), (nuint)a.Length);
    }

    private static long ScanFrame<TKernel>(FramePair frame, DirtyTileMap map, ReadOnlySpan<Rect> areas)
        where TKernel : struct, IDiffKernel
    {
        // Per band: the areas' x-intervals packed as (start << 32 | end), sorted and merged.
        long[]? rentedIntervals = null;
        Span<long> intervals = areas.Length <= 64 ? stackalloc long[64] : (rentedIntervals = ArrayPool<long>.Shared.Rent(areas.Length));

        // Per tile column: the OR of every dirty row's XOR (which byte columns changed); plus one zeroed tile row to
        // compare the accumulators with.
        int tileBytes = map.TileSize * frame.BytesPerPixel;
        byte[] accumulators = ArrayPool<byte>.Shared.Rent((map.Columns + 1) * tileBytes);
        int[] lastRows = ArrayPool<int>.Shared.Rent(map.Columns);
        accumulators.AsSpan(map.Columns * tileBytes, tileBytes).Clear();
        var scratch = new BandScratch(accumulators, lastRows, tileBytes, map.Columns);
        try
        {
            long scanned = 0;
            int tile = map.TileSize;
            for (int row = 0; row < map.Rows; row++)
            {
                int bandTop = row * tile;
                int bandBottom = Math.Min(bandTop + tile, frame.Height);
                int count = BandIntervals(areas, bandTop, bandBottom, frame.Width, intervals, out int yTop, out int yBottom);
                if (count == 0)
                {
                    continue;
                }

                scanned += ScanBand<TKernel>(frame, map, row, intervals[..count], yTop, yBottom, scratch);
            }

            return scanned;
        }
        finally
        {
            if (rentedIntervals is not null)
            {
                ArrayPool<long>.Shared.Return(rentedIntervals);
            }

            ArrayPool<byte>.Shared.Return(accumulators);
            ArrayPool<int>.Shared.Return(lastRows);
        }
    }

    /// <summary>
    /// The x-intervals of <paramref name="areas"/> that meet rows [bandTop, bandBottom), clipped to the frame, sorted and
    /// merged, and the rows they span inside the band.
    /// </summary>
    private static int BandIntervals(ReadOnlySpan<Rect> areas, int bandTop, int bandBottom, int width, Span<long> intervals, out int yTop, out int yBottom)
    {
        int count = 0;
        yTop = bandBottom;
        yBottom = bandTop;
        foreach (Rect area in areas)
        {
            int top = Math.Max(area.Y, bandTop);
            int bottom = Math.Min(area.Bottom, bandBottom);
            int left = Math.Max(area.X, 0);
            int right = Math.Min(area.Right, width);
            if (top >= bottom || left >= right)
            {
                continue;
            }

            yTop = Math.Min(yTop, top);
            yBottom = Math.Max(yBottom, bottom);
            intervals[count++] = ((long)left << 32) | (uint)right;
        }

        if (count <= 1)
        {
            return count;
        }

        intervals[..count].Sort();
        int merged = 0;
        for (int i = 1; i < count; i++)
        {
            int start = (int)(intervals[i] >> 32);
            int end = (int)(uint)intervals[i];
            int mergedEnd = (int)(uint)intervals[merged];
            if (start <= mergedEnd)
            {
                if (end > mergedEnd)
                {
                    intervals[merged] = (intervals[merged] & ~0xFFFF_FFFFL) | (uint)end;
                }
            }
            else
            {
                intervals[++merged] = intervals[i];
            }
        }

        return merged + 1;
    }

    private static long ScanBand<TKernel>(FramePair frame, DirtyTileMap map, int row, ReadOnlySpan<long> intervals, int yTop, int yBottom, BandScratch scratch)
        where TKernel : struct, IDiffKernel
    {
        int shift = map.Shift;
        int columns = map.Columns;
        int bpp = frame.BytesPerPixel;
        int bandTop = row << shift;
        Span<ulong> words = map.RowWords(row);
        Span<TileBounds> bounds = map.RowBounds(row);
        long scanned = 0;
        int found = 0;

        int y = yTop;
        nint rowBytes = (nint)frame.Width * bpp;
        bool wholeWidth = intervals.Length == 1 && intervals[0] == (uint)frame.Width; // the interval [0, Width)
        if (wholeWidth && frame.PreviousStride == rowBytes && frame.CurrentStride == rowBytes)
        {
            // Whole rows without padding in both frames: until the first difference the band is one contiguous range,
            // so it is one kernel call (no per-row bookkeeping; on an unchanged 1080p frame 34 calls instead of 1080).
            // The row holding the first difference is then scanned again from its start by the per-row loop below.
            nuint length = (nuint)((yBottom - yTop) * rowBytes);
            nuint offset = TKernel.FirstDifference(ref frame.PreviousRow(yTop), ref frame.CurrentRow(yTop), length);
            if (offset == length)
            {
                return (long)length;
            }

            int equalRows = (int)(offset / (nuint)rowBytes);
            scanned += equalRows * rowBytes;
            y += equalRows;
        }

        // One pass over the rows. Clean tiles are compared as long runs until a first difference marks a tile dirty;
        // from then on the tile's row segments are XOR-OR-accumulated (phase 2 folded into the same sequential sweep,
        // so each byte of the band is read once and in address order, which the prefetchers follow).
        for (; y < yBottom; y++)
        {
            ref byte previousRow = ref frame.PreviousRow(y);
            ref byte currentRow = ref frame.CurrentRow(y);
            foreach (long interval in intervals)
            {
                int x = (int)(interval >> 32);
                int end = (int)(uint)interval;
                while (x < end)
                {
                    int column = x >> shift;
                    if ((words[column >> 6] & (1UL << column)) != 0)
                    {
                        // A run of dirty tiles: their accumulators lie side by side like their pixels, so the whole
                        // run is one call.
                        int dirtyEnd = TileBits.NextClean(words, column, columns);
                        scanned += Accumulate<TKernel>(ref previousRow, ref currentRow, column, dirtyEnd, y, frame, shift, scratch);
                        x = dirtyEnd << shift;
                        continue;
                    }

                    int runEnd = Math.Min(end, TileBits.NextDirty(words, column + 1, columns) << shift);
                    nuint length = (nuint)((runEnd - x) * bpp);
                    nuint offset = TKernel.FirstDifference(
                        ref Unsafe.Add(ref previousRow, x * bpp), ref Unsafe.Add(ref currentRow, x * bpp), length);
                    scanned += (long)length;
                    if (offset == length)
                    {
                        x = runEnd;
                        continue;
                    }

                    // First difference of a tile: its top row. Start its accumulator with this whole tile row.
                    int dirty = (x + (int)offset / bpp) >> shift;
                    words[dirty >> 6] |= 1UL << dirty;
                    bounds[dirty] = new TileBounds(0, (byte)(y - bandTop), 0, 0);
                    scratch.Accumulator(dirty).Clear();
                    found++;
                    scanned += Accumulate<TKernel>(ref previousRow, ref currentRow, dirty, dirty + 1, y, frame, shift, scratch);
                    x = (dirty + 1) << shift;
                }
            }
        }

        if (found == 0)
        {
            return scanned;
        }

        map.AddDirtyCount(found);

        // Bounds from the accumulators (first/last non-zero byte column). The bottom is the first row, searched upwards
        // from the last row in which the tile's run differed, that differs within those columns: usually that very row
        // (a text line changes all its tiles in the same rows), else a few rows re-read from L2.
        ref byte zeros = ref MemoryMarshal.GetReference(scratch.Zeros);
        for (int w = 0; w < words.Length; w++)
        {
            ulong bits = words[w];
            while (bits != 0)
            {
                int column = (w << 6) + BitOperations.TrailingZeroCount(bits);
                bits &= bits - 1;
                int tileLeft = column << shift;
                nuint tileBytes = (nuint)((Math.Min(tileLeft + map.TileSize, frame.Width) - tileLeft) * bpp);
                ref byte accumulator = ref MemoryMarshal.GetReference(scratch.Accumulator(column));
                int left = (int)TKernel.FirstDifference(ref accumulator, ref zeros, tileBytes) / bpp;
                int right = (int)TKernel.LastDifference(ref accumulator, ref zeros, tileBytes) / bpp + 1;
                int top = bandTop + bounds[column].Top;
                int bottom = top;
                nuint changedBytes = (nuint)((right - left) * bpp);
                for (int candidate = scratch.LastRows[column]; candidate > top; candidate--)
                {
                    scanned += (long)changedBytes;
                    if (TKernel.FirstDifference(ref frame.Previous(tileLeft + left, candidate), ref frame.Current(tileLeft + left, candidate), changedBytes) != changedBytes)
                    {
                        bottom = candidate;
                        break;
                    }
                }

                bounds[column] = new TileBounds((byte)left, (byte)(top - bandTop), (byte)right, (byte)(bottom + 1 - bandTop));

                if (frame.Update)
                {
                    // Fold the previous-frame update into the scan: the band was just read and is still in L2.
                    for (int changedRow = top; changedRow <= bottom; changedRow++)
                    {
                        Unsafe.CopyBlockUnaligned(ref frame.Previous(tileLeft + left, changedRow), ref frame.Current(tileLeft + left, changedRow), (uint)changedBytes);
                    }
                }
            }
        }

        return scanned;
    }

    /// <summary>ORs this row's XOR over tiles [<paramref name="first"/>, <paramref name="end"/>) into their accumulators (one call: they are contiguous).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long Accumulate<TKernel>(ref byte previousRow, ref byte currentRow, int first, int end, int y, FramePair frame, int shift, BandScratch scratch)
        where TKernel : struct, IDiffKernel
    {
        int left = first << shift;
        int bpp = frame.BytesPerPixel;
        nuint length = (nuint)((Math.Min(end << shift, frame.Width) - left) * bpp);
        if (TKernel.AccumulateDifferences(
            ref Unsafe.Add(ref previousRow, left * bpp), ref Unsafe.Add(ref currentRow, left * bpp),
            ref MemoryMarshal.GetReference(scratch.Accumulator(first)), length))
        {
            // Every tile of the run may have changed in this row; the bottom search starts from here.
            scratch.LastRows.Slice(first, end - first).Fill(y);
        }

        return (long)length;
    }

    /// <summary>
    /// Per-scan scratch: one tile row of accumulator bytes per tile column (side by side), a zero row, and per column the
    /// last row in which its run of dirty tiles differed (an upper bound of its bottom).
    /// </summary>
    private readonly struct BandScratch(byte[] accumulators, int[] lastRows, int tileBytes, int columns)
    {
        public Span<int> LastRows => lastRows.AsSpan(0, columns);

        public ReadOnlySpan<byte> Zeros => accumulators.AsSpan(columns * tileBytes, tileBytes);

        public Span<byte> Accumulator(int column) => accumulators.AsSpan(column * tileBytes, tileBytes);
    }

}

/// <summary>Calls the kernel of <see cref="DamageScanner.ActiveIsa"/>; the JIT folds the tier checks to one direct call.</summary>
internal static class DiffDispatch
{
    /// <summary>512-bit kernels only on request (<c>DAMAGE_VECTOR512=1</c>); see <see cref="DamageScanner.ActiveIsa"/>.</summary>
    public static readonly bool UseVector512 =
        Vector512.IsHardwareAccelerated && Environment.GetEnvironmentVariable("DAMAGE_VECTOR512") == "1";

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nuint FirstDifference(ref byte a, ref byte b, nuint length)
    {
        if (Vector512.IsHardwareAccelerated && UseVector512)
        {
            return Vector512DiffKernel.FirstDifference(ref a, ref b, length);
        }

        if (Vector256.IsHardwareAccelerated)
        {
            return Vector256DiffKernel.FirstDifference(ref a, ref b, length);
        }

        if (Vector128.IsHardwareAccelerated)
        {
            return Vector128DiffKernel.FirstDifference(ref a, ref b, length);
        }

        return ScalarDiffKernel.FirstDifference(ref a, ref b, length);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nint LastDifference(ref byte a, ref byte b, nuint length)
    {
        if (Vector512.IsHardwareAccelerated && UseVector512)
        {
            return Vector512DiffKernel.LastDifference(ref a, ref b, length);
        }

        if (Vector256.IsHardwareAccelerated)
        {
            return Vector256DiffKernel.LastDifference(ref a, ref b, length);
        }

        if (Vector128.IsHardwareAccelerated)
        {
            return Vector128DiffKernel.LastDifference(ref a, ref b, length);
        }

        return ScalarDiffKernel.LastDifference(ref a, ref b, length);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Equal(ref byte a, ref byte b, nuint length) => FirstDifference(ref a, ref b, length) == length;
}
