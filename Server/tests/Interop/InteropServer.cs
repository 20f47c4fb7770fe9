using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Codecs.Pixels;
using Damage.Device;
using Encoders.Rfb;
using Microsoft.Extensions.Logging;
using Server.Hosting;
using Xunit;

namespace Server.Tests.Interop;

/// <summary>
/// An in-process RFB server on a free port in 5900..5999 (gvnccapture only takes display numbers) playing the first
/// frames of a corpus trace and then holding the last one; plus helpers to run the real clients.
/// </summary>
internal sealed class InteropServer : IAsyncDisposable
{
    private InteropServer(RfbHost host, SteppedDevice device)
    {
        Host = host;
        Device = device;
    }

    public RfbHost Host { get; }

    public SteppedDevice Device { get; }

    public int Port => Host.Port;

    /// <summary>gvnccapture's display number.</summary>
    public int Display => Port - 5900;

    public static async Task<InteropServer> StartAsync(string trace, int frames, RfbServerOptions? options = null)
    {
        string path = Path.Combine(ToolRunner.RepositoryRoot, "corpus", trace);
        for (int attempt = 0; ; attempt++)
        {
            // Plays the first frames as fast as the display takes them, then holds the last one.
            var device = new SteppedDevice(new TraceReplayDevice(path, new TraceReplayOptions { RealTime = false }), initialSteps: frames);
            int port = 5900 + Random.Shared.Next(10, 100);
            var host = new RfbHost(device, new IPEndPoint(IPAddress.Loopback, port), options ?? new RfbServerOptions(), new ConsoleLogger(LogLevel.Information, TextWriter.Null));
            try
            {
                await host.StartAsync(TestContext.Current.CancellationToken);
            }
            catch (SocketException) when (attempt < 20)
            {
                await host.DisposeAsync();
                continue;
            }

            var server = new InteropServer(host, device);
            // Let the trace reach its held frame before a client connects, so every client sees that frame.
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            while (host.Display.Statistics.Frames < frames)
            {
                await Task.Delay(10, timeout.Token);
            }

            return server;
        }
    }

    /// <summary>Fails (never skips) when a client tool that .ci/install-deps provides is missing.</summary>
    public static string RequireTool(string path)
    {
        Assert.True(File.Exists(path), $"{path} is missing: run `bash .ci/install-deps` (it installs the interop clients).");
        return path;
    }

    public static async Task<(int ExitCode, string Output)> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout, IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach ((string key, string value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        using Process process = Process.Start(info)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> errors = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return (-1, $"timed out after {timeout.TotalSeconds} s\n{await output}{await errors}");
        }

        return (process.ExitCode, await output + await errors);
    }

    /// <summary>An image file as 8-bit RGB through ImageMagick (Debian's /usr/bin/convert).</summary>
    public static async Task<(byte[] Rgb, string Log)> ReadRgbAsync(string image, string? crop = null)
    {
        string raw = image + ".rgb";
        List<string> arguments = [image];
        if (crop is not null)
        {
            arguments.AddRange(["-crop", crop, "+repage"]);
        }

        arguments.AddRange(["-depth", "8", "rgb:" + raw]);
        (int exit, string log) = await RunAsync(RequireTool("/usr/bin/convert"), arguments, TimeSpan.FromSeconds(60));
        return (exit == 0 && File.Exists(raw) ? await File.ReadAllBytesAsync(raw) : [], log);
    }

    /// <summary>
    /// Compares client framebuffers in <paramref name="format"/> looking only at the bits that hold colour: clients
    /// may fill the unused byte of a 32-bit pixel (libvncclient's ZRLE writes 0xFF there).
    /// </summary>
    public static string Compare(PixelFormat format, byte[] expected, byte[] actual, int width)
    {
        int bytesPerPixel = format.BitsPerPixel / 8;
        uint valueMask = ((uint)format.RedMax << format.RedShift) | ((uint)format.GreenMax << format.GreenShift) | ((uint)format.BlueMax << format.BlueShift);
        byte[] byteMask = new byte[bytesPerPixel];
        for (int i = 0; i < bytesPerPixel; i++)
        {
            int significance = format.BigEndian ? bytesPerPixel - 1 - i : i;
            byteMask[i] = (byte)(valueMask >> (8 * significance));
        }

        byte[] maskedExpected = [.. expected];
        byte[] maskedActual = [.. actual];
        for (int i = 0; i < Math.Min(expected.Length, actual.Length); i++)
        {
            maskedExpected[i] &= byteMask[i % bytesPerPixel];
            maskedActual[i] &= byteMask[i % bytesPerPixel];
        }

        return Compare(maskedExpected, maskedActual, width, bytesPerPixel);
    }

    /// <summary>Where two same-size pictures first differ ("identical" when they do not).</summary>
    public static string Compare(byte[] expected, byte[] actual, int width, int bytesPerPixel)
    {
        if (expected.Length != actual.Length)
        {
            return $"size differs: {actual.Length} bytes, expected {expected.Length}";
        }

        int index = expected.AsSpan().CommonPrefixLength(actual);
        if (index == expected.Length)
        {
            return "identical";
        }

        int pixel = index / bytesPerPixel;
        int differing = 0;
        for (int i = 0; i < expected.Length; i += bytesPerPixel)
        {
            if (!expected.AsSpan(i, bytesPerPixel).SequenceEqual(actual.AsSpan(i, bytesPerPixel)))
            {
                differing++;
            }
        }

        return $"first difference at pixel ({pixel % width}, {pixel / width}); {differing} pixels differ";
    }

    /// <summary>The one client's statistics once the server has seen it disconnect.</summary>
    public async Task<RfbClientStatistics> WaitForFinishedClientAsync()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (Host.Server.FinishedClients.Count == 0)
        {
            await Task.Delay(10, timeout.Token);
        }

        return Assert.Single(Host.Server.FinishedClients);
    }

    public async ValueTask DisposeAsync() => await Host.DisposeAsync();
}
