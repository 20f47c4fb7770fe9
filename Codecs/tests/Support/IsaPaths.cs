using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using System.Xml.Linq;
using Xunit;

namespace TestSupport;

/// <summary>An instruction-set ceiling a child test run is forced down to with the runtime's DOTNET_Enable* switches.</summary>
public enum IsaConfiguration
{
    /// <summary>No runtime switch: the widest tier this machine has (for runs that only add their own environment).</summary>
    Default,

    /// <summary><c>DOTNET_EnableAVX512=0</c>: Vector512 is off, Vector256 (AVX2) is the widest.</summary>
    NoAvx512,

    /// <summary><c>DOTNET_EnableAVX512=0</c> and <c>DOTNET_EnableAVX2=0</c>: Vector128 is the widest.</summary>
    NoAvx2,

    /// <summary><c>DOTNET_EnableHWIntrinsic=0</c>: no vector is hardware accelerated; every kernel runs its scalar path.</summary>
    Scalar,
}

/// <summary>
/// Runs test classes of the current test assembly again in child processes with SIMD instruction sets switched off,
/// so every vector tier (and the scalar fallback) is exercised on a machine whose widest tier would otherwise hide
/// the others. xunit v3 test projects are executables; the child is <c>dotnet exec &lt;assembly&gt;.dll -class ...</c>.
/// </summary>
/// <remarks>
/// Shared by the Codecs and Damage tests (linked as a source file). A test running in a child can tell which
/// configuration it runs under (<see cref="Current"/>) and send facts back to the parent test (<see cref="Report"/>),
/// e.g. which vector width a kernel really used, so the parent can check that the switch took effect.
/// </remarks>
public static class IsaPaths
{
    /// <summary>Set in a child to the <see cref="IsaConfiguration"/> name it runs under.</summary>
    public const string ConfigurationVariable = "ISA_PATHS_CONFIGURATION";

    /// <summary>Set in a child to the file that <see cref="Report"/> appends to.</summary>
    public const string ReportVariable = "ISA_PATHS_REPORT";

    private static readonly Lock s_reportGate = new();

    /// <summary>The three configurations, widest first, as theory data.</summary>
    public static TheoryData<IsaConfiguration> Configurations =>
        new(IsaConfiguration.NoAvx512, IsaConfiguration.NoAvx2, IsaConfiguration.Scalar);

    /// <summary>The configuration this process runs under, or null when it is not an <see cref="IsaPaths"/> child.</summary>
    public static IsaConfiguration? Current =>
        Enum.TryParse(Environment.GetEnvironmentVariable(ConfigurationVariable), out IsaConfiguration configuration) ? configuration : null;

    /// <summary>True in a child process started by <see cref="RunTestClass"/>; such tests must not start children of their own.</summary>
    public static bool IsChild => Current is not null;

    /// <summary>Widest hardware-accelerated vector in bits in this process: 512, 256, 128 or 0.</summary>
    public static int AcceleratedVectorBits =>
        Vector512.IsHardwareAccelerated ? 512
        : Vector256.IsHardwareAccelerated ? 256
        : Vector128.IsHardwareAccelerated ? 128
        : 0;

    /// <summary>The runtime switches of a configuration.</summary>
    public static IReadOnlyDictionary<string, string> EnvironmentOf(IsaConfiguration configuration) => configuration switch
    {
        IsaConfiguration.Default => new Dictionary<string, string>(),
        IsaConfiguration.NoAvx512 => new Dictionary<string, string> { ["DOTNET_EnableAVX512"] = "0" },
        IsaConfiguration.NoAvx2 => new Dictionary<string, string> { ["DOTNET_EnableAVX512"] = "0", ["DOTNET_EnableAVX2"] = "0" },
        IsaConfiguration.Scalar => new Dictionary<string, string> { ["DOTNET_EnableHWIntrinsic"] = "0" },
        _ => throw new ArgumentOutOfRangeException(nameof(configuration)),
    };

