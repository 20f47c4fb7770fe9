using System.Net;
using System.Security.Cryptography.X509Certificates;
using Codecs.Spice.Choice;
using Damage.Device;
using Encoders.Spice;
using Microsoft.Extensions.Logging;
using Server.Hosting;
using Xunit;

namespace Server.Tests.Interop;

/// <summary>
/// <see cref="SpiceHost"/>'s TLS port (what <c>serve --spice-tls-port</c> opens) with the real spicy-screenshot: a
/// client that does not speak TLS is dropped without harming the server, and a TLS client trusting the certificate
/// through <c>SSL_CERT_FILE</c> captures the served frame pixel for pixel.
/// </summary>
public sealed class SpiceTlsPortTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SpicyScreenshot_OverTheTlsPort_EqualsTheFrame_AndAPlainClientIsDropped()
    {
        string screenshot = InteropServer.RequireTool("/usr/bin/spicy-screenshot");
        string directory = Directory.CreateTempSubdirectory("spice-tls-").FullName;
        using X509Certificate2 certificate = VeNCryptInteropTests.CreateSelfSignedCa();
        string caFile = Path.Combine(directory, "ca.pem");
        await File.WriteAllTextAsync(caFile, certificate.ExportCertificatePem(), Ct);

        ILogger logger = new ConsoleLogger(LogLevel.Information, TextWriter.Null);
        var device = new SteppedDevice(
            new TraceReplayDevice(Path.Combine(ToolRunner.RepositoryRoot, "corpus", "window-drag.fbt"), new TraceReplayOptions { RealTime = false }),
            initialSteps: 1);
        await using var display = new DisplayHost(device, logger);
        await display.StartAsync(Ct);
        await device.WaitHandedAsync(Ct);
        await using var host = new SpiceHost(
            display.Display, new IPEndPoint(IPAddress.Loopback, 0), new SpiceServerOptions { ForcedCompression = SpiceImageCompression.Lz }, logger,
            new IPEndPoint(IPAddress.Loopback, 0), certificate);
        host.Start();
        string tlsPort = host.TlsPort!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            // A plain SPICE link on the TLS port is not a TLS handshake: the connection is dropped.
            string plainShot = Path.Combine(directory, "plain.ppm");
            (int plainExit, string plainLog) = await InteropServer.RunAsync(screenshot, ["-h", "127.0.0.1", "-p", tlsPort, "-o", plainShot], TimeSpan.FromSeconds(60));
            Assert.True(plainExit != 0 && !File.Exists(plainShot), "a plain client got a picture from the TLS port: " + plainLog);

            string tlsShot = Path.Combine(directory, "tls.ppm");
            (int exit, string log) = await InteropServer.RunAsync(
                screenshot, ["-h", "127.0.0.1", "-s", tlsPort, "-o", tlsShot], TimeSpan.FromSeconds(60), new Dictionary<string, string> { ["SSL_CERT_FILE"] = caFile });
            Assert.True(exit == 0, "spicy-screenshot over TLS failed: " + log);
            (byte[] rgb, string convertLog) = await InteropServer.ReadRgbAsync(tlsShot);
            Assert.True(rgb.Length > 0, convertLog);
            Assert.Equal("identical", InteropServer.Compare(device.LatestFrame!.ToRgb24(), rgb, device.LatestFrame.Width, 3));
            Assert.True(host.Server.DisplayTotals.ImageCount(SpiceImageType.LzRgb) > 0, "no LZ images were sent");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
