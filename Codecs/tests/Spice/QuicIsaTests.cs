using TestSupport;
using Xunit;

namespace Codecs.Tests.Spice;

/// <summary>
/// Runs <see cref="QuicTests"/> again in child processes with AVX-512, then AVX2, then every hardware intrinsic
/// switched off, so the encoder's scalar model update meets the same golden bits and round trips as the Vector256 one.
/// </summary>
public class QuicIsaTests
{
    public static TheoryData<IsaConfiguration> Configurations => IsaPaths.Configurations;

    [Theory]
    [MemberData(nameof(Configurations))]
    public void QuicTests_PassUnder(IsaConfiguration configuration)
    {
        Assert.SkipWhen(IsaPaths.IsChild, "already in an ISA child process");
        IsaRunResult result = IsaPaths.RunTestClass(typeof(QuicTests), configuration);
        result.AssertPassed(minimumTests: 10);
    }
}
