using System.Diagnostics;
using TestSupport;
using Xunit;

namespace Encoders.Spice.Tests.Support;

/// <summary>An Xvfb display for GUI clients (spicy), with a screen grab through ffmpeg's x11grab and xdotool input.</summary>
internal sealed class XvfbSession : IDisposable
{
    private readonly XvfbDisplay _xvfb;
    private readonly List<Process> _clients = [];
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<Process, System.Text.StringBuilder> _errors = new();

    public XvfbSession(int width, int height)
    {
        _xvfb = XvfbDisplay.Start(width, height);
    }

    public string Display => _xvfb.Name;

    public int Width => _xvfb.Width;

    public int Height => _xvfb.Height;

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
        if (process.ExitCode != 0)
        {
            string clients = string.Concat(_clients.Select(c => $"; {c.StartInfo.FileName}{(c.HasExited ? $" exited with {c.ExitCode}" : " running")}: {ErrorOutput(c)}"));
            Assert.Fail($"{tool} {string.Join(' ', args)} exited with {process.ExitCode}: {ErrorOutput(process)}{clients}; Xvfb: {_xvfb.Errors}");
        }
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

        _xvfb.Dispose();
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

    private string ErrorOutput(Process process)
    {
        if (!_errors.TryGetValue(process, out System.Text.StringBuilder? errors))
        {
            return "";
        }

        lock (errors)
        {
            return errors.ToString().Trim();
        }
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
        var errors = new System.Text.StringBuilder();
        _errors.AddOrUpdate(process, errors);
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (errors)
            {
                errors.AppendLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
