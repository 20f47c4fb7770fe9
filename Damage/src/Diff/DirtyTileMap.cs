using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Codecs.Pixels;

namespace Damage;

/// <summary>
/// The result of one diff: which tiles of a <see cref="TileSize"/>-pixel grid changed, and for each changed tile the
/// exact bounding box of its changed pixels.
/// </summary>
/// <remarks>
/// Tiles are numbered row-major from the top-left; the last column and row may be narrower or shorter when the frame
/// size is not a multiple of the tile size. A map is reused frame after frame (<see cref="Reset"/> keeps the arrays).
/// </remarks>
public sealed class DirtyTileMap
{
    // One bit per tile, _wordsPerRow ulongs per tile row; bit c of a row is tile column c.
    private ulong[] _dirty = [];

    // Per tile: exact changed-pixel bounds relative to the tile origin, valid only where the dirty bit is set.
    private TileBounds[] _bounds = [];
    private int _wordsPerRow;
    private int _shift;

    public DirtyTileMap(int width, int height, int tileSize = DamageOptions.DefaultTileSize)
    {
        Reset(width, height, tileSize);
    }

    public int Width { get; private set; }

    public int Height { get; private set; }

    /// <summary>Tile edge in pixels: 16, 32 or 64.</summary>
    public int TileSize { get; private set; }

    /// <summary>Tile columns, <c>ceil(Width / TileSize)</c>.</summary>
    public int Columns { get; private set; }

    /// <summary>Tile rows, <c>ceil(Height / TileSize)</c>.</summary>
    public int Rows { get; private set; }

    public int DirtyTileCount { get; private set; }

    public bool IsClean => DirtyTileCount == 0;

    internal int WordsPerRow => _wordsPerRow;

    internal int Shift => _shift;

    /// <summary>Resizes (reusing the arrays where they are large enough) and marks every tile clean.</summary>
    public void Reset(int width, int height, int tileSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        if (tileSize is not (16 or 32 or 64))
        {
            throw new ArgumentOutOfRangeException(nameof(tileSize), tileSize, "Tile size must be 16, 32 or 64.");
        }

        Width = width;
        Height = height;
        TileSize = tileSize;
        _shift = BitOperations.Log2((uint)tileSize);
        Columns = (width + tileSize - 1) >> _shift;
        Rows = (height + tileSize - 1) >> _shift;
        _wordsPerRow = (Columns + 63) >> 6;
        int words = _wordsPerRow * Rows;
        int tiles = Columns * Rows;
        if (_dirty.Length < words)
        {
            _dirty = new ulong[words];
        }

        if (_bounds.Length < tiles)
        {
            _bounds = new TileBounds[tiles];
        }

        Clear();
    }

    /// <summary>Marks every tile clean.</summary>
    public void Clear()
    {
        _dirty.AsSpan(0, _wordsPerRow * Rows).Clear();
        DirtyTileCount = 0;
    }

    public bool IsDirty(int column, int row)
    {
        CheckTile(column, row);
        return (_dirty[row * _wordsPerRow + (column >> 6)] & (1UL << column)) != 0;
    }

    /// <summary>The tile's area, clipped to the frame.</summary>
    public Rect GetTileRect(int column, int row)
    {
        CheckTile(column, row);
        int x = column << _shift;
        int y = row << _shift;
        return new Rect(x, y, Math.Min(TileSize, Width - x), Math.Min(TileSize, Height - y));
    }

    /// <summary>The exact bounds of the changed pixels of a tile in frame coordinates; empty when the tile is clean.</summary>
    public Rect GetDirtyBounds(int column, int row)
    {
        if (!IsDirty(column, row))
        {
            return default;
        }

        TileBounds b = _bounds[row * Columns + column];
        return Rect.FromEdges((column << _shift) + b.Left, (row << _shift) + b.Top, (column << _shift) + b.Right, (row << _shift) + b.Bottom);
    }

    /// <summary>Sum of the areas of every dirty tile's exact bounds.</summary>
    public long GetDirtyBoundsArea()
    {
        long area = 0;
        for (int row = 0; row < Rows; row++)
        {
            ReadOnlySpan<ulong> words = RowWords(row);
            for (int w = 0; w < words.Length; w++)
            {
                ulong bits = words[w];
                while (bits != 0)
                {
                    int column = (w << 6) + BitOperations.TrailingZeroCount(bits);
                    bits &= bits - 1;
                    area += _bounds[row * Columns + column].Area;
                }
            }
        }

        return area;
    }

