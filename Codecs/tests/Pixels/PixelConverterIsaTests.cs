using Codecs.Pixels;
using TestSupport;
using Xunit;

namespace Codecs.Tests.Pixels;

/// <summary>
/// Runs <see cref="PixelConverterTests"/> again in child processes with AVX-512, then AVX2, then every hardware
/// intrinsic switched off, so the Vector256, Vector128 and scalar paths meet the same checks as the widest one.
/// </summary>
public class PixelConverterIsaTests
{
    public static TheoryData<IsaConfiguration> Configurations => IsaPaths.Configurations;

    [Theory]
    [MemberData(nameof(Configurations))]
    public void ConversionTests_PassUnder(IsaConfiguration configuration)
    {
        IsaRunResult result = IsaPaths.RunTestClasses([typeof(PixelConverterTests)], configuration);
        result.AssertPassed(minimumTests: 1000);
        AssertVectorPath(configuration, result);
    }

    /// <summary>
    /// The switch really changes the path: the child's converter reports the narrower vector width this machine
    /// should fall back to, and on a machine with AVX-512 that is narrower than what this process uses.
    /// </summary>
    [Theory]
    [MemberData(nameof(Configurations))]
    public void VectorWidth_DropsUnder(IsaConfiguration configuration)
    {
        IsaRunResult result = IsaPaths.RunTestClass(typeof(PixelConverterTests), configuration, method: nameof(PixelConverterTests.VectorBits_FollowsRuntimeAcceleration));
        result.AssertPassed(minimumTests: 1);
        AssertVectorPath(configuration, result);
    }

    private static void AssertVectorPath(IsaConfiguration configuration, IsaRunResult result)
    {
        Assert.True(result.Reports.TryGetValue("PixelConverter.VectorBits", out string? reported), $"no vector width reported\n{result.Output}");
        int expected = BitConverter.IsLittleEndian ? IsaPaths.ExpectedVectorBits(configuration) : 0;
        Assert.Equal(expected.ToString(System.Globalization.CultureInfo.InvariantCulture), reported);
        if (IsaPaths.AcceleratedVectorBits == 512)
        {
            Assert.True(int.Parse(reported!, System.Globalization.CultureInfo.InvariantCulture) < PixelConverter.VectorBits);
        }
    }
}
