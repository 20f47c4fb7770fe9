using System.Security.Cryptography;
using System.Text;

namespace Server.Hosting;

/// <summary>
/// The server side of the RFC 6455 opening handshake: reads the HTTP GET (any path), checks the upgrade headers and
/// answers 101 with <c>Sec-WebSocket-Accept</c>, echoing <c>Sec-WebSocket-Protocol: binary</c> only when the client
/// offered it (noVNC ≥ 1.2 offers none, and browsers fail a handshake that names a protocol they did not offer).
/// </summary>
public static class WebSocketHandshake
{
    /// <summary>Longest request head accepted (QEMU's limit).</summary>
    public const int MaxRequestLength = 4096;

    private const string AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /// <summary>Runs the handshake on <paramref name="stream"/>; returns the negotiated subprotocol ("binary" or null).</summary>
    /// <exception cref="InvalidDataException">Not a WebSocket upgrade request (a 400 response was sent).</exception>
    public static async Task<string?> AcceptAsync(Stream stream, CancellationToken cancellationToken)
    {
        string head = await ReadHeadAsync(stream, cancellationToken).ConfigureAwait(false);
        string[] lines = head.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string line in lines.Skip(1))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                string name = line[..colon].Trim();
                string value = line[(colon + 1)..].Trim();
                headers[name] = headers.TryGetValue(name, out string? previous) ? previous + ", " + value : value;
            }
        }

        string? problem = lines.Length == 0 || !lines[0].StartsWith("GET ", StringComparison.Ordinal) ? "not a GET request"
            : !HasToken(headers, "Upgrade", "websocket") ? "no Upgrade: websocket"
            : !HasToken(headers, "Connection", "upgrade") ? "no Connection: Upgrade"
            : !headers.TryGetValue("Sec-WebSocket-Version", out string? version) || version != "13" ? "Sec-WebSocket-Version is not 13"
            : !headers.TryGetValue("Sec-WebSocket-Key", out string? key) || key.Length != 24 ? "missing or malformed Sec-WebSocket-Key"
            : null;
        if (problem is not null)
        {
            byte[] refusal = Encoding.ASCII.GetBytes(
                "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: " +
                (problem.Length + 2) + "\r\n\r\n" + problem + "\r\n");
            await stream.WriteAsync(refusal, cancellationToken).ConfigureAwait(false);
            throw new InvalidDataException("WebSocket handshake refused: " + problem);
        }

#pragma warning disable CA5350 // RFC 6455 defines the accept value with SHA-1; it is not used for security here.
        string accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(headers["Sec-WebSocket-Key"] + AcceptGuid)));
#pragma warning restore CA5350
        string? protocol = HasToken(headers, "Sec-WebSocket-Protocol", "binary") ? "binary" : null;
        string response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            "Sec-WebSocket-Accept: " + accept + "\r\n" +
            (protocol is null ? "" : "Sec-WebSocket-Protocol: binary\r\n") + "\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(response), cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        return protocol;
    }

    /// <summary>Reads up to the blank line byte by byte, so no byte after the head is consumed.</summary>
    private static async Task<string> ReadHeadAsync(Stream stream, CancellationToken cancellationToken)
    {
        byte[] head = new byte[MaxRequestLength];
        int length = 0;
        while (length < 4 || !head.AsSpan(length - 4, 4).SequenceEqual("\r\n\r\n"u8))
        {
            if (length == head.Length)
            {
                throw new InvalidDataException($"HTTP request head longer than {MaxRequestLength} bytes");
            }

            int read = await stream.ReadAsync(head.AsMemory(length, 1), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new EndOfStreamException("connection closed inside the HTTP request");
            }

            length += read;
        }

        return Encoding.Latin1.GetString(head, 0, length);
    }

    private static bool HasToken(Dictionary<string, string> headers, string name, string token) =>
        headers.TryGetValue(name, out string? value) &&
        value.Split(',').Any(part => part.Trim().Equals(token, StringComparison.OrdinalIgnoreCase));
}
