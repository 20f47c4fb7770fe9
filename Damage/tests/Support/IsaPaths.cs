using System.Diagnostics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Text;
using System.Text.RegularExpressions;
using Xunit;

namespace Damage.Tests.Support;

/// <summary>
/// Re-runs test classes of this test executable in a child process with the runtime's ISA switches set
/// (<c>DOTNET_EnableAVX512=0</c>, <c>DOTNET_EnableAVX2=0</c>, <c>DOTNET_EnableHWIntrinsic=0</c>), so that every kernel
/// tier is exercised on a machine that has them all. xunit v3 test projects are executables; the child runs
/// <c>Damage.Tests -class A -class B …</c> and reports through its exit code and summary line.
/// </summary>
/// <remarks>
/// The child also runs <see cref="IsaProbeTests"/>, which writes <see cref="DamageScanner.ActiveIsa"/> to the file named
/// by <see cref="ReportVariable"/> and fails unless it equals <see cref="ExpectedVariable"/>: that the switch really
/// changed the kernel is observed, not assumed.
/// </remarks>
internal static partial class IsaPaths
{
    /// <summary>Environment variable naming the file the child's probe writes its active ISA to.</summary>
    public const string ReportVariable = "DAMAGE_TESTS_ISA_REPORT";

    /// <summary>Environment variable with the ISA the child's probe must see.</summary>
    public const string ExpectedVariable = "DAMAGE_TESTS_EXPECTED_ISA";

    /// <summary>
    /// The configurations: name, environment, and the widest tier it allows. 512-bit kernels are opt-in
    /// (<c>DAMAGE_VECTOR512=1</c>), so every configuration asks for them: then the AVX-512 switch must be what lowers the
    /// tier to 256 bits.
    /// </summary>
    public static IReadOnlyList<IsaConfiguration> Configurations { get; } =
    [
        new("Vector512", [("DAMAGE_VECTOR512", "1")], DamageIsa.Vector512),
        new("NoAvx512", [("DAMAGE_VECTOR512", "1"), ("DOTNET_EnableAVX512", "0")], DamageIsa.Vector256),
        new("NoAvx2", [("DAMAGE_VECTOR512", "1"), ("DOTNET_EnableAVX512", "0"), ("DOTNET_EnableAVX2", "0")], DamageIsa.Vector128),
        new("NoHWIntrinsic", [("DAMAGE_VECTOR512", "1"), ("DOTNET_EnableHWIntrinsic", "0")], DamageIsa.Scalar),
    ];

    public static IsaConfiguration Get(string name) => Configurations.Single(c => c.Name == name);

    /// <summary>The widest tier the hardware offers according to the x86/Arm ISA classes (independent of the Vector APIs).</summary>
    public static DamageIsa HardwareIsa =>
        Avx512BW.IsSupported && Avx512F.IsSupported ? DamageIsa.Vector512 :
        Avx2.IsSupported ? DamageIsa.Vector256 :
        Sse2.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported ? DamageIsa.Vector128 :
        DamageIsa.Scalar;

    /// <summary>
    /// Runs <paramref name="testClasses"/> (plus the probe) in a child with <paramref name="configuration"/>'s
    /// environment and asserts: exit code 0, at least one test per class ran, none failed, and the probe saw the
    /// expected tier (the configuration's cap, or lower if this process already runs lowered).
    /// </summary>
    public static ChildRun RunAndAssert(IsaConfiguration configuration, IReadOnlyList<Type> testClasses, TimeSpan timeout)
    {
        DamageIsa expected = (DamageIsa)Math.Min((int)configuration.MaxIsa, (int)DamageScanner.AcceleratedIsa);
        ChildRun run = Run(configuration, testClasses, expected, timeout);
        string tail = run.Output.Length > 4000 ? run.Output[^4000..] : run.Output;
        Assert.True(run.ExitCode == 0, $"{configuration.Name}: exit code {run.ExitCode}\n{tail}");
        Assert.True(run.Failed == 0, $"{configuration.Name}: {run.Failed} failed\n{tail}");
        Assert.True(run.Total >= testClasses.Count + 1, $"{configuration.Name}: only {run.Total} tests ran\n{tail}");
        Assert.Equal(expected.ToString(), run.ReportedIsa);
        return run;
    }

