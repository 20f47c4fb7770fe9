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
/// The scan walks one band of <c>TileSize</c> rows at a time. Phase 1 compares each row of the band as long runs of
/// still-clean tiles (a whole row at once while nothing differs, which is what makes the no-change case as fast as
/// <c>memcmp</c>); the first difference in a run marks its tile dirty, records that row as the tile's top, and the
/// search resumes at the next tile — tiles already dirty are skipped for the rest of the band (early exit). Phase 2
/// finds the rest of each dirty tile's bounds while the band is still in cache: the bottom row by scanning up from the
/// tile's last row, then left and right by scanning only the columns outside the bounds found so far.
/// </para>
/// <para>
/// Kernels: Vector512, Vector256, Vector128 or scalar, the widest the runtime accelerates (<see cref="ActiveIsa"/>;
/// the <c>DOTNET_EnableAVX512=0</c>, <c>DOTNET_EnableAVX2=0</c> and <c>DOTNET_EnableHWIntrinsic=0</c> switches lower
/// it). Any bytes per pixel work; bounds are in pixels.
/// </para>
/// </remarks>
public static class DamageScanner
{
    /// <summary>The widest kernel the runtime accelerates, which every scan uses.</summary>
    public static DamageIsa ActiveIsa { get; } =
        Vector512.IsHardwareAccelerated ? DamageIsa.Vector512 :
        Vector256.IsHardwareAccelerated ? DamageIsa.Vector256 :
        Vector128.IsHardwareAccelerated ? DamageIsa.Vector128 :
        DamageIsa.Scalar;

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

    /// <summary>The scan with an explicit kernel tier (tests); <paramref name="isa"/> must not exceed <see cref="ActiveIsa"/>.</summary>
    internal static long Scan(ReadOnlyImageView previous, ReadOnlyImageView current, DirtyTileMap result, ReadOnlySpan<Rect> areas, DamageIsa isa, bool update = false)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (previous.Width != current.Width || previous.Height != current.Height || previous.Format != current.Format)
        {
            throw new ArgumentException($"Frames differ in geometry: {previous.Width}x{previous.Height} {previous.Format} vs {current.Width}x{current.Height} {current.Format}.", nameof(previous));
        }

        if (isa > ActiveIsa)
        {
            throw new ArgumentOutOfRangeException(nameof(isa), isa, $"The runtime accelerates only up to {ActiveIsa}.");
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
        long[]? rented = null;
        Span<long> intervals = areas.Length <= 64 ? stackalloc long[64] : (rented = ArrayPool<long>.Shared.Rent(areas.Length));
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

                scanned += ScanBand<TKernel>(frame, map, row, intervals[..count], yTop, yBottom);
            }

