using System.Runtime.InteropServices;

namespace Bench.Reporting;

/// <summary>
/// The process's CPU time (user + system, all threads) from <c>getrusage(RUSAGE_SELF)</c>: the measure the peer
/// harness (<c>vnc_trace_server</c>) reports for libvncserver, and one that other processes on the shared cores do not
/// inflate the way they inflate wall time.
/// </summary>
internal static unsafe partial class ProcessCpuClock
{
    private const int RusageSelf = 0;

    /// <summary>Seconds of CPU used by this process so far, or NaN where getrusage is not available.</summary>
    public static double Seconds()
    {
        if (!OperatingSystem.IsLinux())
        {
            return double.NaN;
        }

        // struct rusage starts with ru_utime and ru_stime, two struct timeval { long tv_sec; long tv_usec; } (64-bit).
        long* usage = stackalloc long[32];
        if (GetRusage(RusageSelf, usage) != 0)
        {
            return double.NaN;
        }

        return usage[0] + usage[1] * 1e-6 + usage[2] + usage[3] * 1e-6;
    }

    [LibraryImport("libc", EntryPoint = "getrusage")]
    private static partial int GetRusage(int who, long* usage);
}
