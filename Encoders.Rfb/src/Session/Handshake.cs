using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.Security;
using System.Security.Cryptography;
using System.Text;
using Codecs;
using Codecs.Pixels;
using Encoders.Rfb.Protocol;
using Encoders.Rfb.Security;

namespace Encoders.Rfb.Session;

/// <summary>What the handshake settled; <c>Transport</c> is the pipe to continue on (the TLS pipe after VeNCrypt).</summary>
internal sealed record HandshakeResult(RfbVersion Version, string Security, bool Shared, IDuplexPipe Transport);

/// <summary>
/// The server side of ProtocolVersion, security (None, VNC authentication, VeNCrypt X509None/X509Plain over TLS),
/// ClientInit and ServerInit (rfbproto §7.1–7.3).
/// </summary>
internal static class Handshake
{
    public const byte SecurityNone = 1;
    public const byte SecurityVncAuth = 2;
    public const byte SecurityVeNCrypt = 19;
    public const uint VeNCryptX509None = 260;
    public const uint VeNCryptX509Plain = 262;
    private const int MaxPlainCredential = 1024;

    public static async Task<HandshakeResult> RunAsync(IDuplexPipe pipe, RfbServerOptions options, int width, int height, CancellationToken cancellationToken)
    {
        // gtk-vnc sends "RFB " before it reads the greeting; those bytes just wait in the pipe.
        await WriteAsync(pipe.Output, RfbVersionString.Server.ToArray(), cancellationToken).ConfigureAwait(false);
        byte[] versionText = await pipe.Input.ReadExactlyAsync(RfbVersionString.Length, cancellationToken).ConfigureAwait(false);
        RfbVersion version = RfbVersionString.Parse(versionText);

        (string security, IDuplexPipe transport) = await NegotiateSecurityAsync(pipe, version, options, cancellationToken).ConfigureAwait(false);

        byte[] clientInit = await transport.Input.ReadExactlyAsync(1, cancellationToken).ConfigureAwait(false);
        byte[] name = Encoding.UTF8.GetBytes(options.DesktopName);
        byte[] serverInit = new byte[24 + name.Length];
        BinaryPrimitives.WriteUInt16BigEndian(serverInit, (ushort)width);
        BinaryPrimitives.WriteUInt16BigEndian(serverInit.AsSpan(2), (ushort)height);
        PixelFormat.Bgrx32.WriteWire(serverInit.AsSpan(4));
        BinaryPrimitives.WriteUInt32BigEndian(serverInit.AsSpan(20), (uint)name.Length);
        name.CopyTo(serverInit, 24);
        await WriteAsync(transport.Output, serverInit, cancellationToken).ConfigureAwait(false);
        return new HandshakeResult(version, security, clientInit[0] != 0, transport);
    }

    /// <summary>The security types offered, in the server's order of preference (TigerVNC takes the server's order).</summary>
    public static byte[] OfferedTypes(RfbServerOptions options)
    {
        var types = new List<byte>();
        if (options.TlsCertificate is not null)
        {
            types.Add(SecurityVeNCrypt);
        }

        types.Add(options.Password is null ? SecurityNone : SecurityVncAuth);
        return [.. types];
    }