    /// <summary>
    /// The widest accelerated vector a child under <paramref name="configuration"/> should see, given what this
    /// process sees (on x64; Arm64 has no 256/512-bit vectors, so only <see cref="IsaConfiguration.Scalar"/> lowers it).
    /// </summary>
    public static int ExpectedVectorBits(IsaConfiguration configuration)
    {
        int ceiling = configuration switch
        {
            IsaConfiguration.Default => 512,
            IsaConfiguration.NoAvx512 => 256,
            IsaConfiguration.NoAvx2 => 128,
            _ => 0,
        };
        return Math.Min(AcceleratedVectorBits, ceiling);
    }

    /// <summary>
    /// In a child, records <paramref name="key"/> = <paramref name="value"/> for the parent (<see cref="IsaRunResult.Reports"/>);
    /// does nothing otherwise.
    /// </summary>
    public static void Report(string key, object value)
    {
        string? path = Environment.GetEnvironmentVariable(ReportVariable);
        if (string.IsNullOrEmpty(path))
        {
            return;
        }

        string line = $"{key}={Convert.ToString(value, CultureInfo.InvariantCulture)}\n";
        lock (s_reportGate)
        {
            File.AppendAllText(path, line);
        }
    }

    /// <summary>
    /// Runs every test of <paramref name="testClass"/> (which must live in the calling test assembly), or only its
    /// <paramref name="method"/>, in a child process under <paramref name="configuration"/>, and returns what happened.
    /// Use <see cref="IsaRunResult.AssertPassed"/>.
    /// </summary>
    public static IsaRunResult RunTestClass(Type testClass, IsaConfiguration configuration, TimeSpan? timeout = null, string? method = null)
    {
        ArgumentNullException.ThrowIfNull(testClass);
        string[] filter = method is null ? ["-class", testClass.FullName!] : ["-method", $"{testClass.FullName}.{method}"];
        return Run(testClass.Assembly.Location, filter, method is null ? testClass.FullName! : filter[1], configuration, timeout, extraEnvironment: null);
    }

    /// <summary>
    /// Runs every test of several classes of one test assembly in a single child process under
    /// <paramref name="configuration"/>, with <paramref name="extraEnvironment"/> (e.g. a library's opt-in switches) added.
    /// </summary>
    public static IsaRunResult RunTestClasses(IReadOnlyList<Type> testClasses, IsaConfiguration configuration, TimeSpan? timeout = null, IReadOnlyDictionary<string, string>? extraEnvironment = null)
    {
        ArgumentNullException.ThrowIfNull(testClasses);
        if (testClasses.Count == 0 || testClasses.Any(t => t.Assembly != testClasses[0].Assembly))
        {
            throw new ArgumentException("One or more classes, all from the same test assembly.", nameof(testClasses));
        }

        string[] filter = testClasses.SelectMany(t => new[] { "-class", t.FullName! }).ToArray();
        return Run(testClasses[0].Assembly.Location, filter, string.Join(", ", testClasses.Select(t => t.Name)), configuration, timeout, extraEnvironment);
    }

