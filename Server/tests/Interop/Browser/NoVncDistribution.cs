using Xunit;

namespace Server.Tests.Interop.Browser;

/// <summary>
/// A noVNC release on disk: its root holds <c>core/rfb.js</c> (ES modules in both versions) and <c>vendor/pako</c>.
/// </summary>
internal sealed record NoVncDistribution(string Version, string Root)
{
    /// <summary>Debian's package <c>novnc</c> (1.3.0 in bookworm), installed by .ci/install-deps.</summary>
    public const string Debian = "1.3";

    /// <summary>The npm release, pinned: <c>@novnc/novnc</c>, installed on first use into ~/.cache.</summary>
    public const string Npm = "1.7";

    private const string NpmVersion = "1.7.0";
    private static readonly SemaphoreSlim s_npmInstall = new(1, 1);

    /// <summary>Finds (or for npm, installs) a version; fails with what to run when it cannot.</summary>
    public static async Task<NoVncDistribution> GetAsync(string version) => version switch
    {
        Debian => FromDebian(),
        Npm => await FromNpmAsync(),
        _ => throw new ArgumentOutOfRangeException(nameof(version), version, "a noVNC version these tests know"),
    };

    private static NoVncDistribution FromDebian()
    {
        const string root = "/usr/share/novnc";
        Assert.True(File.Exists(Path.Combine(root, "core", "rfb.js")), $"{root}/core/rfb.js is missing: run `bash .ci/install-deps` (Debian package novnc).");
        return new NoVncDistribution(Debian, root);
    }

    private static async Task<NoVncDistribution> FromNpmAsync()
    {
        string home = Environment.GetEnvironmentVariable("HOME") ?? Path.GetTempPath();
        string prefix = Path.Combine(home, ".cache", "codecs-novnc", NpmVersion);
        string root = Path.Combine(prefix, "node_modules", "@novnc", "novnc");
        await s_npmInstall.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            if (!File.Exists(Path.Combine(root, "core", "rfb.js")))
            {
                // Install beside the cache and move it in whole, so a concurrent test run never sees half a package.
                string staging = prefix + ".staging-" + Guid.NewGuid().ToString("N");
                Directory.CreateDirectory(staging);
                (int exit, string output) = await InteropServer.RunAsync(
                    "npm", ["install", "--prefix", staging, "--no-audit", "--no-fund", "--no-save", $"@novnc/novnc@{NpmVersion}"], TimeSpan.FromMinutes(3));
                Assert.True(exit == 0, $"npm install @novnc/novnc@{NpmVersion} failed ({exit}); .ci/install-deps provides npm: {output}");
                Directory.CreateDirectory(Path.GetDirectoryName(prefix)!);
                try
                {
                    Directory.Move(staging, prefix);
                }
                catch (IOException) when (File.Exists(Path.Combine(root, "core", "rfb.js")))
                {
                    Directory.Delete(staging, recursive: true);
                }
            }
        }
        finally
        {
            s_npmInstall.Release();
        }

        return new NoVncDistribution(Npm, root);
    }
}
