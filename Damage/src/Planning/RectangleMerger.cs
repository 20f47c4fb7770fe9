using System.Numerics;
using Codecs.Pixels;

namespace Damage;

/// <summary>
/// Turns a <see cref="DirtyTileMap"/> into the non-overlapping rectangles an encoder sends, trading per-rectangle
/// overhead against overdraw (unchanged pixels sent) with a <see cref="RectCostModel"/>, and never returning more than
/// <see cref="RectCostModel.MaxRectangles"/>.
/// </summary>
/// <remarks>
/// <para>Three greedy passes, each keeping the rectangles disjoint:</para>
/// <list type="number">
/// <item>Row runs: inside each band of tiles, left to right, a tile's exact bounds join the run to its left when the
/// bounding box costs no more than the two apart (adjacent full tiles always do: no overdraw).</item>
/// <item>Columns: each run joins the rectangle that grew in the last band with damage (the "open" ones) whose bounding
/// box with it saves the most, if it saves anything and the grown box meets no other rectangle (placed, or still to
/// place in this band).</item>
/// <item>Bound: if more than <c>MaxRectangles</c> remain, fall back to one box per band and merge the neighbouring
/// pair that adds the least overdraw until the bound holds.</item>
/// </list>
/// <para>A merger keeps scratch lists between frames; it is not thread-safe.</para>
/// </remarks>
public sealed class RectangleMerger
{
    private readonly List<Rect> _runs = [];
    private readonly List<int> _open = [];
    private readonly List<int> _nextOpen = [];
    private readonly List<Rect> _bandBoxes = [];
    private RectCostModel _costModel;

    public RectangleMerger(RectCostModel costModel)
    {
        CostModel = costModel;
    }

    public RectCostModel CostModel
    {
        get => _costModel;
        set
        {
            value.Validate();
            _costModel = value;
        }
    }

    /// <summary>
    /// Replaces the contents of <paramref name="output"/> with rectangles that cover every tile's dirty bounds, do not
    /// overlap, and number at most <see cref="RectCostModel.MaxRectangles"/>. Returns the pixels they cover.
    /// </summary>
    public long Merge(DirtyTileMap map, List<Rect> output)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(output);
        output.Clear();
        _open.Clear();
        _bandBoxes.Clear();
        if (map.IsClean)
        {
            return 0;
        }

        double overhead = _costModel.OverheadBytes;
        double perPixel = _costModel.BytesPerPixel;

        // Beyond this many rectangles the column pass stops (its overlap test is linear) and the bound pass takes over.
        int columnPassLimit = Math.Max(4 * _costModel.MaxRectangles, 256);
        bool columnPass = true;

        for (int row = 0; row < map.Rows; row++)
        {
            BuildRuns(map, row, overhead, perPixel);
            if (_runs.Count == 0)
            {
                // Rectangles above stay open: growing across an empty band is overdraw the cost model may accept.
                continue;
            }

            Rect box = _runs[0];
            foreach (Rect run in _runs)
            {
                box = box.Union(run);
            }

            _bandBoxes.Add(box);
            if (!columnPass)
            {
                continue;
            }

            _nextOpen.Clear();
            for (int r = 0; r < _runs.Count; r++)
            {
                Rect run = _runs[r];
                int best = -1;
                double bestSaving = -1;
                Rect bestBox = default;
                foreach (int index in _open)
                {
                    Rect above = output[index];
                    Rect grown = above.Union(run);
                    double saving = overhead - (grown.Area - above.Area - run.Area) * perPixel;
                    if (saving >= 0 && saving > bestSaving && !Overlaps(grown, output, index, r))
                    {
                        best = index;
                        bestSaving = saving;
                        bestBox = grown;
                    }
                }

                if (best >= 0)
                {
                    output[best] = bestBox;
                    if (!_nextOpen.Contains(best))
                    {
                        _nextOpen.Add(best);
                    }
                }
                else
                {
                    _nextOpen.Add(output.Count);
                    output.Add(run);
                }
            }

            _open.Clear();
            _open.AddRange(_nextOpen);
            if (output.Count > columnPassLimit)
            {
                columnPass = false;
            }
        }

        if (!columnPass || output.Count > _costModel.MaxRectangles)
        {
            CoalesceBands(output);
        }

        long pixels = 0;
        foreach (Rect rect in output)
        {
            pixels += rect.Area;
        }

        return pixels;
    }

    /// <summary>Fills <see cref="_runs"/> with the band's tiles merged left to right by the cost model.</summary>
    private void BuildRuns(DirtyTileMap map, int row, double overhead, double perPixel)
    {
        _runs.Clear();
        Rect run = default;
        ReadOnlySpan<ulong> words = map.RowWords(row);
        for (int w = 0; w < words.Length; w++)
        {
            ulong bits = words[w];
            while (bits != 0)
            {
                int column = (w << 6) + BitOperations.TrailingZeroCount(bits);
                bits &= bits - 1;
                Rect tile = map.GetDirtyBounds(column, row);
                if (run.IsEmpty)
                {
                    run = tile;
                    continue;
                }

                Rect grown = run.Union(tile);
                if ((grown.Area - run.Area - tile.Area) * perPixel <= overhead)
                {
                    run = grown;
                }
                else
                {
                    _runs.Add(run);
                    run = tile;
                }
            }
        }

        if (!run.IsEmpty)
        {
            _runs.Add(run);
        }
    }

    /// <summary>Whether <paramref name="box"/> meets a placed rectangle other than <paramref name="self"/> or a run of this band other than <paramref name="run"/>.</summary>
    private bool Overlaps(Rect box, List<Rect> output, int self, int run)
    {
        for (int i = 0; i < output.Count; i++)
        {
            if (i != self && output[i].Intersects(box))
            {
                return true;
            }
        }

        for (int i = run + 1; i < _runs.Count; i++)
        {
            if (_runs[i].Intersects(box))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>One box per band, then the neighbouring pair adding the least overdraw merges until the bound holds.</summary>
    private void CoalesceBands(List<Rect> output)
    {
        output.Clear();
        output.AddRange(_bandBoxes);
        int max = _costModel.MaxRectangles;
        while (output.Count > max)
        {
            int best = 0;
            long bestExtra = long.MaxValue;
            for (int i = 0; i + 1 < output.Count; i++)
            {
                long extra = output[i].Union(output[i + 1]).Area - output[i].Area - output[i + 1].Area;
                if (extra < bestExtra)
                {
                    bestExtra = extra;
                    best = i;
                }
            }

            output[best] = output[best].Union(output[best + 1]);
            output.RemoveAt(best + 1);
        }
    }
}
