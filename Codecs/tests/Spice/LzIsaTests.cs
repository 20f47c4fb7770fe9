using TestSupport;

namespace Codecs.Tests.Spice;

/// <summary>
/// <see cref="LzTests"/> under each ISA ceiling, so the encoder's Vector256 and Vector128 symbol gathering and
/// Vector256 match extension meet the same round trips as their scalar fallbacks.
/// </summary>
public class LzIsaTests : IsaRerunTests<LzTests>
{
    protected override int MinimumTests => 10;
}
