using Damage.Tests.Support;
using Xunit;

namespace Damage.Tests;

/// <summary>
/// Re-runs the SIMD-dependent test classes in child processes with AVX-512, AVX2 or all hardware intrinsics
/// switched off, so that the Vector256, Vector128 and scalar paths run through the runtime's own dispatch.
/// </summary>
public sealed class IsaPathTests
{
    private static readonly Type[] s_classes =
    [
        typeof(DiffKernelTests),
        typeof(DamageScannerTests),
        typeof(MotionTests),
        typeof(DamageTrackerTests),
    ];

    [Theory]
    [InlineData("NoAvx512")]
    [InlineData("NoAvx2")]
    [InlineData("NoHWIntrinsic")]
    public void LoweredIsa_AllTestsPass(string configuration)
    {
        IsaPaths.ChildRun run = IsaPaths.RunAndAssert(IsaPaths.Get(configuration), s_classes, TimeSpan.FromMinutes(10));
        Assert.NotNull(run.ReportedIsa);
    }
}
