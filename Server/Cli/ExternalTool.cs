using System.ComponentModel;
using System.Diagnostics;

namespace Server.Cli;

/// <summary>Starts ffmpeg (and friends) with argument lists, never through a shell.</summary>
internal static class ExternalTool
{
    public static Process Start(string fileName, IEnumerable<string> arguments, bool redirectInput = false, bool redirectOutput = false)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = redirectInput,
            RedirectStandardOutput = redirectOutput,
            RedirectStandardError = false,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        try
        {
            return Process.Start(info) ?? throw new InvalidOperationException($"{fileName} did not start.");
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException($"Cannot run '{fileName}' ({ex.Message}). On Debian: apt-get install ffmpeg.", ex);
        }
    }
}
