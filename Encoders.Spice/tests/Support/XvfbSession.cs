using TestSupport;
using Xunit;

namespace Encoders.Spice.Tests.Support;

/// <summary>An Xvfb display for GUI clients (spicy), with a screen grab through ffmpeg's x11grab and xdotool input.</summary>
internal sealed class XvfbSession : IDisposable
{
    private readonly XvfbDisplay _xvfb;
    private readonly List<ClientProcess> _clients = [];

    public XvfbSession(int width, int height)
    {
        _xvfb = XvfbDisplay.Start(width, height);
    }

    public string Display => _xvfb.Name;

    public int Width => _xvfb.Width;

    public int Height => _xvfb.Height;

    /// <summary>Starts a client on this display; it is killed on dispose.</summary>
    public ClientProcess StartClient(string tool, string[] args, IReadOnlyDictionary<string, string>? environment = null)
    {
        ClientProcess client = Start(tool, args, environment);
        _clients.Add(client);
        return client;
    }

    /// <summary>Runs a short command on this display (xdotool) and waits for it.</summary>
    public async Task RunAsync(string tool, string[] args, CancellationToken cancellationToken)
    {
        using ClientProcess process = Start(tool, args);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            string clients = string.Concat(_clients.Select(c => $"; {c.Process.StartInfo.FileName}{(c.HasExited ? $" exited with {c.ExitCode}" : " running")}: {c.Errors}"));
            Assert.Fail($"{tool} {string.Join(' ', args)} exited with {process.ExitCode}: {process.Errors}{clients}; Xvfb: {_xvfb.Errors}");
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
        foreach (ClientProcess client in _clients)
        {
            client.Dispose();
        }

        _xvfb.Dispose();
    }

    private ClientProcess Start(string tool, string[] args, IReadOnlyDictionary<string, string>? environment = null) =>
        ClientProcess.Start(tool, args, new Dictionary<string, string>(environment ?? new Dictionary<string, string>()) { ["DISPLAY"] = Display });
}
