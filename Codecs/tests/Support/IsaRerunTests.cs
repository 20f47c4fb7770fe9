using System.Globalization;
using Xunit;

namespace TestSupport;

/// <summary>
/// Runs the test class <typeparamref name="TTests"/> again in child processes with AVX-512, then AVX2, then every
/// hardware intrinsic switched off, so each vector tier and the scalar fallback meet the same checks. A codec's ISA
/// test class derives from this and says how many tests a complete child run has, and which vector-width report (if
/// any) proves that the switch took effect.
/// </summary>
public abstract class IsaRerunTests<TTests>
{
    /// <summary>A child that ran fewer tests lost some (a discovery or filter problem), so the run fails.</summary>
    protected abstract int MinimumTests { get; }

    /// <summary>The <see cref="IsaPaths.Report"/> key under which a test of <typeparamref name="TTests"/> reports <see cref="IsaPaths.AcceleratedVectorBits"/>; null for none.</summary>
    protected virtual string? VectorBitsReport => null;

    [Theory]
    [MemberData(nameof(IsaPaths.Configurations), MemberType = typeof(IsaPaths))]
    public void PassUnder(IsaConfiguration configuration)
    {
        Assert.SkipWhen(IsaPaths.IsChild, "already in an ISA child process");
        IsaRunResult result = IsaPaths.RunTestClass(typeof(TTests), configuration);
        result.AssertPassed(MinimumTests);
        if (VectorBitsReport is string key)
        {
            Assert.True(result.Reports.TryGetValue(key, out string? reported), result.OutputTail);
            Assert.Equal(IsaPaths.ExpectedVectorBits(configuration).ToString(CultureInfo.InvariantCulture), reported);
        }
    }
}