            return scanned;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<long>.Shared.Return(rented);
            }
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

    private static long ScanBand<TKernel>(FramePair frame, DirtyTileMap map, int row, ReadOnlySpan<long> intervals, int yTop, int yBottom)
        where TKernel : struct, IDiffKernel
    {
        int shift = map.Shift;
        int columns = map.Columns;
        int bpp = frame.BytesPerPixel;
        int bandTop = row << shift;
        int bandBottom = Math.Min(bandTop + map.TileSize, frame.Height);
        Span<ulong> words = map.RowWords(row);
        Span<TileBounds> bounds = map.RowBounds(row);
        long scanned = 0;
        int found = 0;

        // Phase 1: rows top to bottom, each interval as runs of clean tiles.
        for (int y = yTop; y < yBottom; y++)
        {
            ref byte previousRow = ref frame.PreviousRow(y);
            ref byte currentRow = ref frame.CurrentRow(y);
            foreach (long interval in intervals)
            {
                int x = (int)(interval >> 32);
                int end = (int)(uint)interval;
                while (x < end)
                {
                    int column = TileBits.NextClean(words, x >> shift, columns);
                    int start = Math.Max(x, column << shift);
                    if (start >= end)
                    {
                        break;
                    }

                    int runEnd = Math.Min(end, TileBits.NextDirty(words, column + 1, columns) << shift);
                    nuint length = (nuint)((runEnd - start) * bpp);
                    nuint offset = TKernel.FirstDifference(
                        ref Unsafe.Add(ref previousRow, start * bpp), ref Unsafe.Add(ref currentRow, start * bpp), length);
                    scanned += (long)length;
                    if (offset == length)
                    {
                        x = runEnd;
                        continue;
                    }

                    int pixel = start + (int)offset / bpp;
                    int dirty = pixel >> shift;
                    int left = pixel - (dirty << shift);
                    words[dirty >> 6] |= 1UL << dirty;
                    bounds[dirty] = new TileBounds((byte)left, (byte)(y - bandTop), (byte)(left + 1), (byte)(y - bandTop + 1));
                    found++;
                    x = (dirty + 1) << shift;
                }
            }
        }

        if (found == 0)
        {
            return scanned;
        }

        map.AddDirtyCount(found);

        // Phase 2: complete each new tile's bounds (every dirty bit of this band was set by phase 1).
        for (int w = 0; w < words.Length; w++)
        {
            ulong bits = words[w];
            while (bits != 0)
            {
                int column = (w << 6) + BitOperations.TrailingZeroCount(bits);
                bits &= bits - 1;
                scanned += CompleteTile<TKernel>(frame, column << shift, Math.Min((column + 1) << shift, frame.Width), bandTop, bandBottom, ref bounds[column]);
            }
        }

        return scanned;
    }

    /// <summary>
    /// Given a tile's first differing row and a differing pixel in it, finds the tile's exact bounds, and copies them
    /// into the previous frame when updating. Returns the bytes compared.
    /// </summary>
    private static long CompleteTile<TKernel>(FramePair frame, int tileLeft, int tileRight, int tileTop, int tileBottom, ref TileBounds tileBounds)
        where TKernel : struct, IDiffKernel
    {
        int bpp = frame.BytesPerPixel;
        int top = tileTop + tileBounds.Top;
        int left = tileLeft + tileBounds.Left;
        int right = left + 1;
        int bottom = top;
        nuint tileBytes = (nuint)((tileRight - tileLeft) * bpp);
        long scanned = 0;

        // Bottom: the last differing row, searched upwards from the tile's last row.
        for (int y = tileBottom - 1; y > top; y--)
        {
            scanned += (long)tileBytes;
            if (TKernel.FirstDifference(ref frame.Previous(tileLeft, y), ref frame.Current(tileLeft, y), tileBytes) != tileBytes)
            {
                bottom = y;
                break;
            }
        }

        // Left and right: only the columns outside the bounds so far, row by row, until they reach the tile's edges.
        for (int y = top; y <= bottom && (left > tileLeft || right < tileRight); y++)
        {
            if (left > tileLeft)
            {
                nuint length = (nuint)((left - tileLeft) * bpp);
                scanned += (long)length;
                nuint first = TKernel.FirstDifference(ref frame.Previous(tileLeft, y), ref frame.Current(tileLeft, y), length);
                if (first != length)
                {
                    left = tileLeft + (int)first / bpp;
                }
            }

            if (right < tileRight)
            {
                nuint length = (nuint)((tileRight - right) * bpp);
                scanned += (long)length;
                nint last = TKernel.LastDifference(ref frame.Previous(right, y), ref frame.Current(right, y), length);
                if (last >= 0)
                {
                    right += (int)last / bpp + 1;
                }
            }
        }

        tileBounds = new TileBounds((byte)(left - tileLeft), (byte)(top - tileTop), (byte)(right - tileLeft), (byte)(bottom + 1 - tileTop));

        if (frame.Update)
        {
            // Fold the previous-frame update into the scan: the changed bytes are in L1/L2 right now.
            int bytes = (right - left) * bpp;
            for (int y = top; y <= bottom; y++)
            {
                Unsafe.CopyBlockUnaligned(ref frame.Previous(left, y), ref frame.Current(left, y), (uint)bytes);
            }
        }

        return scanned;
    }
}

/// <summary>Calls the widest accelerated kernel; the JIT folds the tier checks to one direct call.</summary>
internal static class DiffDispatch
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static nuint FirstDifference(ref byte a, ref byte b, nuint length)
    {
        if (Vector512.IsHardwareAccelerated)
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
        if (Vector512.IsHardwareAccelerated)
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
