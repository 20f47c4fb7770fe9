using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using Codecs.Pixels;
using Codecs.Rfb;
using Codecs.Rfb.Decoders;
using Codecs.Rfb.Encoders;
using Xunit;

namespace Codecs.Tests.Rfb;

/// <summary>Decoders reject malformed input with <see cref="CodecDataException"/> and nothing else, quickly.</summary>
public class RfbMalformedInputTests
{
    private const int FbWidth = 64;
    private const int FbHeight = 64;

    private static readonly PixelFormat s_format = PixelFormat.Rgbx32;

    private static CodecDataException Reject(ReadOnlySpan<byte> data, PixelFormat? format = null)
    {
        PixelFormat f = format ?? s_format;
        using var decoder = new RfbDecoder(f);
        byte[] fb = new byte[FbWidth * FbHeight * f.BitsPerPixel / 8];
        var view = new ImageView(fb, FbWidth, FbHeight, FbWidth * f.BitsPerPixel / 8, f);
        try
        {
            decoder.DecodeRectangle(data, view, out _);
        }
        catch (CodecDataException ex)
        {
            return ex;
        }

        Assert.Fail("accepted malformed input");
        return null!;
    }

    private static byte[] Rect(int x, int y, int w, int h, int encoding, params byte[][] parts)
    {
        var buffer = new ArrayBufferWriter<byte>();
        RfbRectHeader.Write(buffer, new Rect(x, y, w, h), encoding);
        foreach (byte[] part in parts)
        {
            buffer.Write(part);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] Zlib(byte[] data)
    {
        var sink = new MemoryStream();
        using (var z = new ZLibStream(sink, CompressionLevel.Fastest, leaveOpen: true))
        {
            z.Write(data);
            z.Flush();
        }

        // Drop the final block and Adler-32 that Dispose appended; RFB streams are never finished.
        return sink.ToArray();
    }

    private static byte[] SyncFlushed(byte[] data)
    {
        var sink = new MemoryStream();
        var z = new ZLibStream(sink, CompressionLevel.Fastest, leaveOpen: true);
        z.Write(data);
        z.Flush();
        return sink.ToArray();
    }

    private static byte[] Zrle(int w, int h, byte[] tiles)
    {
        byte[] z = SyncFlushed(tiles);
        byte[] length = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)z.Length);
        return Rect(0, 0, w, h, RfbEncoding.Zrle, length, z);
    }

    [Theory]
    [InlineData(17)]
    [InlineData(100)]
    [InlineData(127)]
    [InlineData(129)]
    public void Zrle_BadSubencoding(int sub)
    {
        CodecDataException ex = Reject(Zrle(4, 4, [(byte)sub, 0, 0, 0, 0, 0, 0, 0, 0]));
        Assert.Equal("zrle(inflated)", ex.Format);
    }

    [Fact]
    public void Zrle_PackedPaletteIndexOutOfRange()
    {
        // 3 colours → 2 bits per index; index 3 does not exist.
        byte[] tile = [3, 1, 1, 1, 2, 2, 2, 3, 3, 3, 0b11_000000, 0, 0, 0];
        Assert.Contains("palette index", Reject(Zrle(4, 4, tile)).Message);
    }

    [Fact]
    public void Zrle_PaletteRleIndexOutOfRange()
    {
        byte[] tile = [130, 1, 1, 1, 2, 2, 2, 0x85, 14];
        Assert.Contains("palette index", Reject(Zrle(4, 4, tile)).Message);
    }

    [Fact]
    public void Zrle_RunOverflowsTile()
    {
        byte[] tile = [128, 1, 2, 3, 20];
        Assert.Contains("overflows", Reject(Zrle(4, 4, tile)).Message);
    }

    [Fact]
    public void Zrle_LeftoverData()
    {
        byte[] tile = [1, 1, 2, 3, 9, 9];
        Assert.Contains("left over", Reject(Zrle(4, 4, tile)).Message);
    }

    [Fact]
    public void Zrle_OversizedLength()
    {
        byte[] data = Rect(0, 0, 4, 4, RfbEncoding.Zrle, [0x7F, 0xFF, 0xFF, 0xFF], [1, 2, 3]);
        CodecDataException ex = Reject(data);
        Assert.Equal("zrle", ex.Format);
        Assert.Equal(16, ex.Offset);
    }

    [Fact]
    public void Zrle_TruncatedAndCorruptZlib()
    {
        byte[] tiles = new byte[1 + 16 * 3];
        new Random(9).NextBytes(tiles);
        tiles[0] = 0;
        byte[] z = SyncFlushed(tiles);
        foreach (int cut in new[] { 2, 3, z.Length / 2 })
        {
            byte[] length = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(length, (uint)cut);
            Reject(Rect(0, 0, 4, 4, RfbEncoding.Zrle, length, z[..cut]));
        }

        byte[] corrupt = (byte[])z.Clone();
        corrupt[0] = 0x12; // not a zlib header
        byte[] len = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(len, (uint)corrupt.Length);
        Reject(Rect(0, 0, 4, 4, RfbEncoding.Zrle, len, corrupt));
        _ = Zlib(tiles);
    }

    [Theory]
    [InlineData(0xB0)]
    [InlineData(0xC0)]
    [InlineData(0xF0)]
    [InlineData(0xA0)]
    public void Tight_BadControl(int control)
    {
        CodecDataException ex = Reject(Rect(0, 0, 4, 4, RfbEncoding.Tight, [(byte)control, 0, 0, 0, 0]));
        Assert.Equal("tight", ex.Format);
        Assert.Equal(12, ex.Offset);
    }

    [Fact]
    public void Tight_BadFilter()
    {
        Assert.Contains("filter", Reject(Rect(0, 0, 4, 4, RfbEncoding.Tight, [0x40, 3])).Message);
    }

    [Fact]
    public void Tight_PaletteIndexOutOfRange()
    {
        // 3-colour palette, 2x2 = 4 index bytes (< 12: sent raw), index 7.
        byte[] payload = [0x60, 1, 2, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 7];
        Assert.Contains("palette index", Reject(Rect(0, 0, 2, 2, RfbEncoding.Tight, payload)).Message);
    }

    [Fact]
    public void Tight_OversizedCompactLength()
    {
        Assert.Contains("compact length", Reject(Rect(0, 0, 8, 8, RfbEncoding.Tight, [0x00, 0xFF, 0xFF, 0x7F, 1, 2])).Message);
    }

    [Fact]
    public void Tight_TruncatedZlib()
    {
        byte[] data = new byte[8 * 8 * 3];
        byte[] z = SyncFlushed(data);
        byte[] cut = z[..(z.Length / 2)];
        Reject(Rect(0, 0, 8, 8, RfbEncoding.Tight, [0x00, (byte)cut.Length], cut));
    }

    [Fact]
    public void Tight_ZlibGivesMoreThanExpected()
    {
        byte[] z = SyncFlushed(new byte[8 * 8 * 3 + 10]);
        Reject(Rect(0, 0, 8, 8, RfbEncoding.Tight, [0x00, (byte)(z.Length | 0x80), (byte)(z.Length >> 7)], z));
    }

    [Fact]
    public void Tight_TooWideBasicRectangle()
    {
        using var decoder = new RfbDecoder(s_format);
        byte[] fb = new byte[2100 * 2 * 4];
        byte[] data = Rect(0, 0, 2049, 1, RfbEncoding.Tight, [0x00, 0x80, 0x01]);
        Assert.Throws<CodecDataException>(() => decoder.DecodeRectangle(data, new ImageView(fb, 2100, 2, 2100 * 4, s_format), out _));
    }

    [Fact]
    public void Tight_GradientOn8Bpp_And_BadJpeg()
    {
        Reject(Rect(0, 0, 4, 4, RfbEncoding.Tight, [0x40, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), PixelFormat.Bgr233);
        Assert.Equal("jpeg", Reject(Rect(0, 0, 4, 4, RfbEncoding.Tight, [0x90, 4, 0xFF, 0xD8, 0xFF, 0x00])).Format);
    }

    [Fact]
    public void Hextile_ReservedBitsAndSubrectOutsideTile()
    {
        Reject(Rect(0, 0, 4, 4, RfbEncoding.Hextile, [0x20]));
        // Background + 1 coloured subrect at (3,3) of size 2x2 in a 4x4 tile.
        Reject(Rect(0, 0, 4, 4, RfbEncoding.Hextile, [2 | 8 | 16, 1, 2, 3, 4, 1, 9, 9, 9, 9, 0x33, 0x11]));
    }

    [Fact]
    public void Rre_HugeCountAndSubrectOutside()
    {
        Reject(Rect(0, 0, 4, 4, RfbEncoding.Rre, [0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3, 4]));
        Reject(Rect(0, 0, 4, 4, RfbEncoding.Rre, [0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 0, 3, 0, 3, 0, 2, 0, 2]));
    }

    [Fact]
    public void Header_OutsideFramebufferAndUnknownEncoding()
    {
        Reject(Rect(60, 0, 10, 4, RfbEncoding.Raw, new byte[160]));
        Reject(Rect(0, 0, 1, 1, 12345, new byte[4]));
        Reject(Rect(0, 0, 4, 4, RfbEncoding.CopyRect, [0, 62, 0, 0]));
        Reject(new byte[5]);
    }

    public static TheoryData<string> Encodings => new() { "raw", "rre", "hextile", "zrle", "tight", "tight-gradient", "tight-gradient2", "tight-jpeg", "tightpng" };

    private static byte[] ValidEncoding(string encoding, out int rects)
    {
        var converter = PixelConverter.Create(s_format);
        IRfbEncoder encoder = encoding == "tight-jpeg"
            ? new TightEncoder(converter) { QualityLevel = 5 }
            : RfbTestData.CreateEncoder(encoding, converter);
        using Framebuffer frame = encoding == "tight-jpeg" ? TightTests.MakePhoto(40, 30) : RfbTestData.MakeFrame("ui16", 40, 30);
        var writer = new ArrayBufferWriter<byte>();
        rects = encoder.Encode(frame.ReadOnlyView, new Rect(0, 0, 40, 30), writer);
        (encoder as IDisposable)?.Dispose();
        return writer.WrittenSpan.ToArray();
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void TruncationAtEveryOffset_IsRejected(string encoding)
    {
        byte[] valid = ValidEncoding(encoding, out int rects);
        Assert.Equal(1, rects);
        for (int cut = 0; cut < valid.Length; cut++)
        {
            Reject(valid.AsSpan(0, cut));
        }
    }

    [Theory]
    [MemberData(nameof(Encodings))]
    public void RandomMutations_OnlyCodecDataException_NoHang(string encoding)
    {
        byte[] valid = ValidEncoding(encoding, out _);
        var random = new Random(encoding.Length * 977);
        byte[] fb = new byte[FbWidth * FbHeight * 4];
        var view = new ImageView(fb, FbWidth, FbHeight, FbWidth * 4, s_format);
        int accepted = 0;
        int trials = 0;
        while (trials < 3000)
        {
            trials++;
            byte[] mutated = (byte[])valid.Clone();
            int flips = random.Next(1, 4);
            for (int i = 0; i < flips; i++)
            {
                // Keep most mutations past the header so they reach the payload decoders.
                int at = random.Next(4) == 0 ? random.Next(mutated.Length) : 12 + random.Next(mutated.Length - 12);
                mutated[at] = (byte)random.Next(256);
            }

            using var decoder = new RfbDecoder(s_format);
            var one = Stopwatch.StartNew();
            try
            {
                decoder.DecodeRectangle(mutated, view, out _);
                accepted++;
            }
            catch (CodecDataException)
            {
            }

            // Hang detection only (a loop not bounded by its input), far above any real decode even on a loaded machine.
            Assert.True(one.Elapsed < TimeSpan.FromSeconds(10), $"one decode took {one.ElapsedMilliseconds} ms");
        }

        Assert.True(accepted < trials);
    }
}
