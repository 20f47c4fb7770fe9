using System.Runtime.Intrinsics.X86;
using TestSupport;
using Xunit;

namespace Damage.Tests;

/// <summary>
/// Re-runs the SIMD-dependent test classes in child processes with 512-bit kernels requested, and with AVX-512, AVX2 or
/// all hardware intrinsics switched off, so that every tier runs through the library's own dispatch. The child's
/// <see cref="IsaProbeTests"/> reports the tier it really used, and the parent checks it.
/// </summary>
public sealed class IsaPathTests
{
    private const string ActiveIsaReport = "Damage.ActiveIsa";

    private static readonly Type[] s_classes =
    [
        typeof(IsaProbeTests),
        typeof(DiffKernelTests),
        typeof(DamageScannerTests),
        typeof(MotionTests),
        typeof(DamageTrackerTests),
    ];

    /// <summary>512-bit kernels are opt-in; every run asks for them, so the runtime switch is what lowers the tier.</summary>
    private static readonly Dictionary<string, string> s_requestVector512 = new() { ["DAMAGE_VECTOR512"] = "1" };

    public static TheoryData<IsaConfiguration> Configurations =>
        new(IsaConfiguration.Default, IsaConfiguration.NoAvx512, IsaConfiguration.NoAvx2, IsaConfiguration.Scalar);

    [Theory]
    [MemberData(nameof(Configurations))]
    public void LoweredIsa_AllTestsPass(IsaConfiguration configuration)
    {
        IsaRunResult run = IsaPaths.RunTestClasses(s_classes, configuration, TimeSpan.FromMinutes(10), s_requestVector512);
        run.AssertPassed(minimumTests: 20);

        DamageIsa ceiling = configuration switch
        {
            IsaConfiguration.NoAvx512 => DamageIsa.Vector256,
            IsaConfiguration.NoAvx2 => DamageIsa.Vector128,
            IsaConfiguration.Scalar => DamageIsa.Scalar,
            _ => DamageIsa.Vector512,
        };
        DamageIsa expected = (DamageIsa)Math.Min((int)ceiling, (int)DamageScanner.AcceleratedIsa);
        Assert.True(run.Reports.TryGetValue(ActiveIsaReport, out string? reported), $"the child reported no tier\n{run.OutputTail}");
        Assert.Equal(expected.ToString(), reported);
    }

    /// <summary>Reports and checks the kernel tier of this process (run in every child, and once in the parent).</summary>
    public sealed class IsaProbeTests
    {
        [Fact]
        public void ActiveIsa_IsWhatTheEnvironmentAllows()
        {
            DamageIsa active = DamageScanner.ActiveIsa;
            DamageIsa hardware =
                Avx512BW.IsSupported && Avx512F.IsSupported ? DamageIsa.Vector512 :
                Avx2.IsSupported ? DamageIsa.Vector256 :
                Sse2.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported ? DamageIsa.Vector128 :
                DamageIsa.Scalar;
            Assert.True(DamageScanner.AcceleratedIsa <= hardware, $"AcceleratedIsa {DamageScanner.AcceleratedIsa} exceeds the hardware's {hardware}.");
            DamageIsa allowed = Environment.GetEnvironmentVariable("DAMAGE_VECTOR512") == "1"
                ? DamageScanner.AcceleratedIsa
                : (DamageIsa)Math.Min((int)DamageScanner.AcceleratedIsa, (int)DamageIsa.Vector256);
            Assert.Equal(allowed, active);
            IsaPaths.Report(ActiveIsaReport, active);
        }
    }
}
