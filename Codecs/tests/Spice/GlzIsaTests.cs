using TestSupport;
using Xunit;

namespace Codecs.Tests.Spice;

/// <summary>
/// Runs <see cref="GlzTests"/> again in child processes with AVX-512, then AVX2, then every hardware intrinsic
/// switched off, so the encoder's Vector256 symbol gathering and match extension meet the same round trips as their
/// scalar fallbacks.
/// </summary>
public class GlzIsaTests
{
    public static TheoryData<IsaConfiguration> Configurations => IsaPaths.Configurations;

    [Theory]
    [MemberData(nameof(Configurations))]
    public void GlzTests_PassUnder(IsaConfiguration configuration)
    {
        Assert.SkipWhen(IsaPaths.IsChild, "already in an ISA child process");
        IsaRunResult result = IsaPaths.RunTestClass(typeof(GlzTests), configuration);
        result.AssertPassed(minimumTests: 5);
    }
}
