using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Codecs.Spice.Choice;
using Damage.Device;
using Encoders.Spice.Tests.Support;
using Xunit;

namespace Encoders.Spice.Tests;

/// <summary>
/// The adapter against spice-gtk's spicy-screenshot (package spice-client-gtk, installed by .ci/install-deps) over
/// real TCP. spicy-screenshot captures the primary surface at the first draw, which the server always sends as the
/// whole frame in one image; a later frame is checked by reconnecting after incremental updates.
/// </summary>
public sealed class RealClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<SpiceImageCompression> LosslessModes =>
        [SpiceImageCompression.Quic, SpiceImageCompression.Lz, SpiceImageCompression.Glz, SpiceImageCompression.Lz4, SpiceImageCompression.Off];

    [Theory]
    [MemberData(nameof(LosslessModes))]
    public async Task SpicyScreenshot_ShowsTheSourceFrame_PixelForPixel(SpiceImageCompression mode)
    {
        var device = new SteppedDevice(new TraceReplayDevice(Corpus.Trace("window-drag"), new TraceReplayOptions { RealTime = false }));
        await using var harness = new ServerHarness(device, new SpiceServerOptions { ForcedCompression = mode });
        await using var host = new TcpTestHost(harness.Server);
        device.Step();
        await device.WaitHandedAsync(Ct);

        Ppm first = await ExternalClient.ScreenshotAsync(host.Port, null, Ct);
        Assert.Equal((device.Mode.Width, device.Mode.Height), (first.Width, first.Height));
        Assert.Equal(0, first.CountDifferences(device.LatestFrame!.Pixels, device.LatestFrame.Stride));
        AssertImagesOfType(harness.Server, mode);

        // Move the display on while an in-memory client takes incremental updates, then reconnect the real client.
        (TestChannel main, uint session) = await harness.ConnectMainAsync(cancellationToken: Ct);
        await using (main)
        {
            using var incremental = new DisplayClientReader(await harness.ConnectDisplayAsync(session, cancellationToken: Ct), harness.Server, session);
            await using (incremental.Channel)
            {
                for (int i = 0; i < 8; i++)
                {
                    device.Step();
                    await device.WaitHandedAsync(Ct);
                    await incremental.CatchUpAsync(device.LatestFrame!.Pixels, device.LatestFrame.Stride, Ct);
                }
            }
        }

        Ppm later = await ExternalClient.ScreenshotAsync(host.Port, null, Ct);
        Assert.Equal(0, later.CountDifferences(device.LatestFrame!.Pixels, device.LatestFrame.Stride));
    }

    [Fact]
    public async Task SpicyScreenshot_Ticket_RightPasswordAccepted_WrongRejected()
    {
        var device = new ManualDevice(320, 200);
        await using var harness = new ServerHarness(device, new SpiceServerOptions { Password = "open sesame" });
        await using var host = new TcpTestHost(harness.Server);
        device.Publish(view => DisplayTests.Pattern(view, 9));
        await device.WaitHandedAsync(Ct);

        Ppm shot = await ExternalClient.ScreenshotAsync(host.Port, "open sesame", Ct);
        Assert.Equal(0, shot.CountDifferences(device.Snapshot, 320 * 4));
        Assert.NotEqual(0, await ExternalClient.ScreenshotExitCodeAsync(host.Port, "wrong", Ct));
    }

    [Fact]
    public async Task SpicyScreenshot_Ticket_ExpiredPasswordRejected()
    {
        var device = new ManualDevice(320, 200);
        var options = new SpiceServerOptions { Password = "open sesame", PasswordExpiry = DateTimeOffset.UtcNow.AddMinutes(-1) };
        await using var harness = new ServerHarness(device, options);
        await using var host = new TcpTestHost(harness.Server);
        device.Publish(view => DisplayTests.Pattern(view, 9));
        await device.WaitHandedAsync(Ct);

        // The right password, but its validity ended: spice-gtk gets a permission error and captures nothing.
        Assert.NotEqual(0, await ExternalClient.ScreenshotExitCodeAsync(host.Port, "open sesame", Ct));
        Assert.Empty(harness.Server.Clients);
    }

    [Fact]
    public async Task SpicyScreenshot_OverTls_WithTheCaInSslCertFile()
    {
        using X509Certificate2 certificate = CreateLoopbackCertificate();
        string caFile = Path.Combine(Path.GetTempPath(), $"spice-ca-{Guid.NewGuid():N}.pem");
        await File.WriteAllTextAsync(caFile, certificate.ExportCertificatePem(), Ct);
        try
        {
            var device = new ManualDevice(320, 200);
            await using var harness = new ServerHarness(device, new SpiceServerOptions { ForcedCompression = SpiceImageCompression.Lz });
            await using var host = new TcpTestHost(harness.Server, certificate);
            device.Publish(view => DisplayTests.Pattern(view, 11));
            await device.WaitHandedAsync(Ct);

            Ppm shot = await ExternalClient.ScreenshotAsync(host.Port, null, Ct, caFile);
            Assert.Equal(0, shot.CountDifferences(device.Snapshot, 320 * 4));
        }
        finally
        {
            File.Delete(caFile);
        }
    }

    // Self-signed, usable as its own CA, with subjectAltName IP:127.0.0.1 (spice-gtk checks the name against -h).
    private static X509Certificate2 CreateLoopbackCertificate()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.KeyCertSign, false));
        using X509Certificate2 created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }

    private static void AssertImagesOfType(SpiceServer server, SpiceImageCompression mode)
    {
        SpiceImageType type = mode switch
        {
            SpiceImageCompression.Quic => SpiceImageType.Quic,
            SpiceImageCompression.Lz => SpiceImageType.LzRgb,
            SpiceImageCompression.Glz => SpiceImageType.GlzRgb,
            SpiceImageCompression.Lz4 => SpiceImageType.Lz4,
            _ => SpiceImageType.Bitmap,
        };

        // The session is gone once spicy-screenshot exits; the server-wide totals keep its counters.
        Assert.True(server.DisplayTotals.ImageCount(type) >= 1, $"no {type} image was sent");
    }
}
