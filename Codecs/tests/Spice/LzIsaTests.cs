using TestSupport;
using Xunit;

namespace Codecs.Tests.Spice;

/// <summary>
/// Runs <see cref="LzTests"/> again in child processes with AVX-512, then AVX2, then every hardware intrinsic
/// switched off, so the encoder's Vector256 and Vector128 symbol gathering and Vector256 match extension meet the
/// same round trips as their scalar fallbacks.
/// </summary>
public class LzIsaTests
{
    public static TheoryData<IsaConfiguration> Configurations => IsaPaths.Configurations;

    [Theory]
    [MemberData(nameof(Configurations))]
    public void LzTests_PassUnder(IsaConfiguration configuration)
    {
        Assert.SkipWhen(IsaPaths.IsChild, "already in an ISA child process");
        IsaRunResult result = IsaPaths.RunTestClass(typeof(LzTests), configuration);
        result.AssertPassed(minimumTests: 10);
    }
}
