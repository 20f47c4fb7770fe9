using System.Buffers;
using System.Text;
using Codecs;
using Codecs.Pixels;

namespace Encoders.Rfb.Protocol;

/// <summary>
/// Resumable parser of the client-to-server message stream after the handshake: <see cref="TryParse"/> takes whole
/// messages from the front of the received bytes and leaves a partial message for the next call.
/// </summary>
/// <remarks>
/// Anything that is not a well-formed message this server understands throws <see cref="CodecDataException"/>
/// (format "rfb-client", offset counted from the first byte after the handshake): the session then drops the client.
/// Sizes the client declares are checked before any buffering, so a hostile length cannot make the server allocate.
/// </remarks>
public sealed class ClientMessageParser
{
    private const string Format = "rfb-client";

    /// <summary>Most encodings a SetEncodings may list (TigerVNC sends about 30; noVNC about 20).</summary>
    public const int MaxEncodings = 1024;

    private long _offset;

    /// <param name="maxCutTextLength">Largest ClientCutText accepted; longer ones drop the client.</param>
    public ClientMessageParser(int maxCutTextLength = 1 << 20)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCutTextLength);
        MaxCutTextLength = maxCutTextLength;
    }

    public int MaxCutTextLength { get; }

    /// <summary>Bytes consumed so far.</summary>
    public long Offset => _offset;

    /// <summary>
    /// Parses one message from the start of <paramref name="buffer"/>. On success advances <paramref name="buffer"/>
    /// past it; returns false (leaving the buffer alone) when the message is not complete yet.
    /// </summary>
    /// <exception cref="CodecDataException">The bytes are not a valid client message.</exception>
    public bool TryParse(ref ReadOnlySequence<byte> buffer, out ClientMessage? message)
    {
        message = null;
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryRead(out byte type))
        {
            return false;
        }

        bool complete = type switch
        {
            0 => TryParseSetPixelFormat(ref reader, out message),
            2 => TryParseSetEncodings(ref reader, out message),
            3 => TryParseUpdateRequest(ref reader, out message),
            4 => TryParseKey(ref reader, out message),
            5 => TryParsePointer(ref reader, out message),
            6 => TryParseCutText(ref reader, out message),
            150 => TryParseEnableContinuousUpdates(ref reader, out message),
            248 => TryParseFence(ref reader, out message),
            250 => TryParseXvp(ref reader, out message),
            251 => TryParseSetDesktopSize(ref reader, out message),
            255 => TryParseQemu(ref reader, out message),
            _ => Fail<bool>(0, $"unknown message type {type}"),
        };
        if (!complete)
        {
            message = null;
            return false;
        }

        _offset += reader.Consumed;
        buffer = buffer.Slice(reader.Position);
        return true;
    }

    private bool TryParseSetPixelFormat(ref SequenceReader<byte> reader, out ClientMessage? message)
    {
        message = null;
        Span<byte> bytes = stackalloc byte[3 + PixelFormat.WireSize];
        if (!reader.TryCopyTo(bytes))
        {
            return false;
        }

        reader.Advance(bytes.Length);
        PixelFormat format = PixelFormat.ReadWire(bytes[3..]);
        if (!format.TryValidate(out string? reason))
        {
            Fail<bool>(4, "unsupported pixel format: " + reason);
        }

        message = new SetPixelFormatMessage(format);
        return true;
    }

    private bool TryParseSetEncodings(ref SequenceReader<byte> reader, out ClientMessage? message)
    {
        message = null;
        if (!reader.TryRead(out _) || !reader.TryReadBigEndian(out short countValue))
        {
            return false;
        }

        int count = (ushort)countValue;
        if (count > MaxEncodings)
        {
            Fail<bool>(2, $"SetEncodings lists {count} encodings (at most {MaxEncodings} accepted)");
        }

        if (reader.Remaining < 4L * count)
        {
            return false;
        }

        int[] encodings = new int[count];
        for (int i = 0; i < count; i++)
        {
            reader.TryReadBigEndian(out encodings[i]);
        }

        message = new SetEncodingsMessage(encodings);
        return true;
    }

    private static bool TryParseUpdateRequest(ref SequenceReader<byte> reader, out ClientMessage? message)
    {
        message = null;
        if (reader.Remaining < 9)
        {
            return false;
        }

        reader.TryRead(out byte incremental);
        Rect area = ReadRect(ref reader);
        message = new UpdateRequestMessage(incremental != 0, area);
        return true;
    }

    private static bool TryParseKey(ref SequenceReader<byte> reader, out ClientMessage? message)
    {
        message = null;
        if (reader.Remaining < 7)
        {
            return false;
        }

        reader.TryRead(out byte down);
        reader.Advance(2);
        reader.TryReadBigEndian(out int keysym);
        message = new KeyMessage(down != 0, (uint)keysym, 0);
        return true;
    }

    private static bool TryParsePointer(ref SequenceReader<byte> reader, out ClientMessage? message)
    {
        message = null;
        if (reader.Remaining < 5)
        {
            return false;
        }

        reader.TryRead(out byte mask);
        reader.TryReadBigEndian(out short x);
        reader.TryReadBigEndian(out short y);
        message = new PointerMessage(mask, (ushort)x, (ushort)y);
        return true;
    }

    private bool TryParseCutText(ref SequenceReader<byte> reader, out ClientMessage? message)
    {
        message = null;
        if (reader.Remaining < 7)
        {
            return false;
        }

        reader.Advance(3);
        reader.TryReadBigEndian(out int lengthValue);
        uint length = (uint)lengthValue;
        if (length > (uint)MaxCutTextLength)
        {
            // Also catches ExtendedClipboard's negative lengths, which this server never advertised.
            Fail<bool>(4, $"clipboard text of {length} bytes exceeds the limit of {MaxCutTextLength}");
        }

        if (reader.Remaining < length)
        {
            return false;
        }

        ReadOnlySequence<byte> text = reader.UnreadSequence.Slice(0, length);
        message = new CutTextMessage(Encoding.Latin1.GetString(text));
        reader.Advance(length);
        return true;
    }

    private static bool TryParseEnableContinuousUpdates(ref SequenceReader<byte> reader, out ClientMessage? message)
    {
        message = null;
        if (reader.Remaining < 9)
        {
            return false;
        }

        reader.TryRead(out byte enable);
        message = new EnableContinuousUpdatesMessage(enable != 0, ReadRect(ref reader));
        return true;
    }

    private bool TryParseFence(ref SequenceReader<byte> reader, out ClientMessage? message)
    {
        message = null;
        if (reader.Remaining < 8)
        {
            return false;
        }

        reader.Advance(3);
        reader.TryReadBigEndian(out int flags);
        reader.TryRead(out byte length);
        if (length > FenceMessage.MaxPayload)
        {
            Fail<bool>(8, $"fence payload of {length} bytes (at most {FenceMessage.MaxPayload})");
        }

        if (reader.Remaining < length)
        {
            return false;
        }

        byte[] payload = new byte[length];
        reader.TryCopyTo(payload);
        reader.Advance(length);
        message = new FenceMessage((uint)flags, payload);
        return true;
    }

    private static bool TryParseXvp(ref SequenceReader<byte> reader, out ClientMessage? message)
    {
        message = null;
        if (reader.Remaining < 3)
        {
            return false;
        }

        reader.Advance(1);
        reader.TryRead(out byte version);
        reader.TryRead(out byte code);
        message = new XvpMessage(version, code);
        return true;
    }

    private static bool TryParseSetDesktopSize(ref SequenceReader<byte> reader, out ClientMessage? message)
    {
        message = null;
        if (reader.Remaining < 7)
        {
            return false;
        }

        reader.Advance(1);
        reader.TryReadBigEndian(out short width);
        reader.TryReadBigEndian(out short height);
        reader.TryRead(out byte screens);
        reader.Advance(1);
        if (reader.Remaining < 16L * screens)
        {
            return false;
        }

        reader.Advance(16L * screens);
        message = new SetDesktopSizeMessage((ushort)width, (ushort)height, screens);
        return true;
    }

    private bool TryParseQemu(ref SequenceReader<byte> reader, out ClientMessage? message)
    {
        message = null;
        if (!reader.TryRead(out byte subtype))
        {
            return false;
        }

        if (subtype != 0)
        {
            Fail<bool>(1, $"QEMU client message subtype {subtype} is not supported");
        }

        if (reader.Remaining < 10)
        {
            return false;
        }

        reader.TryReadBigEndian(out short down);
        reader.TryReadBigEndian(out int keysym);
        reader.TryReadBigEndian(out int keycode);
        message = new KeyMessage(down != 0, (uint)keysym, (uint)keycode);
        return true;
    }

    private static Rect ReadRect(ref SequenceReader<byte> reader)
    {
        reader.TryReadBigEndian(out short x);
        reader.TryReadBigEndian(out short y);
        reader.TryReadBigEndian(out short w);
        reader.TryReadBigEndian(out short h);
        return new Rect((ushort)x, (ushort)y, (ushort)w, (ushort)h);
    }

    private T Fail<T>(long relativeOffset, string reason)
    {
        CodecDataException.Throw(Format, _offset + relativeOffset, reason);
        return default;
    }
}
