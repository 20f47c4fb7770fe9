using System.Diagnostics;
using System.Text;

namespace TestSupport;

/// <summary>
/// A real client tool started by a test (spicy, xdotool, vncviewer), with its standard error kept for failure
/// messages; disposing kills it and its children if it still runs. Shared by Encoders.Spice.Tests and Server.Tests
/// (linked source).
/// </summary>
public sealed class ClientProcess : IDisposable
{
    private readonly StringBuilder _errors = new();
    private bool _disposed;

    private ClientProcess(Process process)
    {
        Process = process;
    }

    public Process Process { get; }

    public bool HasExited => Process.HasExited;

    public int ExitCode => Process.ExitCode;

    /// <summary>What the tool printed on standard error so far.</summary>
    public string Errors
    {
        get
        {
            lock (_errors)
            {
                return _errors.ToString().Trim();
            }
        }
    }

    public static ClientProcess Start(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(fileName) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var client = new ClientProcess(Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start"));
        client.Process.OutputDataReceived += (_, _) => { };
        client.Process.ErrorDataReceived += (_, e) =>
        {
            lock (client._errors)
            {
                client._errors.AppendLine(e.Data);
            }
        };
        client.Process.BeginOutputReadLine();
        client.Process.BeginErrorReadLine();
        return client;
    }

    public Task WaitForExitAsync(CancellationToken cancellationToken) => Process.WaitForExitAsync(cancellationToken);

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        Process.Dispose();
    }
}
