using System.CommandLine;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Codecs.Spice.Choice;
using Damage.Device;
using Encoders.Rfb;
using Encoders.Spice;
using Microsoft.Extensions.Logging;
using Server.Hosting;

namespace Server.Cli;

/// <summary>The <c>serve</c> verb: play a trace as one display and serve it over RFB and SPICE (each with WebSocket on its port).</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var trace = new Argument<string>("trace") { Description = "The .fbt trace to play as the display (e.g. corpus/terminal-scroll.fbt)." };
        var rfbPort = new Option<int>("--rfb-port") { Description = "TCP port for RFB/VNC clients; WebSocket clients (noVNC) use the same port. 0 picks a free port.", DefaultValueFactory = _ => 5900 };
        var spicePort = new Option<int?>("--spice-port") { Description = "TCP port for SPICE clients (spicy, remote-viewer; spice-html5 over WebSocket on the same port). 0 picks a free port; default 5930.", DefaultValueFactory = _ => 5930 };
        var noSpice = new Option<bool>("--no-spice") { Description = "Serve RFB only." };
        var listen = new Option<string>("--listen") { Description = "Address to bind (0.0.0.0 for all interfaces).", DefaultValueFactory = _ => "127.0.0.1" };
        var loop = new Option<bool>("--loop") { Description = "Restart the trace when it ends (otherwise the last frame stays on screen)." };
        var speed = new Option<double>("--speed") { Description = "Playback speed factor (2 = twice as fast).", DefaultValueFactory = _ => 1.0 };
        var password = new Option<string?>("--password") { Description = "Require VNC authentication (and VeNCrypt Plain with --tls-cert) with this password." };
        var tlsCertificate = new Option<string?>("--tls-cert") { Description = "PKCS#12 (.pfx) certificate: offer VeNCrypt X509None / X509Plain over TLS, and the SPICE TLS port." };
        var spiceTlsPort = new Option<int?>("--spice-tls-port") { Description = "TCP port for SPICE over TLS (spicy -s PORT, remote-viewer spice://HOST?tls-port=PORT); needs --tls-cert. 0 picks a free port." };
        var duration = new Option<double>("--duration") { Description = "Stop after this many seconds (0 = until Ctrl-C).", DefaultValueFactory = _ => 0 };
        var tightGradient = new Option<bool>("--tight-gradient") { Description = "Send photos and video through Tight's lossless gradient filter (fewer bytes, faster); noVNC 1.3 cannot decode it." };
        var verbose = new Option<bool>("--verbose") { Description = "Debug logging." };
        var command = new Command("serve", "Play a trace as a virtual display and serve it to VNC and SPICE clients (TCP and WebSocket on each port); prints per-client statistics on exit.")
        {
            trace, rfbPort, spicePort, spiceTlsPort, noSpice, listen, loop, speed, password, tlsCertificate, tightGradient, duration, verbose,
        };
        command.SetAction((result, cancellationToken) => RunAsync(
            new ServeSettings(
                result.GetValue(trace)!,
                result.GetValue(rfbPort),
                result.GetValue(noSpice) ? null : result.GetValue(spicePort),
                result.GetValue(noSpice) ? null : result.GetValue(spiceTlsPort),
                result.GetValue(listen)!,
                result.GetValue(loop),
                result.GetValue(speed),
                result.GetValue(password),
                result.GetValue(tlsCertificate),
                result.GetValue(tightGradient),
                result.GetValue(duration),
                result.GetValue(verbose)),
            cancellationToken));
        return command;
    }

    private sealed record ServeSettings(
        string Trace, int RfbPort, int? SpicePort, int? SpiceTlsPort, string Listen, bool Loop, double Speed, string? Password, string? TlsCertificate, bool TightGradient, double Duration, bool Verbose);

    private static async Task<int> RunAsync(ServeSettings settings, CancellationToken cancellationToken)
    {
        var logger = new ConsoleLogger(settings.Verbose ? LogLevel.Debug : LogLevel.Information);
        if (!File.Exists(settings.Trace))
        {
            Console.Error.WriteLine($"error: trace '{settings.Trace}' not found");
            return 2;
        }

        if (!IPAddress.TryParse(settings.Listen, out IPAddress? address) || settings.RfbPort is < 0 or > 65535 || settings.Speed <= 0)
        {
            Console.Error.WriteLine("error: --listen must be an IP address, --rfb-port 0..65535 and --speed above 0");
            return 2;
        }

        if (settings.SpicePort is < 0 or > 65535 || settings.SpiceTlsPort is < 0 or > 65535)
        {
            Console.Error.WriteLine("error: --spice-port and --spice-tls-port must be 0..65535");
            return 2;
        }

        if (settings.SpiceTlsPort is not null && settings.TlsCertificate is null)
        {
            Console.Error.WriteLine("error: --spice-tls-port needs --tls-cert");
            return 2;
        }

        RfbServerOptions options;
        try
        {
            options = new RfbServerOptions
            {
                DesktopName = Path.GetFileNameWithoutExtension(settings.Trace),
                Password = settings.Password,
                TlsCertificate = settings.TlsCertificate is null ? null : X509CertificateLoader.LoadPkcs12FromFile(settings.TlsCertificate, null),
                TightGradient = settings.TightGradient,
            };
        }
        catch (System.Security.Cryptography.CryptographicException ex)
        {
            Console.Error.WriteLine($"error: --tls-cert: {ex.Message}");
            return 2;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (settings.Duration > 0)
        {
            stop.CancelAfter(TimeSpan.FromSeconds(settings.Duration));
        }

        var device = new TraceReplayDevice(settings.Trace, new TraceReplayOptions { Loop = settings.Loop, Speed = settings.Speed });
        var display = new DisplayHost(device, logger);
        await using (display.ConfigureAwait(false))
        {
            RfbHost rfb;
            SpiceHost? spice;
            try
            {
                rfb = new RfbHost(display, new IPEndPoint(address, settings.RfbPort), options, logger);
                spice = settings.SpicePort is int spicePort
                    ? new SpiceHost(
                        display.Display, new IPEndPoint(address, spicePort), new SpiceServerOptions { Password = settings.Password }, logger,
                        settings.SpiceTlsPort is int tlsPort ? new IPEndPoint(address, tlsPort) : null, options.TlsCertificate)
                    : null;
            }
            catch (ArgumentException ex)
            {
                Console.Error.WriteLine($"error: {ex.Message}");
                return 2;
            }

            await using (rfb.ConfigureAwait(false))
            {
                try
                {
                    await display.StartAsync(stop.Token).ConfigureAwait(false);
                    await rfb.StartAsync(stop.Token).ConfigureAwait(false);
                    spice?.Start();
                }
                catch (System.Net.Sockets.SocketException ex)
                {
                    Console.Error.WriteLine($"error: cannot listen on {settings.Listen}: {ex.Message}");
                    if (spice is not null)
                    {
                        await spice.DisposeAsync().ConfigureAwait(false);
                    }

                    return 1;
                }

                Console.Error.WriteLine(
                    $"serving {device.Name} ({display.Display.Mode}) on {settings.Listen} — VNC: vncviewer {settings.Listen}::{rfb.Port}, " +
                    $"noVNC: ws://{settings.Listen}:{rfb.Port}/" +
                    (spice is null ? "" : $", SPICE: remote-viewer spice://{settings.Listen}:{spice.Port}, spice-html5: ws://{settings.Listen}:{spice.Port}") +
                    (spice?.TlsPort is int boundTlsPort ? $", SPICE TLS: spicy -h {settings.Listen} -s {boundTlsPort}" : "") +
                    " — Ctrl-C to stop");
                try
                {
                    await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }

                if (spice is not null)
                {
                    await spice.DisposeAsync().ConfigureAwait(false);
                }

                PrintStatistics(rfb, spice);
            }
        }

        return 0;
    }

    /// <summary>One line per client (plain text: the output is often a log file or a narrow terminal).</summary>
    private static void PrintStatistics(RfbHost host, SpiceHost? spice)
    {
        IReadOnlyList<RfbClientStatistics> clients = [.. host.Server.FinishedClients, .. host.Server.Clients];
        Console.WriteLine($"RFB clients: {clients.Count}");
        foreach (RfbClientStatistics client in clients)
        {
            Console.WriteLine($"  {client}; ended: {client.DisconnectReason ?? "still connected"}");
        }

        if (spice is not null)
        {
            SpiceDisplayStatistics totals = spice.Server.DisplayTotals;
            Console.WriteLine(
                $"SPICE display channels: {totals.Updates} updates, {totals.ImageDraws} images, {totals.Fills} fills, {totals.CopyBits} COPY_BITS, " +
                $"cache {totals.CacheHits} hits / {totals.CacheInserts} inserts; by type: " +
                string.Join(", ", Enum.GetValues<SpiceImageType>().Where(t => totals.ImageCount(t) > 0).Select(t => $"{t} {totals.ImageCount(t)} ({totals.ImageBytes(t) / 1024} KiB)")));
        }

        var display = host.Display.Statistics;
        Console.WriteLine($"display: {display.Frames} frames scanned once for all clients, {display.CopiesFound} copies found");
    }
}
