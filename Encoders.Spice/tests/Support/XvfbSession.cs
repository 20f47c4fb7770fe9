using System.Diagnostics;
using Xunit;

namespace Encoders.Spice.Tests.Support;

/// <summary>An Xvfb display for GUI clients (spicy), with a screen grab through ffmpeg's x11grab and xdotool input.</summary>
internal sealed class XvfbSession : IDisposable
{
    private readonly Process _xvfb;
    private readonly List<Process> _clients = [];

    public XvfbSession(int width, int height)
    {
        Width = width;
        Height = height;
        int number = 90 + Random.Shared.Next(0, 400);
        Display = $":{number}";
        _xvfb = Start("Xvfb", [Display, "-screen", "0", $"{width}x{height}x24", "-nolisten", "tcp"]);
        string socket = $"/tmp/.X11-unix/X{number}";
        var waited = Stopwatch.StartNew();
        while (!File.Exists(socket))
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(20) && !_xvfb.HasExited, $"Xvfb did not start on {Display}");
            Thread.Sleep(50);
        }
    }

    public string Display { get; }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Starts a client on this display; it is killed on dispose.</summary>
    public Process StartClient(string tool, string[] args, IReadOnlyDictionary<string, string>? environment = null)
    {
        Process process = Start(tool, args, environment);
        _clients.Add(process);
        return process;
    }

    /// <summary>Runs a short command on this display (xdotool) and waits for it.</summary>
    public async Task RunAsync(string tool, string[] args, CancellationToken cancellationToken)
    {
        using Process process = Start(tool, args);
        await process.WaitForExitAsync(cancellationToken);
        Assert.True(process.ExitCode == 0, $"{tool} {string.Join(' ', args)} exited with {process.ExitCode}");
    }

    /// <summary>The whole screen as RGB.</summary>
    public async Task<Ppm> GrabAsync(CancellationToken cancellationToken)
    {
        string output = Path.Combine(Path.GetTempPath(), $"xvfb-{Guid.NewGuid():N}.ppm");
        try
        {
            string xwd = output + ".xwd";
            await RunAsync("xwd", ["-root", "-silent", "-out", xwd], cancellationToken);
            await RunAsync("ffmpeg", ["-loglevel", "error", "-f", "xwd_pipe", "-i", xwd, "-c:v", "ppm", "-y", output], cancellationToken);
            File.Delete(xwd);
            return Ppm.Read(await File.ReadAllBytesAsync(output, cancellationToken));
        }
        finally
        {
            File.Delete(output);
        }
    }

    public void Dispose()
    {
        foreach (Process client in _clients)
        {
            Stop(client);
        }

        Stop(_xvfb);
    }

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill();
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        process.Dispose();
    }

    private Process Start(string tool, string[] args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(tool) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DISPLAY"] = Display;
        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        Process process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
