using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Encoders.Rfb;

/// <summary>Settings of an <see cref="RfbServer"/>, shared by all its clients.</summary>
public sealed record RfbServerOptions
{
    /// <summary>Desktop name sent in ServerInit.</summary>
    public string DesktopName { get; init; } = "Codecs RFB server";

    /// <summary>VNC authentication password; null offers security type None.</summary>
    public string? Password { get; init; }

    /// <summary>Certificate for VeNCrypt X509None / X509Plain (TLS through SslStream); null offers no VeNCrypt.</summary>
    public X509Certificate2? TlsCertificate { get; init; }

    /// <summary>
    /// TLS versions VeNCrypt accepts. TLS 1.2 only by default: TigerVNC's vncviewer 1.12 (Debian 12) stalls after a
    /// TLS 1.3 handshake with this server until the handshake times out, in most connections (reproduced by
    /// <c>VeNCryptInteropTests</c>); add <see cref="SslProtocols.Tls13"/> when every client is newer.
    /// </summary>
    public SslProtocols TlsProtocols { get; init; } = SslProtocols.Tls12;

    /// <summary>
    /// Pixel encodings the server may choose from (default: every one it produces); the client's first listed encoding
    /// in this set wins, Raw when none is. Restricting it forces an encoding on clients that offer no choice (gvnccapture).
    /// </summary>
    public IReadOnlyList<int>? Encodings { get; init; }

    /// <summary>
    /// Send natural-looking full-colour areas (photos, video) through Tight's gradient filter (lossless). At the
    /// default compression level this takes a third of the bytes and runs at several times the speed of the copy
    /// filter with zlib (docs/benchmarks.md). It is off by default because noVNC 1.3 rejects the filter. TigerVNC,
    /// gtk-vnc, libvncclient and noVNC from 1.4 decode it, so turn it on when no client runs noVNC 1.3.
    /// </summary>
    public bool TightGradient { get; init; }

    /// <summary>
    /// Whether Tight may send JPEG when the client asks for it with a quality level (the default). When false, every
    /// update is lossless, whatever the client asks (QEMU's <c>lossy=off</c>). noVNC always sends a quality level.
    /// </summary>
    public bool AllowLossy { get; init; } = true;

    /// <summary>Longest ClientCutText accepted; a longer one drops the client.</summary>
    public int MaxCutTextLength { get; init; } = 1 << 20;

    /// <summary>Time a client has for the whole handshake (version, security, ClientInit).</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