    /// <summary><c>dotnet exec &lt;assembly&gt; &lt;filter&gt; -xml &lt;results&gt;</c> with the configuration's environment.</summary>
    private static IsaRunResult Run(string assemblyPath, string[] filter, string description, IsaConfiguration configuration, TimeSpan? timeout, IReadOnlyDictionary<string, string>? extraEnvironment)
    {
        if (IsChild)
        {
            throw new InvalidOperationException("An ISA child process must not start children of its own.");
        }

        TimeSpan limit = timeout ?? TimeSpan.FromMinutes(10);
        string work = Directory.CreateTempSubdirectory("isa-paths-").FullName;
        try
        {
            string resultsPath = Path.Combine(work, "results.xml");
            string reportPath = Path.Combine(work, "report.txt");

            var start = new ProcessStartInfo(DotnetHost())
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = Path.GetDirectoryName(assemblyPath)!,
            };
            foreach (string argument in (string[])["exec", assemblyPath, "-noColor", "-noLogo", "-xml", resultsPath, .. filter])
            {
                start.ArgumentList.Add(argument);
            }

            foreach ((string name, string value) in EnvironmentOf(configuration).Concat(extraEnvironment ?? new Dictionary<string, string>()))
            {
                start.Environment[name] = value;
            }

            start.Environment[ConfigurationVariable] = configuration.ToString();
            start.Environment[ReportVariable] = reportPath;

            using var child = new Process { StartInfo = start };
            var output = new StringBuilder();
            child.OutputDataReceived += (_, e) => Append(output, e.Data);
            child.ErrorDataReceived += (_, e) => Append(output, e.Data);
            child.Start();
            child.BeginOutputReadLine();
            child.BeginErrorReadLine();
            if (!child.WaitForExit(limit))
            {
                child.Kill(entireProcessTree: true);
                child.WaitForExit();
                Assert.Fail($"The {configuration} run of {description} did not finish within {limit}.\n{output}");
            }

            child.WaitForExit(); // flushes the asynchronous output readers
            (int total, int failed, int skipped) = ReadTotals(resultsPath);
            return new IsaRunResult(configuration, description, child.ExitCode, total, failed, skipped, output.ToString(), ReadReports(reportPath));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    /// <summary>The dotnet host of the running runtime: <c>&lt;root&gt;/shared/Microsoft.NETCore.App/&lt;version&gt;/</c> → <c>&lt;root&gt;/dotnet</c>.</summary>
    private static string DotnetHost()
    {
        string name = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        string root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        string candidate = Path.Combine(root, name);
        if (File.Exists(candidate))
        {
            return candidate;
        }

        string? hostPath = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(hostPath) && File.Exists(hostPath) ? hostPath : name;
    }

    /// <summary>Totals from the xunit v2+ XML result file (<c>&lt;assembly total= failed= skipped= errors=&gt;</c>).</summary>
    private static (int Total, int Failed, int Skipped) ReadTotals(string resultsPath)
    {
        if (!File.Exists(resultsPath))
        {
            return (0, 0, 0);
        }

        int total = 0;
        int failed = 0;
        int skipped = 0;
        foreach (XElement assembly in XDocument.Load(resultsPath).Descendants("assembly"))
        {
            total += (int?)assembly.Attribute("total") ?? 0;
            failed += ((int?)assembly.Attribute("failed") ?? 0) + ((int?)assembly.Attribute("errors") ?? 0);
            skipped += (int?)assembly.Attribute("skipped") ?? 0;
        }

        return (total, failed, skipped);
    }

    private static Dictionary<string, string> ReadReports(string reportPath)
    {
        var reports = new Dictionary<string, string>(StringComparer.Ordinal);
        if (File.Exists(reportPath))
        {
            foreach (string line in File.ReadAllLines(reportPath))
            {
                int equals = line.IndexOf('=', StringComparison.Ordinal);
                if (equals > 0)
                {
                    reports[line[..equals]] = line[(equals + 1)..];
                }
            }
        }

        return reports;
    }
}

/// <summary>The outcome of one child run of <see cref="IsaPaths.RunTestClass"/> or <see cref="IsaPaths.RunTestClasses"/>.</summary>
public sealed record IsaRunResult(
    IsaConfiguration Configuration,
    string Tests,
    int ExitCode,
    int Total,
    int Failed,
    int Skipped,
    string Output,
    IReadOnlyDictionary<string, string> Reports)
{
    /// <summary>Asserts the child exited with 0, ran at least <paramref name="minimumTests"/> tests, and none failed.</summary>
    public void AssertPassed(int minimumTests = 1)
    {
        Assert.True(ExitCode == 0, $"{Tests} under {Configuration}: exit code {ExitCode}.\n{OutputTail}");
        Assert.True(Failed == 0, $"{Tests} under {Configuration}: {Failed} failed.\n{OutputTail}");
        Assert.True(Total >= minimumTests, $"{Tests} under {Configuration}: ran {Total} tests, expected at least {minimumTests}.\n{OutputTail}");
        Assert.True(Total - Skipped >= minimumTests, $"{Tests} under {Configuration}: {Skipped} of {Total} skipped.\n{OutputTail}");
    }

    /// <summary>The last 8000 characters of the child's output, enough for the failures and the summary.</summary>
    public string OutputTail => Output.Length > 8000 ? "…" + Output[^8000..] : Output;
}
