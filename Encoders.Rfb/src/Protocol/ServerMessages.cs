using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Codecs.Pixels;
using Codecs.Rfb;
using Damage.Device;

namespace Encoders.Rfb.Protocol;

/// <summary>Writers of the server-to-client messages and pseudo-rectangles (rfbproto §7.6, §7.8).</summary>
public static class ServerMessages
{
    public const byte FramebufferUpdate = 0;
    public const byte SetColourMapEntries = 1;
    public const byte Bell = 2;
    public const byte ServerCutText = 3;
    public const byte EndOfContinuousUpdates = 150;
    public const byte ServerFence = 248;

    /// <summary>Rectangle count announcing that a LastRect pseudo-rectangle ends the update.</summary>
    public const ushort UnknownRectangleCount = 0xFFFF;

    /// <summary>FramebufferUpdate header: <c>U8 0, pad, U16 count</c>.</summary>
    public static void WriteUpdateHeader(IBufferWriter<byte> writer, ushort rectangles)
    {
        Span<byte> span = writer.GetSpan(4);
        span[0] = FramebufferUpdate;
        span[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(span[2..], rectangles);
        writer.Advance(4);
    }

    /// <summary>SetColourMapEntries with the whole 256-entry map of a colour-mapped client's converter.</summary>
    public static void WriteColourMap(IBufferWriter<byte> writer, PixelConverter converter)
    {
        Span<ushort> rgb = stackalloc ushort[3 * PixelConverter.ColourMapSize];
        converter.GetColourMap(rgb);
        int length = 6 + 2 * rgb.Length;
        Span<byte> span = writer.GetSpan(length);
        span[0] = SetColourMapEntries;
        span[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(span[2..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(span[4..], PixelConverter.ColourMapSize);
        for (int i = 0; i < rgb.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(span[(6 + 2 * i)..], rgb[i]);
        }

        writer.Advance(length);
    }

    /// <summary>EndOfContinuousUpdates (type 150, one byte).</summary>
    public static void WriteEndOfContinuousUpdates(IBufferWriter<byte> writer)
    {
        writer.GetSpan(1)[0] = EndOfContinuousUpdates;
        writer.Advance(1);
    }

    /// <summary>ServerFence: <c>U8 248, 3 pad, U32 flags, U8 length, payload</c>.</summary>
    public static void WriteFence(IBufferWriter<byte> writer, uint flags, ReadOnlySpan<byte> payload)
    {
        int length = 9 + payload.Length;
        Span<byte> span = writer.GetSpan(length);
        span[..4].Clear();
        span[0] = ServerFence;
        BinaryPrimitives.WriteUInt32BigEndian(span[4..], flags);
        span[8] = (byte)payload.Length;
        payload.CopyTo(span[9..]);
        writer.Advance(length);
    }

    /// <summary>ServerCutText: <c>U8 3, 3 pad, U32 length, Latin-1 text</c>.</summary>
    public static void WriteCutText(IBufferWriter<byte> writer, string text)
    {
        byte[] bytes = Encoding.Latin1.GetBytes(text);
        Span<byte> span = writer.GetSpan(8 + bytes.Length);
        span[..4].Clear();
        span[0] = ServerCutText;
        BinaryPrimitives.WriteUInt32BigEndian(span[4..], (uint)bytes.Length);
        bytes.CopyTo(span[8..]);
        writer.Advance(8 + bytes.Length);
    }

    /// <summary>A pseudo-rectangle without payload (DesktopSize, LastRect, QEMU extended key event acknowledgement).</summary>
    public static void WritePseudoRect(IBufferWriter<byte> writer, Rect area, int encoding) =>
        RfbRectHeader.Write(writer, area, encoding);

    /// <summary>
    /// ExtendedDesktopSize with one screen covering the framebuffer: x = <paramref name="reason"/> (0 server, 1 this
    /// client's request, 2 another client), y = <paramref name="status"/> (0 ok, 1 prohibited).
    /// </summary>
    public static void WriteExtendedDesktopSize(IBufferWriter<byte> writer, int width, int height, int reason, int status)
    {
        RfbRectHeader.Write(writer, new Rect(reason, status, width, height), RfbPseudoEncoding.ExtendedDesktopSize);
        Span<byte> span = writer.GetSpan(20);
        span[..20].Clear();
        span[0] = 1;
        // Screen 0: id 0 at (0, 0), the whole framebuffer, flags 0.
        BinaryPrimitives.WriteUInt16BigEndian(span[12..], (ushort)width);
        BinaryPrimitives.WriteUInt16BigEndian(span[14..], (ushort)height);
        writer.Advance(20);
    }

    /// <summary>
    /// Cursor pseudo-rectangle (−239): hotspot as x, y; the image in the client's pixel format, then a 1-bit mask
    /// (alpha ≥ 128 is opaque), rows padded to bytes, most significant bit leftmost.
    /// </summary>
    public static void WriteRichCursor(IBufferWriter<byte> writer, CursorShape cursor, PixelConverter converter)
    {
        RfbRectHeader.Write(writer, new Rect(cursor.HotspotX, cursor.HotspotY, cursor.Width, cursor.Height), RfbPseudoEncoding.Cursor);
        if (cursor.Width == 0 || cursor.Height == 0)
        {
            return;
        }

        int pixelBytes = converter.GetPackedLength(cursor.Width, cursor.Height);
        // BGRA in memory is the canonical B, G, R, X layout with alpha in the ignored byte.
        converter.FromCanonical(cursor.Bgra.Span[..(cursor.Width * cursor.Height * 4)], writer.GetSpan(pixelBytes));
        writer.Advance(pixelBytes);
        WriteMask(writer, cursor, static (bgra, i) => bgra[4 * i + 3] >= 128);
    }

    /// <summary>
    /// XCursor pseudo-rectangle (−240): two colours (black foreground, white background), a 1-bit image choosing
    /// between them by brightness, and the same transparency mask as <see cref="WriteRichCursor"/>.
    /// </summary>
    public static void WriteXCursor(IBufferWriter<byte> writer, CursorShape cursor)
    {
        RfbRectHeader.Write(writer, new Rect(cursor.HotspotX, cursor.HotspotY, cursor.Width, cursor.Height), RfbPseudoEncoding.XCursor);
        if (cursor.Width == 0 || cursor.Height == 0)
        {
            return;
        }

        Span<byte> colours = writer.GetSpan(6);
        colours[..3].Clear();
        colours[3..6].Fill(0xFF);
        writer.Advance(6);
        // Bit set = foreground (black) for dark pixels.
        WriteMask(writer, cursor, static (bgra, i) => bgra[4 * i] + 2 * bgra[4 * i + 1] + bgra[4 * i + 2] < 4 * 128);
        WriteMask(writer, cursor, static (bgra, i) => bgra[4 * i + 3] >= 128);
    }

    private static void WriteMask(IBufferWriter<byte> writer, CursorShape cursor, Func<ReadOnlySpan<byte>, int, bool> bit)
    {
        int rowBytes = (cursor.Width + 7) / 8;
        int length = rowBytes * cursor.Height;
        Span<byte> mask = writer.GetSpan(length)[..length];
        mask.Clear();
        ReadOnlySpan<byte> bgra = cursor.Bgra.Span;
        for (int y = 0; y < cursor.Height; y++)
        {
            for (int x = 0; x < cursor.Width; x++)
            {
                if (bit(bgra, y * cursor.Width + x))
                {
                    mask[y * rowBytes + x / 8] |= (byte)(0x80 >> (x % 8));
                }
            }
        }

        writer.Advance(length);
    }
}