    private static async Task<(string Security, IDuplexPipe Transport)> NegotiateSecurityAsync(
        IDuplexPipe pipe, RfbVersion version, RfbServerOptions options, CancellationToken cancellationToken)
    {
        byte chosen;
        if (version == RfbVersion.Rfb33)
        {
            // 3.3: the server decides and sends a U32 (VeNCrypt needs 3.7+).
            chosen = options.Password is null ? SecurityNone : SecurityVncAuth;
            byte[] type = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(type, chosen);
            await WriteAsync(pipe.Output, type, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            byte[] offered = OfferedTypes(options);
            await WriteAsync(pipe.Output, [(byte)offered.Length, .. offered], cancellationToken).ConfigureAwait(false);
            chosen = (await pipe.Input.ReadExactlyAsync(1, cancellationToken).ConfigureAwait(false))[0];
            if (Array.IndexOf(offered, chosen) < 0)
            {
                await FailAsync(pipe.Output, version, $"security type {chosen} was not offered", cancellationToken).ConfigureAwait(false);
            }
        }

        switch (chosen)
        {
            case SecurityNone:
                if (version == RfbVersion.Rfb38)
                {
                    await WriteAsync(pipe.Output, [0, 0, 0, 0], cancellationToken).ConfigureAwait(false);
                }

                return ("None", pipe);
            case SecurityVncAuth:
                await VncAuthenticateAsync(pipe, version, options.Password!, cancellationToken).ConfigureAwait(false);
                return ("VncAuth", pipe);
            default:
                return await VeNCryptAsync(pipe, version, options, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task VncAuthenticateAsync(IDuplexPipe pipe, RfbVersion version, string password, CancellationToken cancellationToken)
    {
        var authentication = new VncAuthentication(password);
        byte[] challenge = VncAuthentication.CreateChallenge();
        await WriteAsync(pipe.Output, challenge, cancellationToken).ConfigureAwait(false);
        byte[] response = await pipe.Input.ReadExactlyAsync(VncAuthentication.ChallengeSize, cancellationToken).ConfigureAwait(false);
        if (!authentication.Verify(challenge, response))
        {
            await FailAsync(pipe.Output, version, "authentication failed", cancellationToken).ConfigureAwait(false);
        }

        await WriteAsync(pipe.Output, [0, 0, 0, 0], cancellationToken).ConfigureAwait(false);
    }

    private static async Task<(string Security, IDuplexPipe Transport)> VeNCryptAsync(
        IDuplexPipe pipe, RfbVersion version, RfbServerOptions options, CancellationToken cancellationToken)
    {
        await WriteAsync(pipe.Output, [0, 2], cancellationToken).ConfigureAwait(false);
        byte[] clientVersion = await pipe.Input.ReadExactlyAsync(2, cancellationToken).ConfigureAwait(false);
        if (clientVersion[0] != 0 || clientVersion[1] != 2)
        {
            await WriteAsync(pipe.Output, [0xFF], cancellationToken).ConfigureAwait(false);
            throw new RfbAuthenticationException($"VeNCrypt version {clientVersion[0]}.{clientVersion[1]} is not 0.2");
        }

        uint subtype = options.Password is null ? VeNCryptX509None : VeNCryptX509Plain;
        byte[] offer = new byte[6];
        offer[0] = 0; // ack
        offer[1] = 1; // one subtype
        BinaryPrimitives.WriteUInt32BigEndian(offer.AsSpan(2), subtype);
        await WriteAsync(pipe.Output, offer, cancellationToken).ConfigureAwait(false);
        uint chosen = BinaryPrimitives.ReadUInt32BigEndian(await pipe.Input.ReadExactlyAsync(4, cancellationToken).ConfigureAwait(false));
        if (chosen != subtype)
        {
            await WriteAsync(pipe.Output, [0], cancellationToken).ConfigureAwait(false);
            throw new RfbAuthenticationException($"VeNCrypt subtype {chosen} was not offered");
        }

        await WriteAsync(pipe.Output, [1], cancellationToken).ConfigureAwait(false);
        var tls = new SslStream(new DuplexPipeStream(pipe), leaveInnerStreamOpen: false);
        await tls.AuthenticateAsServerAsync(
            new SslServerAuthenticationOptions { ServerCertificate = options.TlsCertificate, ClientCertificateRequired = false, EnabledSslProtocols = options.TlsProtocols },
            cancellationToken).ConfigureAwait(false);
        var secure = new StreamDuplexPipe(tls);
        if (subtype == VeNCryptX509Plain)
        {
            byte[] lengths = await secure.Input.ReadExactlyAsync(8, cancellationToken).ConfigureAwait(false);
            uint userLength = BinaryPrimitives.ReadUInt32BigEndian(lengths);
            uint passwordLength = BinaryPrimitives.ReadUInt32BigEndian(lengths.AsSpan(4));
            if (userLength > MaxPlainCredential || passwordLength > MaxPlainCredential)
            {
                CodecDataException.Throw("rfb-handshake", 0, "VeNCrypt Plain credentials longer than 1024 bytes");
            }

            await secure.Input.ReadExactlyAsync((int)userLength, cancellationToken).ConfigureAwait(false);
            byte[] given = await secure.Input.ReadExactlyAsync((int)passwordLength, cancellationToken).ConfigureAwait(false);
            if (!CryptographicOperations.FixedTimeEquals(given, Encoding.UTF8.GetBytes(options.Password!)))
            {
                await FailAsync(secure.Output, version, "authentication failed", cancellationToken).ConfigureAwait(false);
            }
        }

        await WriteAsync(secure.Output, [0, 0, 0, 0], cancellationToken).ConfigureAwait(false);
        return (subtype == VeNCryptX509Plain ? "VeNCrypt X509Plain" : "VeNCrypt X509None", secure);
    }

    /// <summary>SecurityResult "failed" (with the reason in 3.8), then ends the handshake.</summary>
    private static async Task FailAsync(PipeWriter output, RfbVersion version, string reason, CancellationToken cancellationToken)
    {
        byte[] text = Encoding.UTF8.GetBytes(reason);
        byte[] message = new byte[version == RfbVersion.Rfb38 ? 8 + text.Length : 4];
        BinaryPrimitives.WriteUInt32BigEndian(message, 1);
        if (version == RfbVersion.Rfb38)
        {
            BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(4), (uint)text.Length);
            text.CopyTo(message, 8);
        }

        await WriteAsync(output, message, cancellationToken).ConfigureAwait(false);
        throw new RfbAuthenticationException(reason);
    }

    private static async ValueTask WriteAsync(PipeWriter output, byte[] bytes, CancellationToken cancellationToken)
    {
        await output.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
    }
}