    /// <summary>
    /// Copies the pixels inside every dirty tile's bounds from <paramref name="source"/> to <paramref name="destination"/>
    /// (both of this map's size): after a diff, this brings the previous frame up to date at the cost of the changed
    /// bytes only.
    /// </summary>
    public void CopyDirtyPixels(ReadOnlyImageView source, ImageView destination)
    {
        if (source.Width != Width || source.Height != Height || destination.Width != Width || destination.Height != Height || source.Format != destination.Format)
        {
            throw new ArgumentException($"Views must be {Width}x{Height} in one format.", nameof(source));
        }

        int bpp = source.BytesPerPixel;
        ref byte from = ref MemoryMarshal.GetReference(source.Data);
        ref byte to = ref MemoryMarshal.GetReference(destination.Data);
        foreach ((int column, int row) in this)
        {
            TileBounds b = _bounds[row * Columns + column];
            int x = (column << _shift) + b.Left;
            int top = (row << _shift) + b.Top;
            int bottom = (row << _shift) + b.Bottom;
            uint bytes = (uint)(b.Right - b.Left) * (uint)bpp;
            for (int y = top; y < bottom; y++)
            {
                Unsafe.CopyBlockUnaligned(
                    ref Unsafe.Add(ref to, (nint)y * destination.Stride + x * bpp),
                    ref Unsafe.Add(ref from, (nint)y * source.Stride + x * bpp),
                    bytes);
            }
        }
    }

    /// <summary>Enumerates the dirty tiles row by row, left to right.</summary>
    public DirtyTileEnumerator GetEnumerator() => new(this);

    /// <summary>Copies the dirty tiles' state (bits and bounds) from <paramref name="other"/>, which must have the same geometry.</summary>
    public void CopyFrom(DirtyTileMap other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Reset(other.Width, other.Height, other.TileSize);
        other._dirty.AsSpan(0, _wordsPerRow * Rows).CopyTo(_dirty);
        other._bounds.AsSpan(0, Columns * Rows).CopyTo(_bounds);
        DirtyTileCount = other.DirtyTileCount;
    }

    /// <summary>Marks a tile dirty with the given frame-coordinate bounds, which must lie inside the tile (replaces earlier bounds).</summary>
    public void MarkDirty(int column, int row, Rect bounds)
    {
        Rect tile = GetTileRect(column, row);
        if (bounds.IsEmpty || !tile.Contains(bounds))
        {
            throw new ArgumentOutOfRangeException(nameof(bounds), $"{bounds} is empty or not inside tile {tile}.");
        }

        SetDirty(column, row, new TileBounds(
            (byte)(bounds.X - tile.X), (byte)(bounds.Y - tile.Y), (byte)(bounds.Right - tile.X), (byte)(bounds.Bottom - tile.Y)));
    }

    /// <summary>Marks a tile clean.</summary>
    public void MarkClean(int column, int row)
    {
        CheckTile(column, row);
        ref ulong word = ref _dirty[row * _wordsPerRow + (column >> 6)];
        if ((word & (1UL << column)) != 0)
        {
            word &= ~(1UL << column);
            DirtyTileCount--;
        }
    }

    internal Span<ulong> RowWords(int row) => _dirty.AsSpan(row * _wordsPerRow, _wordsPerRow);

    internal Span<TileBounds> RowBounds(int row) => _bounds.AsSpan(row * Columns, Columns);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void SetDirty(int column, int row, TileBounds bounds)
    {
        ref ulong word = ref _dirty[row * _wordsPerRow + (column >> 6)];
        if ((word & (1UL << column)) == 0)
        {
            word |= 1UL << column;
            DirtyTileCount++;
        }

        _bounds[row * Columns + column] = bounds;
    }

    /// <summary>Adds <paramref name="count"/> tiles a band scan set directly in <see cref="RowWords"/>.</summary>
    internal void AddDirtyCount(int count) => DirtyTileCount += count;

    private void CheckTile(int column, int row)
    {
        if ((uint)column >= (uint)Columns || (uint)row >= (uint)Rows)
        {
            ThrowTileOutOfRange(column, row);
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void ThrowTileOutOfRange(int column, int row) =>
        throw new ArgumentOutOfRangeException(nameof(column), $"Tile ({column}, {row}) is outside the {Columns}x{Rows} grid.");

    /// <summary>Enumerates the (column, row) of dirty tiles in row-major order.</summary>
    public struct DirtyTileEnumerator
    {
        private readonly DirtyTileMap _map;
        private int _row;
        private int _word;
        private ulong _bits;

        internal DirtyTileEnumerator(DirtyTileMap map)
        {
            _map = map;
            _row = 0;
            _word = -1;
            _bits = 0;
            Current = default;
        }

        public (int Column, int Row) Current { get; private set; }

        public bool MoveNext()
        {
            while (_bits == 0)
            {
                _word++;
                if (_word >= _map._wordsPerRow)
                {
                    _word = 0;
                    _row++;
                }

                if (_row >= _map.Rows || _map._wordsPerRow == 0)
                {
                    return false;
                }

                _bits = _map._dirty[_row * _map._wordsPerRow + _word];
            }

            int column = (_word << 6) + BitOperations.TrailingZeroCount(_bits);
            _bits &= _bits - 1;
            Current = (column, _row);
            return true;
        }

        public readonly DirtyTileEnumerator GetEnumerator() => this;
    }
}

/// <summary>Changed-pixel bounds inside one tile, relative to its origin; Right and Bottom are exclusive.</summary>
internal readonly record struct TileBounds(byte Left, byte Top, byte Right, byte Bottom)
{
    public int Area => (Right - Left) * (Bottom - Top);
}
