using TestSupport;

namespace Codecs.Tests.Spice;

/// <summary>
/// <see cref="GlzTests"/> under each ISA ceiling, so the encoder's Vector256 symbol gathering and match extension meet
/// the same round trips as their scalar fallbacks.
/// </summary>
public class GlzIsaTests : IsaRerunTests<GlzTests>
{
    protected override int MinimumTests => 5;
}