    /// <summary>Starts the child and waits for it; kills it (and only it) on timeout.</summary>
    public static ChildRun Run(IsaConfiguration configuration, IReadOnlyList<Type> testClasses, DamageIsa expected, TimeSpan timeout)
    {
        string report = Path.Combine(Path.GetTempPath(), $"damage-isa-{Environment.ProcessId}-{Guid.NewGuid():N}.txt");
        ProcessStartInfo start = StartInfo();
        foreach (Type type in testClasses.Append(typeof(IsaProbeTests)))
        {
            start.ArgumentList.Add("-class");
            start.ArgumentList.Add(type.FullName!);
        }

        start.ArgumentList.Add("-noLogo");
        start.ArgumentList.Add("-noColor");
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        foreach ((string name, string value) in configuration.Environment)
        {
            start.Environment[name] = value;
        }

        start.Environment[ReportVariable] = report;
        start.Environment[ExpectedVariable] = expected.ToString();

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"{configuration.Name}: the child test run took longer than {timeout}.\n{output}");
        }

        process.WaitForExit();
        string text;
        lock (output)
        {
            text = output.ToString();
        }

        string? reported = File.Exists(report) ? File.ReadAllText(report).Trim() : null;
        File.Delete(report);
        Match summary = SummaryPattern().Match(text);
        int total = summary.Success ? int.Parse(summary.Groups["total"].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
        int failed = summary.Success ? int.Parse(summary.Groups["failed"].Value, System.Globalization.CultureInfo.InvariantCulture) : -1;
        return new ChildRun(process.ExitCode, total, failed, text, reported);
    }

    /// <summary>The apphost next to the test assembly when present, else <c>dotnet exec</c> on the assembly.</summary>
    private static ProcessStartInfo StartInfo()
    {
        string assembly = typeof(IsaPaths).Assembly.Location;
        string appHost = Path.ChangeExtension(assembly, OperatingSystem.IsWindows() ? ".exe" : null);
        if (File.Exists(appHost))
        {
            return new ProcessStartInfo(appHost);
        }

        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var start = new ProcessStartInfo(dotnet);
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(assembly);
        return start;
    }

    // xunit v3's console summary: "Total: 12, Errors: 0, Failed: 0, Skipped: 0, Not Run: 0, Time: 1.234s".
    [GeneratedRegex(@"Total:\s*(?<total>\d+),\s*Errors:\s*(?<errors>\d+),\s*Failed:\s*(?<failed>\d+)")]
    private static partial Regex SummaryPattern();

    public sealed record IsaConfiguration(string Name, (string Name, string Value)[] Environment, DamageIsa MaxIsa)
    {
        public override string ToString() => Name;
    }

    public sealed record ChildRun(int ExitCode, int Total, int Failed, string Output, string? ReportedIsa);
}

/// <summary>
/// Reports and checks the kernel tier of this process. In a child started by <see cref="IsaPaths"/> it must see the
/// tier the parent expects; in any process it must not use a wider tier than the hardware's ISA classes report.
/// </summary>
public sealed class IsaProbeTests
{
    [Fact]
    public void ActiveIsa_IsWhatTheEnvironmentAllows()
    {
        DamageIsa active = DamageScanner.ActiveIsa;
        Assert.True(DamageScanner.AcceleratedIsa <= IsaPaths.HardwareIsa, $"AcceleratedIsa {DamageScanner.AcceleratedIsa} exceeds the hardware's {IsaPaths.HardwareIsa}.");
        Assert.True(active <= DamageScanner.AcceleratedIsa);
        Assert.Equal(Environment.GetEnvironmentVariable("DAMAGE_VECTOR512") == "1" ? DamageScanner.AcceleratedIsa : (DamageIsa)Math.Min((int)DamageScanner.AcceleratedIsa, (int)DamageIsa.Vector256), active);
        Assert.Equal(Vector128.IsHardwareAccelerated, active >= DamageIsa.Vector128);

        string? expected = Environment.GetEnvironmentVariable(IsaPaths.ExpectedVariable);
        if (expected is not null)
        {
            Assert.Equal(expected, active.ToString());
        }

        string? report = Environment.GetEnvironmentVariable(IsaPaths.ReportVariable);
        if (report is not null)
        {
            File.WriteAllText(report, active.ToString());
        }
    }
}
