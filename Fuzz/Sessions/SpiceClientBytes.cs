using System.Buffers.Binary;
using Encoders.Spice;

namespace Fuzz.Sessions;

/// <summary>
/// A SPICE server to fuzz, and what a SPICE client writes to it, built byte by byte (the fuzz assembly sees only the server's public API): the REDQ
/// link message, the auth selection and ticket, and channel messages in the mini or the full header.
/// </summary>
internal static class SpiceClientBytes
{
    public const uint AuthSelectionCap = 1 << 0;
    public const uint MiniHeaderCap = 1 << 3;

    /// <summary>
    /// A server without a password (any ticket links) on the shared still display, with a short display-init wait,
    /// and the logger that counts its own failures. One per target, for the whole process, as a real server lives.
    /// </summary>
    public static (SpiceServer Server, FailureLogger Log) CreateServer()
    {
        var log = new FailureLogger();
        var options = new SpiceServerOptions { DisplayInitWait = TimeSpan.FromMilliseconds(10) };
        return (new SpiceServer(StillDisplay.Instance, options, log), log);
    }

    /// <summary>
    /// The link stage of one channel connection: header, link message (one common and one channel capability
    /// word), auth mechanism SPICE when <see cref="AuthSelectionCap"/> is set, and a 128-byte ticket (any ticket
    /// links a server without a password).
    /// </summary>
    public static List<byte> Link(byte channelType, uint connectionId, uint commonCaps)
    {
        var bytes = new byte[16 + 18 + 8];
        Span<byte> s = bytes;
        "REDQ"u8.CopyTo(s);
        BinaryPrimitives.WriteUInt32LittleEndian(s[4..], 2); // major
        BinaryPrimitives.WriteUInt32LittleEndian(s[8..], 2); // minor
        BinaryPrimitives.WriteUInt32LittleEndian(s[12..], 26); // link message size
        BinaryPrimitives.WriteUInt32LittleEndian(s[16..], connectionId); // 0: a new session
        s[20] = channelType;
        BinaryPrimitives.WriteUInt32LittleEndian(s[22..], 1); // common caps words
        BinaryPrimitives.WriteUInt32LittleEndian(s[26..], 1); // channel caps words
        BinaryPrimitives.WriteUInt32LittleEndian(s[30..], 18); // caps offset
        BinaryPrimitives.WriteUInt32LittleEndian(s[34..], commonCaps);
        BinaryPrimitives.WriteUInt32LittleEndian(s[38..], 0xFFFF);
        List<byte> connection = [.. bytes];
        if ((commonCaps & AuthSelectionCap) != 0)
        {
            connection.AddRange([1, 0, 0, 0]); // SPICE_COMMON_CAP_AUTH_SPICE
        }

        connection.AddRange(new byte[128]);
        return connection;
    }

    /// <summary>Appends one message with the header the capabilities select (full headers carry a serial).</summary>
    public static void Message(List<byte> output, uint commonCaps, ushort type, ReadOnlySpan<byte> body)
    {
        Span<byte> header = stackalloc byte[18];
        if ((commonCaps & MiniHeaderCap) != 0)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(header, type);
            BinaryPrimitives.WriteUInt32LittleEndian(header[2..], (uint)body.Length);
            output.AddRange(header[..6]);
        }
        else
        {
            BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)output.Count + 1);
            BinaryPrimitives.WriteUInt16LittleEndian(header[8..], type);
            BinaryPrimitives.WriteUInt32LittleEndian(header[10..], (uint)body.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(header[14..], 0);
            output.AddRange(header);
        }

        output.AddRange(body);
    }
}
