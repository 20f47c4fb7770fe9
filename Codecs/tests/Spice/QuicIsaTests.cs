using TestSupport;

namespace Codecs.Tests.Spice;

/// <summary>
/// <see cref="QuicTests"/> under each ISA ceiling, so the encoder's scalar model update meets the same golden bits and
/// round trips as the Vector256 one.
/// </summary>
public class QuicIsaTests : IsaRerunTests<QuicTests>
{
    protected override int MinimumTests => 10;
}
