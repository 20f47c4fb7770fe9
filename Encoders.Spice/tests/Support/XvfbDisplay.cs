using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace TestSupport;

/// <summary>
/// An Xvfb X server for tests that drive GUI clients (spicy, TigerVNC's vncviewer, xclock). Shared by
/// Encoders.Spice.Tests and Server.Tests (linked source).
/// </summary>
/// <remarks>
/// Xvfb chooses a free display number itself (<c>-displayfd</c>) and writes it only once it accepts connections, so
/// a test never races a starting server, a stale socket left by a killed one, or another test's display. It is stopped
/// with SIGTERM so that it removes its lock file and socket.
/// </remarks>
public sealed class XvfbDisplay : IDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _server;
    private readonly StringBuilder _errors = new();

    private XvfbDisplay(Process server, int width, int height)
    {
        _server = server;
        Width = width;
        Height = height;
    }

    /// <summary>The display number (<c>:N</c>).</summary>
    public int Number { get; private set; } = -1;

    /// <summary>The value of <c>DISPLAY</c> and of the X tools' <c>-display</c> argument.</summary>
    public string Name => ":" + Number.ToString(CultureInfo.InvariantCulture);

    public int Width { get; }

    public int Height { get; }

    /// <summary>Starts Xvfb with one screen of the given size at 24-bit depth and waits until it accepts clients.</summary>
    public static XvfbDisplay Start(int width, int height)
    {
        var start = new ProcessStartInfo("Xvfb")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in new[] { "-displayfd", "1", "-screen", "0", $"{width}x{height}x24", "-nolisten", "tcp" })
        {
            start.ArgumentList.Add(argument);
        }

        Process server = Process.Start(start) ?? throw new InvalidOperationException("Xvfb did not start");
        var display = new XvfbDisplay(server, width, height);
        server.ErrorDataReceived += (_, e) => display.AppendError(e.Data);
        server.BeginErrorReadLine();

        Task<string?> firstLine = server.StandardOutput.ReadLineAsync();
        if (!firstLine.Wait(s_startTimeout) || !int.TryParse(firstLine.Result, NumberStyles.None, CultureInfo.InvariantCulture, out int number))
        {
            string errors = display.Errors;
            display.Dispose();
            throw new InvalidOperationException($"Xvfb did not report a display within {s_startTimeout.TotalSeconds} s: {errors}");
        }

        display.Number = number;
        return display;
    }

    /// <summary>What Xvfb printed on standard error (for failure messages).</summary>
    public string Errors
    {
        get
        {
            lock (_errors)
            {
                return _errors.ToString();
            }
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_server.HasExited)
            {
                // SIGTERM lets Xvfb remove /tmp/.X11-unix/XN and /tmp/.XN-lock; SIGKILL would leave them behind.
                using Process? terminate = Process.Start("kill", ["-TERM", _server.Id.ToString(CultureInfo.InvariantCulture)]);
                terminate?.WaitForExit(5000);
                if (!_server.WaitForExit(5000))
                {
                    _server.Kill();
                    _server.WaitForExit(5000);
                }
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _server.Dispose();
    }

    private void AppendError(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_errors)
        {
            _errors.AppendLine(line);
        }
    }
}
