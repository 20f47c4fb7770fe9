using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Codecs.Pixels;

namespace Damage;

/// <summary>
/// Finds content that moved between two frames — a scroll inside a window, a dragged window — from the pixels alone,
/// and turns it into verified copies plus the damage they leave.
/// </summary>
/// <remarks>
/// <para>Per frame, on the dirty tiles of the diff (before the previous frame is updated):</para>
/// <list type="number">
/// <item><b>Anchors.</b> The dirty area is cut into 16×16 blocks. In each block of the <i>current</i> frame, the first
/// row whose 16 pixels are not all equal becomes an anchor: a polynomial hash of those 16 pixels and its position.
/// Anchors go into a small hash table behind a 256 Kibit filter.</item>
/// <item><b>Votes.</b> A rolling hash runs over every 16-pixel window of every row of the <i>previous</i> frame inside
/// the dirty tiles (where moved content came from: a scroll region and a window's old place both change). Windows that
/// pass the filter and match an anchor's hash and pixels vote for the offset anchor − window. An anchor matching more
/// than <see cref="MotionOptions.MaxMatchesPerAnchor"/> windows stops voting (too common: blank text, a gradient) and
/// leaves the table.</item>
/// <item><b>Verification.</b> The most voted offsets, in order, grow regions from the blocks of their voting anchors:
/// a dirty block joins when its pixels equal the previous frame's pixels shifted by the offset, exactly, and its
/// neighbours are then tried. A block belongs to one offset at most.</item>
/// <item><b>Copies.</b> Each offset's blocks become rectangles (row runs grown downwards), then each rectangle's edges
/// grow pixel by pixel (up to 15) while the shifted pixels still match, so a window not aligned to the block grid is
/// copied whole. Destinations never overlap. Copies that explain fewer than <see cref="MotionOptions.MinCopyPixels"/>
/// dirty pixels are dropped; the rest are ordered so that no copy reads what an earlier one wrote (a copy that
/// would need to, in a cycle, is dropped).</item>
/// <item><b>Residual.</b> Each dirty tile's bounds minus the copies' destinations, as a bounding box, is the damage
/// still to paint.</item>
/// </list>
/// <para>
/// Only 32-bit pixels are searched (other formats get no copies). A detector keeps its tables between frames; it is
/// not thread-safe.
/// </para>
/// </remarks>
public sealed class MotionDetector
{
    private const int BlockShift = 4;
    private const int BlockSize = 1 << BlockShift;

    // Anchor segment length in pixels; one block row.
    private const int Segment = 16;

    // h = Σ p[k]·M^(15-k) mod 2^64 over the 16 pixels; M odd, so the map is a bijection per position.
    private const ulong HashMultiplier = 0x9E3779B97F4A7C15;

    // Finaliser before taking the filter/table index from the top bits.
    private const ulong MixMultiplier = 0xD6E8FEB86659FD93;

    // 256 Kibit (32 KiB, L1-sized): at 64 Kibit ~10 000 anchors of a 4K frame set ~14 % of the bits, and every
    // false hit costs a bucket walk and a likely branch miss in the rolling pass.
    private const int FilterBits = 18;

    private const byte None = 0;
    private const byte Candidate = 1;
    private const byte Assigned = 2;
    private const byte Consumed = 3;

    private static readonly ulong s_multiplierPow15 = Power(HashMultiplier, Segment - 1);

    private readonly ulong[] _filter = new ulong[(1 << FilterBits) / 64];
    private readonly List<int> _candidates = [];
    private readonly Dictionary<long, int> _votes = [];
    private readonly List<(long Key, int Block)> _seeds = [];
    private readonly List<(long Key, int Votes)> _ranked = [];
    private readonly Dictionary<long, int> _seedStart = [];
    private readonly List<int> _seedOffsets = [];
    private int[] _seedBlocks = [];
    private readonly Stack<int> _flood = new();
    private readonly List<Found> _found = [];
    private readonly List<Rect> _pieces = [];
    private readonly List<Rect> _nextPieces = [];
    private readonly List<int> _touchedTiles = [];

    private int _blockColumns;
    private int _blockRows;
    private byte[] _blockState = [];
    private int[] _blockOffset = [];
    private int[] _blockVisit = [];
    private int _stamp;

    private ulong[] _anchorHash = new ulong[256];
    private int[] _anchorX = new int[256];
    private int[] _anchorY = new int[256];
    private int[] _anchorBlock = new int[256];
    private int[] _anchorMatches = new int[256];
    private int[] _anchorNext = new int[256];
    private int _anchorCount;
    private int[] _buckets = [];
    private int _bucketBits;

    // Filter hits of the second row of a RollRowPair, looked up after the first row's.
    private int[] _pendingX = [];
    private ulong[] _pendingHash = [];

