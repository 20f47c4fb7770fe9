namespace Damage;

/// <summary>How a <see cref="DamageTracker"/> finds and reports changes.</summary>
public sealed record DamageOptions
{
    /// <summary>The default tile edge; see docs/damage.md for the measurements behind it.</summary>
    public const int DefaultTileSize = 32;

    /// <summary>Tile edge in pixels for the dirty-tile map: 16, 32 or 64.</summary>
    public int TileSize { get; init; } = DefaultTileSize;

    /// <summary>The protocol's costs, used to merge dirty tiles into rectangles.</summary>
    public RectCostModel CostModel { get; init; } = RectCostModel.Rfb;

    /// <summary>Scroll and move detection; <see cref="MotionOptions.Enabled"/> false skips it.</summary>
    public MotionOptions Motion { get; init; } = MotionOptions.Default;

    public static DamageOptions Default { get; } = new();

    internal void Validate()
    {
        if (TileSize is not (16 or 32 or 64))
        {
            throw new ArgumentOutOfRangeException(nameof(TileSize), TileSize, "Tile size must be 16, 32 or 64.");
        }

        CostModel.Validate();
        ArgumentNullException.ThrowIfNull(Motion);
        Motion.Validate();
    }
}
