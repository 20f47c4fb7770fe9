using Damage.Tests.Support;
using Xunit;

namespace Damage.Tests;

/// <summary>
/// Re-runs the SIMD-dependent test classes in child processes with 512-bit kernels requested, and with AVX-512, AVX2 or
/// all hardware intrinsics switched off, so that every tier runs through the library's own dispatch.
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
    [InlineData("Vector512")]
    [InlineData("NoAvx512")]
    [InlineData("NoAvx2")]
    [InlineData("NoHWIntrinsic")]
    public void LoweredIsa_AllTestsPass(string configuration)
    {
        IsaPaths.ChildRun run = IsaPaths.RunAndAssert(IsaPaths.Get(configuration), s_classes, TimeSpan.FromMinutes(10));
        Assert.NotNull(run.ReportedIsa);
    }
}