    private MotionOptions _options;

    public MotionDetector(MotionOptions? options = null)
    {
        _options = options ?? MotionOptions.Default;
        _options.Validate();
    }

    public MotionOptions Options
    {
        get => _options;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            value.Validate();
            _options = value;
        }
    }

    /// <summary>
    /// Looks for moved content. <paramref name="previous"/> must still hold the previous frame everywhere (update it only
    /// afterwards). Fills <paramref name="copies"/> in the order to apply them and <paramref name="residual"/> with the
    /// damage left (the tiles of <paramref name="dirty"/>, shrunk or cleared where copies produce their pixels).
    /// </summary>
    public MotionResult Detect(ReadOnlyImageView previous, ReadOnlyImageView current, DirtyTileMap dirty, DirtyTileMap residual, List<CopyOperation> copies)
    {
        ArgumentNullException.ThrowIfNull(dirty);
        ArgumentNullException.ThrowIfNull(residual);
        ArgumentNullException.ThrowIfNull(copies);
        if (previous.Width != current.Width || previous.Height != current.Height || previous.Format != current.Format
            || dirty.Width != current.Width || dirty.Height != current.Height)
        {
            throw new ArgumentException("Frames and tile map differ in geometry.", nameof(previous));
        }

        copies.Clear();
        residual.CopyFrom(dirty);
        ResetBlocks(current.Width, current.Height);
        if (!_options.Enabled || current.BytesPerPixel != 4 || dirty.IsClean || dirty.GetDirtyBoundsArea() < _options.MinDirtyPixels)
        {
            return default;
        }

        var frame = FramePair.Create(previous, current);
        MarkCandidates(frame, dirty);
        BuildAnchors(frame);
        var result = new MotionResult { Searched = true, Anchors = _anchorCount };
        if (_anchorCount == 0)
        {
            return result;
        }

        Vote(frame, dirty);
        RankOffsets();
        result = result with { OffsetsTried = _ranked.Count };
        if (_ranked.Count == 0)
        {
            return result;
        }

        for (int k = 0; k < _ranked.Count; k++)
        {
            Flood(frame, k);
        }

        BuildCopies(frame);
        DropSmall(dirty);
        ExtendCopies(frame);
        SelectAndOrder(dirty, copies);
        long copied = 0;
        foreach (CopyOperation copy in copies)
        {
            copied += copy.Destination.Area;
        }

        long explained = Residual(dirty, residual, copies);
        return result with { CopiedPixels = copied, PixelsExplained = explained };
    }

    private static ulong Power(ulong value, int exponent)
    {
        ulong result = 1;
        for (int i = 0; i < exponent; i++)
        {
            result *= value;
        }

        return result;
    }

    private static long Key(int dx, int dy) => ((long)dx << 32) | (uint)dy;

    private static (int Dx, int Dy) FromKey(long key) => ((int)(key >> 32), (int)key);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Pixel(ref byte row, int x) => Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref row, x * 4));

    /// <summary>Polynomial hash of the 16 pixels starting at <paramref name="row"/>: Σ p[k]·M^(15−k).</summary>
    private static ulong HashSegment(ref byte row)
    {
        ulong h = 0;
        for (int k = 0; k < Segment; k++)
        {
            h = h * HashMultiplier + Pixel(ref row, k);
        }

        return h;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong h) => h * MixMultiplier;

    private void ResetBlocks(int width, int height)
    {
        int columns = (width + BlockSize - 1) >> BlockShift;
        int rows = (height + BlockSize - 1) >> BlockShift;
        if (columns != _blockColumns || rows != _blockRows)
        {
            _blockColumns = columns;
            _blockRows = rows;
            int blocks = columns * rows;
            if (_blockState.Length < blocks)
            {
                _blockState = new byte[blocks];
                _blockOffset = new int[blocks];
                _blockVisit = new int[blocks];
            }
            else
            {
                _blockState.AsSpan().Clear();
            }
        }
        else
        {
            foreach (int block in _candidates)
            {
                _blockState[block] = None;
            }
        }

        _candidates.Clear();
        _anchorCount = 0;
        _votes.Clear();
        _seeds.Clear();
        _ranked.Clear();
        _found.Clear();
    }

    /// <summary>Every block with a changed pixel (inside a dirty tile's exact bounds) becomes a candidate.</summary>
    private void MarkCandidates(FramePair frame, DirtyTileMap dirty)
    {
        foreach ((int column, int row) in dirty)
        {
            Rect bounds = dirty.GetDirtyBounds(column, row);
            for (int by = bounds.Y >> BlockShift; by <= (bounds.Bottom - 1) >> BlockShift; by++)
            {
                for (int bx = bounds.X >> BlockShift; bx <= (bounds.Right - 1) >> BlockShift; bx++)
                {
                    int block = by * _blockColumns + bx;
                    if (_blockState[block] == None && Changed(frame, BlockRect(bx, by, frame.Width, frame.Height).Intersect(bounds)))
                    {
                        _blockState[block] = Candidate;
                        _candidates.Add(block);
                    }
                }
            }
        }
    }

    /// <summary>Whether any pixel of <paramref name="area"/> differs between the two frames (at the same place).</summary>
    private static bool Changed(FramePair frame, Rect area)
    {
        nuint bytes = (nuint)(area.Width * 4);
        for (int y = area.Y; y < area.Bottom; y++)
        {
            if (!DiffDispatch.Equal(ref frame.Previous(area.X, y), ref frame.Current(area.X, y), bytes))
            {
                return true;
            }
        }

        return false;
    }

    private void BuildAnchors(FramePair frame)
    {
        int step = Math.Max(1, (_candidates.Count + _options.MaxAnchors - 1) / _options.MaxAnchors);
        for (int i = 0; i < _candidates.Count; i += step)
        {
            int block = _candidates[i];
            int x = (block % _blockColumns) << BlockShift;
            int top = (block / _blockColumns) << BlockShift;
            if (x + Segment > frame.Width)
            {
                continue;
            }

            int bottom = Math.Min(top + BlockSize, frame.Height);
            for (int y = top; y < bottom; y++)
            {
                ref byte segment = ref frame.Current(x, y);
                uint first = Pixel(ref segment, 0);
                bool uniform = true;
                for (int k = 1; k < Segment; k++)
                {
                    if (Pixel(ref segment, k) != first)
                    {
                        uniform = false;
                        break;
                    }
                }

                if (!uniform)
                {
                    AddAnchor(HashSegment(ref segment), x, y, block);
                    break;
                }
            }
        }

        if (_anchorCount == 0)
        {
            return;
        }

        // Chained hash table on the mixed hash's top bits, at least twice as many buckets as anchors.
        _bucketBits = Math.Max(6, 64 - BitOperations.LeadingZeroCount((ulong)_anchorCount * 2 - 1));
        int buckets = 1 << _bucketBits;
        if (_buckets.Length < buckets)
        {
            _buckets = new int[buckets];
        }

        _buckets.AsSpan(0, buckets).Fill(-1);
        _filter.AsSpan().Clear();
        for (int a = 0; a < _anchorCount; a++)
        {
            ulong mixed = Mix(_anchorHash[a]);
            int slot = (int)(mixed >> (64 - _bucketBits));
            _anchorNext[a] = _buckets[slot];
            _buckets[slot] = a;
            int bit = (int)(mixed >> (64 - FilterBits));
            _filter[bit >> 6] |= 1UL << bit;
        }
    }

    private void AddAnchor(ulong hash, int x, int y, int block)
    {
        if (_anchorCount == _anchorHash.Length)
        {
            int size = _anchorCount * 2;
            Array.Resize(ref _anchorHash, size);
            Array.Resize(ref _anchorX, size);
            Array.Resize(ref _anchorY, size);
            Array.Resize(ref _anchorBlock, size);
            Array.Resize(ref _anchorMatches, size);
            Array.Resize(ref _anchorNext, size);
        }

        int a = _anchorCount++;
        _anchorHash[a] = hash;
        _anchorX[a] = x;
        _anchorY[a] = y;
        _anchorBlock[a] = block;
        _anchorMatches[a] = 0;
    }

    /// <summary>Rolls the hash over the previous frame inside runs of dirty tiles, voting for offsets at anchor matches.</summary>
    private void Vote(FramePair frame, DirtyTileMap dirty)
    {
        int shift = dirty.Shift;
        for (int row = 0; row < dirty.Rows; row++)
        {
            ReadOnlySpan<ulong> words = dirty.RowWords(row);
            int top = row << shift;
            int bottom = Math.Min(top + dirty.TileSize, frame.Height);
            int column = TileBits.NextDirty(words, 0, dirty.Columns);
            while (column < dirty.Columns)
            {
                int end = TileBits.NextClean(words, column, dirty.Columns);

                // Windows starting inside the run; the last ones reach up to 15 pixels into the next tile.
                int left = column << shift;
                int right = Math.Min((end << shift) + Segment - 1, frame.Width);
                if (right - left >= Segment)
                {
                    int y = top;
                    for (; y + 1 < bottom; y += 2)
                    {
                        RollRowPair(frame, y, left, right);
                    }

                    if (y < bottom)
                    {
                        RollRow(frame, y, left, right);
                    }
                }

                column = TileBits.NextDirty(words, end, dirty.Columns);
            }
        }
    }

    /// <summary>
    /// Rolling hash over the windows [x, x + 16) for x in [left, right − 16] of the previous frame's row y.
    /// Scalar equivalent: <c>for x: if (Filter(Hash(prev[y][x..x+16]))) Lookup(...)</c>.
    /// </summary>
    private void RollRow(FramePair frame, int y, int left, int right)
    {
        ref byte row = ref frame.Previous(0, y);
        ulong h = HashSegment(ref Unsafe.Add(ref row, left * 4));
        int last = right - Segment;
        ulong[] filter = _filter;
        for (int x = left; ; x++)
        {
            ulong mixed = Mix(h);
            int bit = (int)(mixed >> (64 - FilterBits));
            if ((filter[bit >> 6] & (1UL << bit)) != 0)
            {
                Lookup(frame, h, mixed, x, y);
            }

            if (x == last)
            {
                break;
            }

            // Drop p[x]·M^15, shift by one power, add p[x + 16].
            h = (h - Pixel(ref row, x) * s_multiplierPow15) * HashMultiplier + Pixel(ref row, x + Segment);
        }
    }

    /// <summary>
    /// <see cref="RollRow"/> over rows y and y + 1 at once: the two rows' multiply chains are independent, so they
    /// overlap in the pipeline. Row y's filter hits are looked up at once; row y + 1's are kept and looked up after
    /// row y is done, so anchors see their matches in exactly the order of two single-row passes (the per-anchor match
    /// limit makes that order matter).
    /// </summary>
    private void RollRowPair(FramePair frame, int y, int left, int right)
    {
        ref byte upper = ref frame.Previous(0, y);
        ref byte lower = ref frame.Previous(0, y + 1);
        ulong hUpper = HashSegment(ref Unsafe.Add(ref upper, left * 4));
        ulong hLower = HashSegment(ref Unsafe.Add(ref lower, left * 4));
        int last = right - Segment;
        if (_pendingX.Length < last - left + 1)
        {
            _pendingX = new int[frame.Width];
            _pendingHash = new ulong[frame.Width];
        }

        int pending = 0;
        ulong[] filter = _filter;
        int[] pendingX = _pendingX;
        ulong[] pendingHash = _pendingHash;
        for (int x = left; ; x++)
        {
            ulong mixedUpper = Mix(hUpper);
            int bitUpper = (int)(mixedUpper >> (64 - FilterBits));
            if ((filter[bitUpper >> 6] & (1UL << bitUpper)) != 0)
            {
                Lookup(frame, hUpper, mixedUpper, x, y);
            }

            int bitLower = (int)(Mix(hLower) >> (64 - FilterBits));
            if ((filter[bitLower >> 6] & (1UL << bitLower)) != 0)
            {
                pendingX[pending] = x;
                pendingHash[pending++] = hLower;
            }

            if (x == last)
            {
                break;
            }

            hUpper = (hUpper - Pixel(ref upper, x) * s_multiplierPow15) * HashMultiplier + Pixel(ref upper, x + Segment);
            hLower = (hLower - Pixel(ref lower, x) * s_multiplierPow15) * HashMultiplier + Pixel(ref lower, x + Segment);
        }

        for (int i = 0; i < pending; i++)
        {
            Lookup(frame, pendingHash[i], Mix(pendingHash[i]), pendingX[i], y + 1);
        }
    }

    private void Lookup(FramePair frame, ulong h, ulong mixed, int x, int y)
    {
        int slot = (int)(mixed >> (64 - _bucketBits));
        int previous = -1;
        for (int a = _buckets[slot]; a >= 0; a = _anchorNext[a])
        {
            if (_anchorHash[a] != h)
            {
                previous = a;
                continue;
            }

            int dx = _anchorX[a] - x;
            int dy = _anchorY[a] - y;
            if ((dx | dy) == 0
                || !DiffDispatch.Equal(ref frame.Previous(x, y), ref frame.Current(_anchorX[a], _anchorY[a]), Segment * 4))
            {
                previous = a;
                continue;
            }

            long key = Key(dx, dy);
            CollectionsMarshal.GetValueRefOrAddDefault(_votes, key, out _)++;
            _seeds.Add((key, _anchorBlock[a]));
            if (++_anchorMatches[a] < _options.MaxMatchesPerAnchor)
            {
                previous = a;
                continue;
            }

            // The anchor has voted all it may: unlink it so later windows of common content (blank text, repeated
            // glyph rows) no longer walk past it, and clear its filter bit once no anchor left in the bucket has it.
            if (previous < 0)
            {
                _buckets[slot] = _anchorNext[a];
            }
            else
            {
                _anchorNext[previous] = _anchorNext[a];
            }

            ClearFilterBitIfUnused(slot, mixed);
        }
    }

    /// <summary>Clears the filter bit of <paramref name="mixed"/> when no anchor still in the table maps to it.</summary>
    private void ClearFilterBitIfUnused(int slot, ulong mixed)
    {
        // With more buckets than filter bits, one bit covers several buckets; keep it then (the filter only prunes).
        if (_bucketBits > FilterBits)
        {
            return;
        }

        int bit = (int)(mixed >> (64 - FilterBits));
        for (int a = _buckets[slot]; a >= 0; a = _anchorNext[a])
        {
            if ((int)(Mix(_anchorHash[a]) >> (64 - FilterBits)) == bit)
            {
                return;
            }
        }

        _filter[bit >> 6] &= ~(1UL << bit);
    }

    /// <summary>Offsets with enough votes, most voted first (ties by offset, for determinism).</summary>
    private void RankOffsets()
    {
        foreach ((long key, int votes) in _votes)
        {
            if (votes >= _options.MinVotes)
            {
                _ranked.Add((key, votes));
            }
        }

        _ranked.Sort(static (a, b) => a.Votes != b.Votes ? b.Votes.CompareTo(a.Votes) : a.Key.CompareTo(b.Key));
        if (_ranked.Count > _options.MaxCandidateOffsets)
        {
            _ranked.RemoveRange(_options.MaxCandidateOffsets, _ranked.Count - _options.MaxCandidateOffsets);
        }

        // Keep only the seeds of the chosen offsets, grouped by offset (a stable pass; no sort of every match).
        _seedStart.Clear();
        for (int k = 0; k < _ranked.Count; k++)
        {
            _seedStart[_ranked[k].Key] = k;
        }

        Span<int> counts = stackalloc int[_ranked.Count + 1];
        foreach ((long key, int _) in _seeds)
        {
            if (_seedStart.TryGetValue(key, out int k))
            {
                counts[k + 1]++;
            }
        }

        for (int k = 1; k <= _ranked.Count; k++)
        {
            counts[k] += counts[k - 1];
        }

        _seedOffsets.Clear();
        _seedOffsets.AddRange(counts);
        if (_seedBlocks.Length < counts[_ranked.Count])
        {
            _seedBlocks = new int[counts[_ranked.Count]];
        }

        foreach ((long key, int block) in _seeds)
        {
            if (_seedStart.TryGetValue(key, out int k))
            {
                _seedBlocks[counts[k]++] = block;
            }
        }
    }

    /// <summary>Grows offset <paramref name="k"/>'s region from its anchors' blocks through candidate blocks that verify.</summary>
    private void Flood(FramePair frame, int k)
    {
        (long key, _) = _ranked[k];
        (int dx, int dy) = FromKey(key);
        if (++_stamp == int.MaxValue)
        {
            _blockVisit.AsSpan().Clear();
            _stamp = 1;
        }

        for (int i = _seedOffsets[k]; i < _seedOffsets[k + 1]; i++)
        {
            _flood.Push(_seedBlocks[i]);
        }

        while (_flood.TryPop(out int block))
        {
            if (_blockState[block] != Candidate || _blockVisit[block] == _stamp)
            {
                continue;
            }

            _blockVisit[block] = _stamp;
            int bx = block % _blockColumns;
            int by = block / _blockColumns;
            Rect destination = BlockRect(bx, by, frame.Width, frame.Height);
            if (!Matches(frame, destination, dx, dy))
            {
                continue;
            }

            _blockState[block] = Assigned;
            _blockOffset[block] = k;
            if (bx > 0)
            {
                _flood.Push(block - 1);
            }

            if (bx + 1 < _blockColumns)
            {
                _flood.Push(block + 1);
            }

            if (by > 0)
            {
                _flood.Push(block - _blockColumns);
            }

            if (by + 1 < _blockRows)
            {
                _flood.Push(block + _blockColumns);
            }
        }
    }

    private static Rect BlockRect(int bx, int by, int width, int height)
    {
        int x = bx << BlockShift;
        int y = by << BlockShift;
        return new Rect(x, y, Math.Min(BlockSize, width - x), Math.Min(BlockSize, height - y));
    }

    /// <summary>Whether current[destination] equals previous[destination − (dx, dy)] pixel for pixel (false if the source leaves the frame).</summary>
    private static bool Matches(FramePair frame, Rect destination, int dx, int dy)
    {
        int sx = destination.X - dx;
        int sy = destination.Y - dy;
        if (sx < 0 || sy < 0 || sx + destination.Width > frame.Width || sy + destination.Height > frame.Height)
        {
            return false;
        }

        nuint bytes = (nuint)(destination.Width * 4);
        for (int r = 0; r < destination.Height; r++)
        {
            if (!DiffDispatch.Equal(ref frame.Previous(sx, sy + r), ref frame.Current(destination.X, destination.Y + r), bytes))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Each offset's assigned blocks as rectangles: a row run grown down while the next row's run is usable. Unchanged
    /// blocks that also match the offset bridge gaps (blank lines between paragraphs, a window's flat interior), but a
    /// rectangle never starts or ends with them: they explain nothing.
    /// </summary>
    private void BuildCopies(FramePair frame)
    {
        int width = _blockColumns;
        for (int k = 0; k < _ranked.Count; k++)
        {
            (int dx, int dy) = FromKey(_ranked[k].Key);
            if (++_stamp == int.MaxValue)
            {
                _blockVisit.AsSpan().Clear();
                _stamp = 1;
            }

            for (int by = 0; by < _blockRows; by++)
            {
                for (int bx = 0; bx < width; bx++)
                {
                    int block = by * width + bx;
                    if (_blockState[block] != Assigned || _blockOffset[block] != k)
                    {
                        continue;
                    }

                    int right = bx + 1;
                    int usefulRight = right;
                    while (right < width && Usable(frame, by * width + right, k, dx, dy))
                    {
                        right++;
                        if (_blockState[by * width + right - 1] == Assigned)
                        {
                            usefulRight = right;
                        }
                    }

                    right = usefulRight;
                    int bottom = by + 1;
                    int usefulBottom = bottom;
                    while (bottom < _blockRows && RowUsable(frame, bottom, bx, right, k, dx, dy, out bool useful))
                    {
                        bottom++;
                        if (useful)
                        {
                            usefulBottom = bottom;
                        }
                    }

                    bottom = usefulBottom;
                    for (int y = by; y < bottom; y++)
                    {
                        for (int x = bx; x < right; x++)
                        {
                            int b = y * width + x;
                            if (_blockState[b] == None)
                            {
                                _candidates.Add(b);
                            }

                            _blockState[b] = Consumed;
                        }
                    }

                    _found.Add(new Found(Rect.FromEdges(bx << BlockShift, by << BlockShift, right << BlockShift, bottom << BlockShift), dx, dy));
                    bx = right - 1;
                }
            }
        }
    }

    /// <summary>A block of offset k, or an unchanged block whose pixels also match offset k (verified once per offset).</summary>
    private bool Usable(FramePair frame, int block, int k, int dx, int dy)
    {
        byte state = _blockState[block];
        if (state == Assigned)
        {
            return _blockOffset[block] == k;
        }

        if (state != None)
        {
            return false;
        }

        // _blockVisit caches this offset's verdict for unchanged blocks: +stamp matched, -stamp did not.
        int visit = _blockVisit[block];
        if (visit == _stamp || visit == -_stamp)
        {
            return visit > 0;
        }

        bool matches = Matches(frame, BlockRect(block % _blockColumns, block / _blockColumns, frame.Width, frame.Height), dx, dy);
        _blockVisit[block] = matches ? _stamp : -_stamp;
        return matches;
    }

    private bool RowUsable(FramePair frame, int by, int left, int right, int k, int dx, int dy, out bool useful)
    {
        useful = false;
        for (int bx = left; bx < right; bx++)
        {
            int block = by * _blockColumns + bx;
            if (!Usable(frame, block, k, dx, dy))
            {
                return false;
            }

            useful |= _blockState[block] == Assigned;
        }

        return true;
    }

    /// <summary>Drops block rectangles explaining fewer than MinCopyPixels dirty pixels before they can block others' growth.</summary>
    private void DropSmall(DirtyTileMap dirty)
    {
        var bounds = new Rect(0, 0, dirty.Width, dirty.Height);
        int minimum = Math.Max(1, _options.MinCopyPixels);
        _found.RemoveAll(f => ExplainedPixels(dirty, f.Destination.Intersect(bounds)) < minimum);
    }

    /// <summary>
    /// Clips the block rectangles to the frame, then, largest first, grows each edge by single rows/columns that still
    /// match. A copy may grow over a smaller copy of the same offset (the pixels agree); the smaller one is then cut
    /// back to the largest rectangle of what is left of it.
    /// </summary>
    private void ExtendCopies(FramePair frame)
    {
        var bounds = new Rect(0, 0, frame.Width, frame.Height);
        for (int i = 0; i < _found.Count; i++)
        {
            _found[i] = _found[i] with { Destination = _found[i].Destination.Intersect(bounds) };
        }

        _found.Sort(static (a, b) => a.Destination.Area != b.Destination.Area ? b.Destination.Area.CompareTo(a.Destination.Area) : a.Destination.Y != b.Destination.Y ? a.Destination.Y.CompareTo(b.Destination.Y) : a.Destination.X.CompareTo(b.Destination.X));
        for (int i = 0; i < _found.Count; i++)
        {
            Found found = _found[i];
            Rect d = found.Destination;
            if (d.IsEmpty)
            {
                continue;
            }

            for (int side = 0; side < 4; side++)
            {
                // Grow over matching strips, but keep only up to the last strip with a changed pixel: unchanged pixels
                // gain nothing and would widen the copy past its content.
                Rect useful = d;
                for (int n = 0; n < BlockSize - 1; n++)
                {
                    (Rect grown, Rect strip) = side switch
                    {
                        0 => (new Rect(d.X, d.Y - 1, d.Width, d.Height + 1), new Rect(d.X, d.Y - 1, d.Width, 1)),
                        1 => (new Rect(d.X, d.Y, d.Width, d.Height + 1), new Rect(d.X, d.Bottom, d.Width, 1)),
                        2 => (new Rect(d.X - 1, d.Y, d.Width + 1, d.Height), new Rect(d.X - 1, d.Y, 1, d.Height)),
                        _ => (new Rect(d.X, d.Y, d.Width + 1, d.Height), new Rect(d.Right, d.Y, 1, d.Height)),
                    };
                    if (!bounds.Contains(grown) || Blocked(grown, i) || !Matches(frame, strip, found.Dx, found.Dy))
                    {
                        break;
                    }

                    d = grown;
                    if (Changed(frame, strip))
                    {
                        useful = d;
                    }
                }

                d = useful;
            }

            _found[i] = found with { Destination = d };

            // Cut smaller copies of the same offset back to what this one does not cover.
            for (int j = i + 1; j < _found.Count; j++)
            {
                Found other = _found[j];
                if (other.Dx == found.Dx && other.Dy == found.Dy && other.Destination.Intersects(d))
                {
                    _pieces.Clear();
                    _pieces.Add(other.Destination);
                    Subtract(d);
                    Rect largest = default;
                    foreach (Rect piece in _pieces)
                    {
                        if (piece.Area > largest.Area)
                        {
                            largest = piece;
                        }
                    }

                    _found[j] = other with { Destination = largest };
                }
            }
        }

        _found.RemoveAll(static f => f.Destination.IsEmpty);
    }

    /// <summary>Whether copy <paramref name="self"/> may not grow to <paramref name="destination"/>: it would meet a larger copy, or a smaller one of another offset.</summary>
    private bool Blocked(Rect destination, int self)
    {
        Found found = _found[self];
        for (int j = 0; j < _found.Count; j++)
        {
            if (j == self || !_found[j].Destination.Intersects(destination))
            {
                continue;
            }

            if (j < self || _found[j].Dx != found.Dx || _found[j].Dy != found.Dy)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Keeps the copies that explain enough dirty pixels (at most MaxCopies, largest first) and orders them so that a
    /// copy comes before every copy whose destination meets its source; copies on a cycle are dropped, smallest first.
    /// </summary>
    private void SelectAndOrder(DirtyTileMap dirty, List<CopyOperation> copies)
    {
        for (int i = 0; i < _found.Count; i++)
        {
            _found[i] = _found[i] with { Explained = ExplainedPixels(dirty, _found[i].Destination) };
        }

        _found.RemoveAll(f => f.Explained < _options.MinCopyPixels || f.Explained == 0);
        _found.Sort(static (a, b) => a.Explained != b.Explained ? b.Explained.CompareTo(a.Explained) : a.Destination.Y != b.Destination.Y ? a.Destination.Y.CompareTo(b.Destination.Y) : a.Destination.X.CompareTo(b.Destination.X));
        if (_found.Count > _options.MaxCopies)
        {
            _found.RemoveRange(_options.MaxCopies, _found.Count - _options.MaxCopies);
        }

        // Kahn's algorithm on "i must precede j when source(i) meets destination(j)"; n ≤ MaxCopies.
        int n = _found.Count;
        Span<bool> done = n <= 256 ? stackalloc bool[n] : new bool[n];
        Span<bool> dropped = n <= 256 ? stackalloc bool[n] : new bool[n];
        for (int emitted = 0; emitted < n;)
        {
            int next = -1;
            for (int j = 0; j < n && next < 0; j++)
            {
                if (done[j] || dropped[j])
                {
                    continue;
                }

                bool ready = true;
                for (int i = 0; i < n; i++)
                {
                    if (i != j && !done[i] && !dropped[i] && _found[i].Source.Intersects(_found[j].Destination))
                    {
                        // i still has to read from where j writes.
                        ready = false;
                        break;
                    }
                }

                if (ready)
                {
                    next = j;
                }
            }

            if (next >= 0)
            {
                done[next] = true;
                Found f = _found[next];
                copies.Add(new CopyOperation(f.Source, f.Destination.X, f.Destination.Y));
                emitted++;
                continue;
            }

            // A cycle: drop the pending copy explaining the least (the list is sorted largest first).
            for (int j = n - 1; j >= 0; j--)
            {
                if (!done[j] && !dropped[j])
                {
                    dropped[j] = true;
                    emitted++;
                    break;
                }
            }
        }
    }

    private static long ExplainedPixels(DirtyTileMap dirty, Rect destination)
    {
        long area = 0;
        int shift = dirty.Shift;
        for (int row = destination.Y >> shift; row <= (destination.Bottom - 1) >> shift; row++)
        {
            for (int column = destination.X >> shift; column <= (destination.Right - 1) >> shift; column++)
            {
                area += dirty.GetDirtyBounds(column, row).Intersect(destination).Area;
            }
        }

        return area;
    }

    /// <summary>Shrinks each dirty tile the copies touch to the bounding box of what they leave; returns the pixels saved.</summary>
    private long Residual(DirtyTileMap dirty, DirtyTileMap residual, List<CopyOperation> copies)
    {
        int shift = dirty.Shift;
        _touchedTiles.Clear();
        foreach (CopyOperation copy in copies)
        {
            Rect d = copy.Destination;
            for (int row = d.Y >> shift; row <= (d.Bottom - 1) >> shift; row++)
            {
                for (int column = d.X >> shift; column <= (d.Right - 1) >> shift; column++)
                {
                    if (dirty.IsDirty(column, row))
                    {
                        _touchedTiles.Add(row * dirty.Columns + column);
                    }
                }
            }
        }

        _touchedTiles.Sort();
        long saved = 0;
        int previousTile = -1;
        foreach (int tile in _touchedTiles)
        {
            if (tile == previousTile)
            {
                continue;
            }

            previousTile = tile;
            int column = tile % dirty.Columns;
            int row = tile / dirty.Columns;
            Rect bounds = dirty.GetDirtyBounds(column, row);
            _pieces.Clear();
            _pieces.Add(bounds);
            foreach (CopyOperation copy in copies)
            {
                Subtract(copy.Destination);
            }

            Rect left = default;
            foreach (Rect piece in _pieces)
            {
                left = left.Union(piece);
            }

            if (left.IsEmpty)
            {
                residual.MarkClean(column, row);
            }
            else
            {
                residual.MarkDirty(column, row, left);
            }

            saved += bounds.Area - left.Area;
        }

        return saved;
    }

    /// <summary>Replaces <see cref="_pieces"/> with their parts outside <paramref name="cut"/> (up to four per piece).</summary>
    private void Subtract(Rect cut)
    {
        _nextPieces.Clear();
        foreach (Rect p in _pieces)
        {
            if (!p.Intersects(cut))
            {
                _nextPieces.Add(p);
                continue;
            }

            if (cut.Y > p.Y)
            {
                _nextPieces.Add(Rect.FromEdges(p.X, p.Y, p.Right, cut.Y));
            }

            if (cut.Bottom < p.Bottom)
            {
                _nextPieces.Add(Rect.FromEdges(p.X, cut.Bottom, p.Right, p.Bottom));
            }

            int top = Math.Max(p.Y, cut.Y);
            int bottom = Math.Min(p.Bottom, cut.Bottom);
            if (cut.X > p.X)
            {
                _nextPieces.Add(Rect.FromEdges(p.X, top, cut.X, bottom));
            }

            if (cut.Right < p.Right)
            {
                _nextPieces.Add(Rect.FromEdges(cut.Right, top, p.Right, bottom));
            }
        }

        _pieces.Clear();
        _pieces.AddRange(_nextPieces);
    }

    private readonly record struct Found(Rect Destination, int Dx, int Dy, long Explained = 0)
    {
        public Rect Source => Destination.Offset(-Dx, -Dy);
    }
}

/// <summary>What one <see cref="MotionDetector.Detect"/> call did.</summary>
public readonly record struct MotionResult
{
    /// <summary>False when the frame had too little damage (or motion search is off) and nothing was searched.</summary>
    public bool Searched { get; init; }

    public int Anchors { get; init; }

    /// <summary>Offsets that had enough votes to be verified.</summary>
    public int OffsetsTried { get; init; }

    /// <summary>Area of the emitted copies' destinations.</summary>
    public long CopiedPixels { get; init; }

    /// <summary>Dirty pixels removed from the residual damage by the copies.</summary>
    public long PixelsExplained { get; init; }
}
