using System.Buffers.Binary;
using Codecs.Rfb;
using Encoders.Rfb;
using Fuzz.Sessions;

namespace Fuzz.Targets;

/// <summary>
/// Everything an RFB client sends on one connection — version, security choice, VNC authentication response,
/// ClientInit and the message stream (SetPixelFormat, SetEncodings, update requests, keys, pointer, cut text, fences,
/// continuous updates, QEMU messages) — played into a real <see cref="RfbServer"/> session on a shared display.
/// Byte 0 picks the server: bit 0 requires VNC authentication. The server must end the connection by itself once the
/// input ends, and never let anything but its documented client errors out.
/// </summary>
public sealed class RfbSessionFuzzer : IFuzzer
{
    private static readonly Lazy<RfbServer> s_open = new(() => new RfbServer(StillDisplay.Instance, new RfbServerOptions { HandshakeTimeout = PipeSession.Limit }));
    private static readonly Lazy<RfbServer> s_password = new(() => new RfbServer(StillDisplay.Instance, new RfbServerOptions { Password = "fuzz", HandshakeTimeout = PipeSession.Limit }));

    public string Name => "RfbSession";

    public void FuzzTarget(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return;
        }

        RfbServer server = (input[0] & 1) != 0 ? s_password.Value : s_open.Value;
        PipeSession.Run(input[1..], (pipe, cancellationToken) => server.ServeAsync(pipe, "fuzz", cancellationToken));
    }

    public IEnumerable<byte[]> CreateSeeds()
    {
        foreach (string version in (string[])["RFB 003.008\n", "RFB 003.007\n", "RFB 003.003\n", "RFB 003.889\n"])
        {
            yield return Session(version, password: false, Messages(16));
            yield return Session(version, password: false, Messages(32));
        }

        yield return Session("RFB 003.008\n", password: true, Messages(8));
    }

    private static byte[] Session(string version, bool password, byte[] messages)
    {
        var bytes = new List<byte> { password ? (byte)1 : (byte)0 };
        bytes.AddRange(System.Text.Encoding.ASCII.GetBytes(version));
        bool chooses = version is not "RFB 003.003\n";
        if (password)
        {
            if (chooses)
            {
                bytes.Add(2);
            }

            bytes.AddRange(new byte[16]); // a wrong DES response: the server must refuse and close
        }
        else if (chooses)
        {
            bytes.Add(1);
        }

        bytes.Add(1); // ClientInit: shared
        bytes.AddRange(messages);
        return [.. bytes];
    }

    /// <summary>One of each client message, with the given bits per pixel in SetPixelFormat.</summary>
    private static byte[] Messages(int bitsPerPixel)
    {
        var output = new List<byte>();
        Span<byte> buffer = stackalloc byte[64];

        // SetPixelFormat: bpp, depth, big-endian, true-colour, maxima, shifts.
        output.AddRange([0, 0, 0, 0, (byte)bitsPerPixel, (byte)(bitsPerPixel == 32 ? 24 : 16), 1, 1]);
        output.AddRange(bitsPerPixel == 32 ? [0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0] : [0, 31, 0, 63, 0, 31, 11, 5, 0, 0, 0, 0]);

        int[] encodings =
        [
            RfbEncoding.Tight, RfbEncoding.Zrle, RfbEncoding.Hextile, RfbEncoding.Rre, RfbEncoding.CopyRect, RfbEncoding.Raw,
            RfbEncoding.QualityLevel0 + 6, RfbEncoding.CompressLevel0 + 2, RfbEncoding.LastRect, RfbEncoding.DesktopSize,
            -239, -258, -308, -312, -313,
        ];
        output.AddRange([2, 0, 0, (byte)encodings.Length]);
        foreach (int encoding in encodings)
        {
            BinaryPrimitives.WriteInt32BigEndian(buffer, encoding);
            output.AddRange(buffer[..4]);
        }

        output.AddRange([3, 0, 0, 0, 0, 0, 0, 96, 0, 64]); // full update request
        output.AddRange([4, 1, 0, 0, 0, 0, 0, 0x61]); // key 'a' down
        output.AddRange([5, 1, 0, 10, 0, 20]); // pointer with button 1
        output.AddRange([6, 0, 0, 0, 0, 0, 0, 3, (byte)'a', (byte)'b', (byte)'c']); // cut text
        output.AddRange([248, 0, 0, 0, 0, 0, 0, 3, 2, 1, 2, 3]); // fence, request flag, 3 payload bytes
        output.AddRange([150, 1, 0, 0, 0, 0, 0, 96, 0, 64]); // enable continuous updates
        output.AddRange([255, 0, 0, 1, 0, 0, 0, 0x62, 0, 0, 0, 0x30]); // QEMU extended key event
        output.AddRange([3, 1, 0, 0, 0, 0, 0, 96, 0, 64]); // incremental update request
        return [.. output];
    }
}
