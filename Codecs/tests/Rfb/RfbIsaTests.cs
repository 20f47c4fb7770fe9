using System.Globalization;
using System.Reflection;
using TestSupport;
using Xunit;

namespace Codecs.Tests.Rfb;

/// <summary>
/// Runs every RFB test class again in one child process per configuration, with AVX-512, AVX2 or all hardware
/// intrinsics switched off, so the scans, the pixel conversion behind the encoders and every decoder are exercised on
/// each vector tier (and the scalar fallback) through the library's own dispatch.
/// </summary>
public class RfbIsaTests
{
    /// <summary>
    /// Every class in this namespace with a test method, except this one: a new RFB test class is covered without
    /// being listed here.
    /// </summary>
    internal static IReadOnlyList<Type> RfbTestClasses { get; } = typeof(RfbIsaTests).Assembly.GetTypes()
        .Where(t => t.Namespace == typeof(RfbIsaTests).Namespace && t != typeof(RfbIsaTests) && t.IsClass && !t.IsAbstract)
        .Where(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
            .Any(m => m.IsDefined(typeof(FactAttribute), inherit: true)))
        .OrderBy(t => t.FullName, StringComparer.Ordinal)
        .ToArray();

    public static TheoryData<IsaConfiguration> Configurations => IsaPaths.Configurations;

    [Fact]
    public void Discovery_FindsTheKnownClasses()
    {
        Type[] known =
        [
            typeof(RfbPixelScanTests),
            typeof(RfbRoundTripTests),
            typeof(TightTests),
            typeof(TightParallelTests),
            typeof(RfbMalformedInputTests),
        ];
        Assert.All(known, t => Assert.Contains(t, RfbTestClasses));
        Assert.DoesNotContain(typeof(RfbIsaTests), RfbTestClasses);
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void AllRfbTests_PassUnder(IsaConfiguration configuration)
    {
        Assert.SkipWhen(IsaPaths.IsChild, "already in an ISA child process");
        IsaRunResult result = IsaPaths.RunTestClasses(RfbTestClasses, configuration, TimeSpan.FromMinutes(5));

        // The in-process run of the same classes has ~600 cases; a child that ran far fewer lost a class.
        result.AssertPassed(minimumTests: 550);
        Assert.True(result.Reports.TryGetValue("RfbPixelScan.VectorBits", out string? reported), result.OutputTail);
        Assert.Equal(IsaPaths.ExpectedVectorBits(configuration).ToString(CultureInfo.InvariantCulture), reported);
    }
}
