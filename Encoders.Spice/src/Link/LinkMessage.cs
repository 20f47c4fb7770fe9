using System.Buffers;
using System.Buffers.Binary;
using Codecs;
using Encoders.Spice.Protocol;

namespace Encoders.Spice.Link;

/// <summary>A client's <c>SpiceLinkHeader</c> + <c>SpiceLinkMess</c> + capabilities.</summary>
internal sealed record LinkMessage(uint ConnectionId, SpiceChannelType ChannelType, byte ChannelId, uint[] CommonCaps, uint[] ChannelCaps)
{
    public bool HasCommonCap(int cap) => SpiceCaps.Has(CommonCaps, cap);

    public bool HasChannelCap(int cap) => SpiceCaps.Has(ChannelCaps, cap);
}

/// <summary>Resumable parser and writer of the link stage (spice-protocol <c>protocol.h</c>).</summary>
internal static class LinkProtocol
{
    public const string FormatName = "spice-link";
    public const uint Magic = 0x51444552; // "REDQ" read as a little-endian u32
    public const uint MajorVersion = 2;
    public const uint MinorVersion = 2;
    public const int HeaderLength = 16;
    public const int LinkMessLength = 18;
    public const int LinkReplyLength = 178;
    public const int PublicKeyLength = 162;
    public const int MaxLinkSize = 4096;
    public const int TicketLength = 128;

    /// <summary>
    /// Takes the client's link message off <paramref name="buffer"/>; false when more bytes are needed. A wrong major
    /// version comes back as <paramref name="versionMismatch"/> (the server answers it before closing); anything else
    /// malformed throws <see cref="CodecDataException"/>.
    /// </summary>
    public static bool TryReadLinkMessage(ref ReadOnlySequence<byte> buffer, out LinkMessage? message, out bool versionMismatch)
    {
        message = null;
        versionMismatch = false;
        if (buffer.Length < HeaderLength)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[HeaderLength];
        buffer.Slice(0, HeaderLength).CopyTo(header);
        if (BinaryPrimitives.ReadUInt32LittleEndian(header) != Magic)
        {
            CodecDataException.Throw(FormatName, 0, "bad magic (expected REDQ)");
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) != MajorVersion)
        {
            versionMismatch = true;
            return true;
        }

        uint size = BinaryPrimitives.ReadUInt32LittleEndian(header[12..]);
        if (size is < LinkMessLength or > MaxLinkSize)
        {
            CodecDataException.Throw(FormatName, 12, $"link size {size} outside {LinkMessLength}..{MaxLinkSize}");
        }

        if (buffer.Length < HeaderLength + size)
        {
            return false;
        }

        byte[] body = buffer.Slice(HeaderLength, size).ToArray();
        uint connectionId = BinaryPrimitives.ReadUInt32LittleEndian(body);
        var channelType = (SpiceChannelType)body[4];
        byte channelId = body[5];
        uint commonCount = BinaryPrimitives.ReadUInt32LittleEndian(body.AsSpan(6));
        uint channelCount = BinaryPrimitives.ReadUInt32LittleEndian(body.AsSpan(10));
        uint capsOffset = BinaryPrimitives.ReadUInt32LittleEndian(body.AsSpan(14));
        ulong capsEnd = capsOffset + 4ul * ((ulong)commonCount + channelCount);
        if (capsOffset < LinkMessLength || capsEnd > size)
        {
            CodecDataException.Throw(FormatName, HeaderLength + 14, $"capabilities ({commonCount}+{channelCount} words at {capsOffset}) outside the {size}-byte link message");
        }

        var common = new uint[commonCount];
        var channel = new uint[channelCount];
        for (int i = 0; i < common.Length; i++)
        {
            common[i] = BinaryPrimitives.ReadUInt32LittleEndian(body.AsSpan((int)capsOffset + 4 * i));
        }

        for (int i = 0; i < channel.Length; i++)
        {
            channel[i] = BinaryPrimitives.ReadUInt32LittleEndian(body.AsSpan((int)capsOffset + 4 * (common.Length + i)));
        }

        message = new LinkMessage(connectionId, channelType, channelId, common, channel);
        buffer = buffer.Slice(HeaderLength + size);
        return true;
    }

    /// <summary>Header + SpiceLinkReply + caps; for an error, everything but the error code is zero and no caps follow.</summary>
    public static byte[] BuildReply(SpiceLinkError error, ReadOnlySpan<byte> publicKey, uint commonCaps, uint channelCaps)
    {
        bool ok = error == SpiceLinkError.Ok;
        int capsWords = ok ? 2 : 0;
        var reply = new byte[HeaderLength + LinkReplyLength + 4 * capsWords];
        Span<byte> span = reply;
        BinaryPrimitives.WriteUInt32LittleEndian(span, Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], MajorVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], MinorVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(span[12..], (uint)(reply.Length - HeaderLength));
        Span<byte> body = span[HeaderLength..];
        BinaryPrimitives.WriteUInt32LittleEndian(body, (uint)error);
        if (ok)
        {
            if (publicKey.Length != PublicKeyLength)
            {
                throw new ArgumentException($"The public key must be {PublicKeyLength} bytes of SubjectPublicKeyInfo DER.", nameof(publicKey));
            }

            publicKey.CopyTo(body[4..]);
            BinaryPrimitives.WriteUInt32LittleEndian(body[166..], 1);
            BinaryPrimitives.WriteUInt32LittleEndian(body[170..], 1);
            BinaryPrimitives.WriteUInt32LittleEndian(body[174..], LinkReplyLength);
            BinaryPrimitives.WriteUInt32LittleEndian(body[178..], commonCaps);
            BinaryPrimitives.WriteUInt32LittleEndian(body[182..], channelCaps);
        }

        return reply;
    }
}
