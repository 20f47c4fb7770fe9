using Codecs.Pixels;
using Codecs.Rfb;
using Encoders.Rfb.Tests.Support;
using Xunit;

namespace Encoders.Rfb.Tests;

/// <summary>Whole sessions over in-memory pipes against a corpus trace, checked with the independent decoders.</summary>
public sealed class ProtocolTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    public static TheoryData<string, byte, string?> VersionsAndSecurity => new()
    {
        { "RFB 003.003\n", 1, null },
        { "RFB 003.007\n", 1, null },
        { "RFB 003.008\n", 1, null },
        { "RFB 003.003\n", 2, "secret" },
        { "RFB 003.007\n", 2, "secret" },
        { "RFB 003.008\n", 2, "secret" },
        { "RFB 003.005\n", 1, null },
        { "RFB 003.889\n", 1, null },
        { "RFB 004.001\n", 1, null },
    };

    [Theory]
    [MemberData(nameof(VersionsAndSecurity))]
    public async Task Handshake_EachVersionAndSecurityType_ReachesAnExactPicture(string version, byte security, string? password)
    {
        await using ServerHarness harness = await ServerHarness.StartTraceAsync("terminal-scroll.fbt", new RfbServerOptions { Password = password }, Cancellation);
        (TestRfbClient client, Task<RfbClientStatistics> session) = harness.Connect();
        await client.HandshakeAsync(version, security, password, Cancellation);
        Assert.Equal(1920, client.Width);
        Assert.Equal(1080, client.Height);
        Assert.Equal(PixelFormat.Bgrx32, client.ServerFormat);
        await client.SetEncodingsAsync(Cancellation, RfbEncoding.Raw);
        await client.RequestUpdateAsync(incremental: false, Cancellation);
        await client.ReadPixelUpdateAsync(Cancellation);
        Assert.True(client.PictureEquals(harness.Device.LatestFrame!.ConvertTo(client.Format)));
        RfbClientStatistics statistics = Assert.Single(harness.Server.Clients);
        Assert.Equal(security == 2 ? "VncAuth" : "None", statistics.Security);
        await client.DisposeAsync();
        RfbClientStatistics final = await session;
        Assert.Equal("client disconnected", final.DisconnectReason);
    }

    [Theory]
    [InlineData("RFB 003.003\n")]
    [InlineData("RFB 003.007\n")]
    [InlineData("RFB 003.008\n")]
    public async Task VncAuthentication_WrongPassword_IsRefusedAndDropped(string version)
    {
        await using ServerHarness harness = await ServerHarness.StartTraceAsync("terminal-scroll.fbt", new RfbServerOptions { Password = "secret" }, Cancellation);
        (TestRfbClient client, Task<RfbClientStatistics> session) = harness.Connect();
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => client.HandshakeAsync(version, 2, "wrong", Cancellation));
        Assert.True(failure is AuthenticationFailedException or EndOfStreamException, failure.ToString());
        if (version == "RFB 003.008\n")
        {
            Assert.Contains("authentication failed", failure.Message, StringComparison.Ordinal);
        }

        RfbClientStatistics final = await session;
        Assert.StartsWith("authentication failed", final.DisconnectReason, StringComparison.Ordinal);
        await client.DisposeAsync();
    }

    [Fact]
    public async Task Security_TypeNotOffered_IsRefused()
    {
        await using ServerHarness harness = await ServerHarness.StartTraceAsync("terminal-scroll.fbt", new RfbServerOptions { Password = "secret" }, Cancellation);
        (TestRfbClient client, Task<RfbClientStatistics> session) = harness.Connect();
        await Assert.ThrowsAnyAsync<Exception>(() => client.HandshakeAsync("RFB 003.008\n", 1, null, Cancellation));
        RfbClientStatistics final = await session;
        Assert.Contains("not offered", final.DisconnectReason, StringComparison.Ordinal);
        await client.DisposeAsync();
    }

    [Fact]
    public async Task Handshake_GarbageVersion_IsDroppedWithAReason()
    {
        await using ServerHarness harness = await ServerHarness.StartTraceAsync("terminal-scroll.fbt", null, Cancellation);
        (TestRfbClient client, Task<RfbClientStatistics> session) = harness.Connect();
        await client.WriteAsync("GET / HTTP/1.1\r\n"u8.ToArray(), Cancellation);
        RfbClientStatistics final = await session;
        Assert.Contains("ProtocolVersion", final.DisconnectReason, StringComparison.Ordinal);
        await client.DisposeAsync();
    }

    [Theory]
    [InlineData(null, null, "VeNCrypt X509None", false)]
    [InlineData("secret", "secret", "VeNCrypt X509Plain", false)]
    [InlineData("secret", "secret", "VeNCrypt X509Plain", true)]
    [InlineData("secret", "wrong", null, false)]
    public async Task VeNCrypt_OverTls_NegotiatesAndServesOrRefuses(string? serverPassword, string? clientPassword, string? security, bool allowTls13)
    {
        System.Security.Authentication.SslProtocols protocols = allowTls13
            ? System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13
            : new RfbServerOptions().TlsProtocols;
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest(
            "CN=localhost", key, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        using System.Security.Cryptography.X509Certificates.X509Certificate2 certificate =
            request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        await using ServerHarness harness = await ServerHarness.StartTraceAsync(
            "terminal-scroll.fbt", new RfbServerOptions { Password = serverPassword, TlsCertificate = certificate, TlsProtocols = protocols }, Cancellation);
        (TestRfbClient client, Task<RfbClientStatistics> session) = harness.Connect();
        if (security is null)
        {
            await Assert.ThrowsAsync<AuthenticationFailedException>(() => client.HandshakeAsync("RFB 003.008\n", 19, clientPassword, Cancellation));
            Assert.StartsWith("authentication failed", (await session).DisconnectReason, StringComparison.Ordinal);
            await client.DisposeAsync();
            return;
        }

        await client.HandshakeAsync("RFB 003.008\n", 19, clientPassword, Cancellation);
        await client.SetEncodingsAsync(Cancellation, RfbEncoding.Raw);
        await client.RequestUpdateAsync(incremental: false, Cancellation);
        await client.ReadPixelUpdateAsync(Cancellation);
        Assert.True(client.PictureEquals(harness.Device.LatestFrame!.ConvertTo(client.Format)));
        Assert.Equal(security, Assert.Single(harness.Server.Clients).Security);
        // TLS 1.2 unless the server opts in to 1.3 (the .NET client offers both).
        Assert.Equal(allowTls13 ? System.Security.Authentication.SslProtocols.Tls13 : System.Security.Authentication.SslProtocols.Tls12, client.TlsProtocol);
        await client.DisposeAsync();
    }
}
