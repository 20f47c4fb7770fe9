using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Encoders.Rfb;
using TestSupport;
using Xunit;

namespace Server.Tests.Interop;

/// <summary>
/// VeNCrypt over TLS with a real Debian client: TigerVNC's vncviewer (gnutls) on an Xvfb screen trusts a self-signed
/// certificate given with -X509CA, negotiates VeNCrypt X509None or X509Plain (user name and password from
/// VNC_USERNAME / VNC_PASSWORD), and the viewer window must equal the held trace frame pixel for pixel; a wrong
/// X509Plain password must be refused. The viewer runs with its default TLS priorities: the server's default
/// (<c>RfbServerOptions.TlsProtocols</c>, TLS 1.2) avoids vncviewer 1.12's stall after a TLS 1.3 handshake. (gtk-vnc's gvnccapture cannot be used here: it looks for its CA only in
/// /etc/pki and the passwd home directory, ignoring $HOME, so a test cannot make it trust its own certificate.)
/// </summary>
public sealed class VeNCryptInteropTests
{
    [Theory]
    [InlineData(null, null, "VeNCrypt X509None")]
    [InlineData("secret", "secret", "VeNCrypt X509Plain")]
    public async Task Vncviewer_VeNCrypt_ScreenshotEqualsTheFrame(string? serverPassword, string? clientPassword, string security)
    {
        InteropServer.RequireTool("/usr/bin/Xvfb");
        string viewer = InteropServer.RequireTool("/usr/bin/vncviewer");
        string import = InteropServer.RequireTool("/usr/bin/import");
        using X509Certificate2 certificate = CreateSelfSignedCa();
        await using InteropServer server = await InteropServer.StartAsync(
            "window-drag.fbt", 20, new RfbServerOptions { TlsCertificate = certificate, Password = serverPassword });
        string home = Directory.CreateTempSubdirectory("vncviewer-tls-home").FullName;
        string ca = Path.Combine(home, "ca.pem");
        await File.WriteAllTextAsync(ca, certificate.ExportCertificatePem(), TestContext.Current.CancellationToken);
        using XvfbDisplay x = XvfbDisplay.Start(server.Device.Mode.Width + 128, server.Device.Mode.Height + 200);
        using ClientProcess vnc = TigerVncViewerTests.Start(
            viewer,
            [
                "-display", x.Name, "-PreferredEncoding=ZRLE", "-AutoSelect=0", "-FullColor=1", "-NoJPEG=1",
                $"-SecurityTypes={(serverPassword is null ? "X509None" : "X509Plain")}", $"-X509CA={ca}",
                "-RemoteResize=0", "-Shared=1", "-geometry", $"{server.Device.Mode.Width}x{server.Device.Mode.Height}+0+0",
                $"127.0.0.1::{server.Port}",
            ],
            home,
            delayMs: 500,
            Credentials(clientPassword));
        try
        {
            string png = Path.Combine(home, "screen.png");
            string result = "no screenshot";
            for (int attempt = 0; attempt < 30 && result != "identical"; attempt++)
            {
                await Task.Delay(1000, TestContext.Current.CancellationToken);
                Assert.False(vnc.HasExited, "vncviewer exited: " + vnc.Errors);
                Assert.True(server.Host.Server.FinishedClients.Count == 0, "the server ended the session: " + string.Join("; ", server.Host.Server.FinishedClients.Select(c => c.DisconnectReason)) + "; vncviewer: " + vnc.Errors);
                if (server.Host.Server.Clients is not [{ Updates: > 0 }])
                {
                    continue;
                }

                (int exit, string log) = await InteropServer.RunAsync(import, ["-display", x.Name, "-window", "root", png], TimeSpan.FromSeconds(30));
                Assert.True(exit == 0, "import failed: " + log);
                (int left, int top) = await TigerVncViewerTests.FindViewerWindowAsync(x.Name, server.Device.Mode.Width, server.Device.Mode.Height);
                (byte[] rgb, string convertLog) = await InteropServer.ReadRgbAsync(png, $"{server.Device.Mode.Width}x{server.Device.Mode.Height}+{left}+{top}");
                result = rgb.Length == 0 ? "convert failed: " + convertLog : InteropServer.Compare(server.Device.LatestFrame!.ToRgb24(), rgb, server.Device.Mode.Width, 3);
            }

            Assert.True(result == "identical", result + "; vncviewer: " + vnc.Errors);
            RfbClientStatistics client = Assert.Single(server.Host.Server.Clients);
            Assert.Equal(security, client.Security);
        }
        finally
        {
            vnc.Dispose();
            Directory.Delete(home, recursive: true);
        }
    }

    [Fact]
    public async Task Vncviewer_VeNCryptX509Plain_WrongPasswordIsRefused()
    {
        InteropServer.RequireTool("/usr/bin/Xvfb");
        string viewer = InteropServer.RequireTool("/usr/bin/vncviewer");
        using X509Certificate2 certificate = CreateSelfSignedCa();
        await using InteropServer server = await InteropServer.StartAsync(
            "window-drag.fbt", 20, new RfbServerOptions { TlsCertificate = certificate, Password = "secret" });
        string home = Directory.CreateTempSubdirectory("vncviewer-tls-home").FullName;
        string ca = Path.Combine(home, "ca.pem");
        await File.WriteAllTextAsync(ca, certificate.ExportCertificatePem(), TestContext.Current.CancellationToken);
        using XvfbDisplay x = XvfbDisplay.Start(1024, 768);
        using ClientProcess vnc = TigerVncViewerTests.Start(
            viewer,
            ["-display", x.Name, "-SecurityTypes=X509Plain", $"-X509CA={ca}", $"127.0.0.1::{server.Port}"],
            home,
            delayMs: 500,
            Credentials("wrong"));
        try
        {
            RfbClientStatistics client = await server.WaitForFinishedClientAsync();
            Assert.StartsWith("authentication failed", client.DisconnectReason, StringComparison.Ordinal);
            Assert.Empty(server.Host.Server.Clients);
        }
        finally
        {
            vnc.Dispose();
            Directory.Delete(home, recursive: true);
        }
    }

    private static Dictionary<string, string> Credentials(string? password) =>
        password is null ? [] : new Dictionary<string, string> { ["VNC_USERNAME"] = "user", ["VNC_PASSWORD"] = password };

    /// <summary>
    /// A self-signed RSA 2048 certificate for 127.0.0.1 and localhost that is its own CA (gnutls only trusts a CA
    /// certificate as an anchor), with its private key for the server's SslStream.
    /// </summary>
    internal static X509Certificate2 CreateSelfSignedCa()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.KeyCertSign, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        using X509Certificate2 created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        // Through PFX so the private key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }
}
