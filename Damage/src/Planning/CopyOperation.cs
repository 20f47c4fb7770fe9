using Codecs.Pixels;

namespace Damage;

/// <summary>
/// Copy the pixels of <see cref="Source"/> to the rectangle of the same size at (<see cref="DestinationX"/>,
/// <see cref="DestinationY"/>) — RFB CopyRect, SPICE COPY_BITS. See <see cref="FramePlan"/> for how a list of copies
/// is applied.
/// </summary>
public readonly record struct CopyOperation(Rect Source, int DestinationX, int DestinationY)
{
    public Rect Destination => new(DestinationX, DestinationY, Source.Width, Source.Height);

    /// <summary>Horizontal movement of the content (destination minus source).</summary>
    public int Dx => DestinationX - Source.X;

    /// <summary>Vertical movement of the content (destination minus source).</summary>
    public int Dy => DestinationY - Source.Y;

    public override string ToString() => $"{Source} -> +{DestinationX}+{DestinationY}";
}
