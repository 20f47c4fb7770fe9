namespace Codecs.Rfb.Encoders;

/// <summary>
/// Greedy cover of the non-background pixels of a block by single-colour rectangles (RRE and Hextile): each uncovered
/// pixel starts a run to the right, which then grows down while whole rows of it match; a vertical-first candidate is
/// also tried and the larger one is kept.
/// </summary>
internal sealed class SubrectFinder
{
    private bool[] _covered = [];
    private int[] _rects = new int[5 * 256];

    public int Count { get; private set; }

    /// <summary>Subrect <paramref name="i"/>: x, y, width, height, colour.</summary>
    public (int X, int Y, int Width, int Height, uint Colour) this[int i] =>
        (_rects[5 * i], _rects[5 * i + 1], _rects[5 * i + 2], _rects[5 * i + 3], (uint)_rects[5 * i + 4]);

    /// <summary>Covers the block; false (stopping early) when more than <paramref name="maxCount"/> subrects would be needed.</summary>
    public bool Find(ReadOnlySpan<uint> values, int stride, int width, int height, uint background, int maxCount)
    {
        Count = 0;
        int area = width * height;
        if (_covered.Length < area)
        {
            _covered = new bool[Math.Max(area, 256)];
        }

        Span<bool> covered = _covered.AsSpan(0, area);
        covered.Clear();
        for (int y = 0; y < height; y++)
        {
            ReadOnlySpan<uint> row = values.Slice(y * stride, width);
            for (int x = 0; x < width; x++)
            {
                uint c = row[x];
                if (c == background || covered[y * width + x])
                {
                    continue;
                }

                // Horizontal first: widest run, then as many rows as match.
                int w = 1;
                while (x + w < width && row[x + w] == c && !covered[y * width + x + w])
                {
                    w++;
                }

                int h = 1;
                while (y + h < height && RowMatches(values, stride, covered, width, x, y + h, w, c))
                {
                    h++;
                }

                // Vertical first: tallest column, then as many columns as match.
                int vh = 1;
                while (y + vh < height && values[(y + vh) * stride + x] == c && !covered[(y + vh) * width + x])
                {
                    vh++;
                }

                int vw = 1;
                while (x + vw < width && ColumnMatches(values, stride, covered, width, x + vw, y, vh, c))
                {
                    vw++;
                }

                if (vw * vh > w * h)
                {
                    w = vw;
                    h = vh;
                }

                if (Count >= maxCount)
                {
                    return false;
                }

                if (_rects.Length < 5 * (Count + 1))
                {
                    Array.Resize(ref _rects, _rects.Length * 2);
                }

                int o = 5 * Count++;
                _rects[o] = x;
                _rects[o + 1] = y;
                _rects[o + 2] = w;
                _rects[o + 3] = h;
                _rects[o + 4] = (int)c;
                for (int yy = y; yy < y + h; yy++)
                {
                    covered.Slice(yy * width + x, w).Fill(true);
                }

                x += w - 1;
            }
        }

        return true;
    }

    private static bool RowMatches(ReadOnlySpan<uint> values, int stride, ReadOnlySpan<bool> covered, int width, int x, int y, int w, uint c)
    {
        ReadOnlySpan<uint> row = values.Slice(y * stride + x, w);
        ReadOnlySpan<bool> cov = covered.Slice(y * width + x, w);
        return RfbPixelScan.IndexOfDifferent(row, c) < 0 && !cov.Contains(true);
    }

    private static bool ColumnMatches(ReadOnlySpan<uint> values, int stride, ReadOnlySpan<bool> covered, int width, int x, int y, int h, uint c)
    {
        for (int yy = y; yy < y + h; yy++)
        {
            if (values[yy * stride + x] != c || covered[yy * width + x])
            {
                return false;
            }
        }

        return true;
    }
}
