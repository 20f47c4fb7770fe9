using System.Diagnostics;
using System.IO.Compression;
using Codecs.Lz4;
using Codecs.Trace;
using Xunit;

namespace Codecs.Tests.Trace;

public sealed class TraceCorruptionTests
{
    private static readonly TraceReaderOptions s_noChecksums = new() { VerifyChecksums = false };

    [Theory]
    [InlineData(TraceCodec.Raw)]
    [InlineData(TraceCodec.Lz4)]
    [InlineData(TraceCodec.Zlib)]
    public void TruncatedAtEveryOffset_OnlyCodecDataException(TraceCodec codec)
    {
        // Truncation is never silent: a trace cut anywhere, even between two records, lacks its END record.
        byte[] trace = TraceTestData.SmallTrace(codec, frames: 4, width: 40, height: 24);
        Assert.InRange(trace.Length, 200, 16 * 1024);
        foreach (TraceReaderOptions options in new[] { new TraceReaderOptions(), new TraceReaderOptions { DecodePixels = false } })
        {
            for (int length = 0; length < trace.Length; length++)
            {
                CodecDataException ex = Assert.Throws<CodecDataException>(() => TraceTestData.ReadAll(trace[..length], options));
                Assert.Equal("fbt", ex.Format);
                Assert.InRange(ex.Offset, 0, length);
            }
        }

        Assert.Equal(4, TraceTestData.ReadAll(trace));
    }

    [Theory]
    [InlineData(TraceCodec.Raw)]
    [InlineData(TraceCodec.Lz4)]
    [InlineData(TraceCodec.Zlib)]
    public void RandomBitFlips_OnlyCodecDataException_InBoundedTime(TraceCodec codec)
    {
        byte[] trace = TraceTestData.SmallTrace(codec, frames: 5);
        var total = Stopwatch.StartNew();
        int rejected = 0;
        int accepted = 0;
        for (int seed = 0; seed < 1500; seed++)
        {
            var random = new Random(seed);
            byte[] corrupt = (byte[])trace.Clone();
            for (int flips = random.Next(1, 4); flips > 0; flips--)
            {
                corrupt[random.Next(corrupt.Length)] ^= (byte)(1 << random.Next(8));
            }

            foreach (TraceReaderOptions options in new[] { new TraceReaderOptions(), s_noChecksums })
            {
                var one = Stopwatch.StartNew();
                try
                {
                    TraceTestData.ReadAll(corrupt, options);
                    accepted++;
                }
                catch (CodecDataException ex)
                {
                    Assert.Equal("fbt", ex.Format);
                    Assert.InRange(ex.Offset, 0, corrupt.Length);
                    rejected++;
                }

                Assert.True(one.Elapsed < TimeSpan.FromSeconds(2), $"seed {seed} took {one.Elapsed}");
            }
        }

        // With checksums every flip is caught; without, the parsers behind them see the damage.
        Assert.True(rejected >= 1500, $"{rejected} rejected, {accepted} accepted");
        Assert.True(total.Elapsed < TimeSpan.FromSeconds(120), $"took {total.Elapsed}");
    }

    [Fact]
    public void RandomByteMutations_WithoutChecksums_OnlyCodecDataException()
    {
        byte[] trace = TraceTestData.SmallTrace(TraceCodec.Zlib, frames: 5);
        var total = Stopwatch.StartNew();
        for (int seed = 0; seed < 2000; seed++)
        {
            var random = new Random(seed);
            List<byte> bytes = [.. trace];
            for (int edits = random.Next(1, 4); edits > 0; edits--)
            {
                int at = random.Next(bytes.Count);
                switch (random.Next(4))
                {
                    case 0:
                        bytes[at] = (byte)random.Next(256);
                        break;
                    case 1:
                        bytes.RemoveRange(at, Math.Min(random.Next(1, 16), bytes.Count - at));
                        break;
                    case 2:
                        bytes.InsertRange(at, Enumerable.Range(0, random.Next(1, 16)).Select(_ => (byte)random.Next(256)));
                        break;
                    default:
                        // An interesting value in a length or size field.
                        byte[] value = BitConverter.GetBytes(random.Next(5) switch { 0 => 0u, 1 => uint.MaxValue, 2 => 0x80000000u, 3 => 16385u, _ => (uint)random.Next() });
                        for (int i = 0; i < 4 && at + i < bytes.Count; i++)
                        {
                            bytes[at + i] = value[i];
                        }

                        break;
                }
            }

            try
            {
                TraceTestData.ReadAll([.. bytes], s_noChecksums);
            }
            catch (CodecDataException ex)
            {
                Assert.InRange(ex.Offset, 0, bytes.Count);
            }
        }

        Assert.True(total.Elapsed < TimeSpan.FromSeconds(120), $"took {total.Elapsed}");
    }

    [Theory]
    [InlineData(0x80000000u, 8u)]
    [InlineData(8u, 0x80000000u)]
    [InlineData(0xFFFFFFFFu, 0xFFFFFFFFu)]
    [InlineData(16385u, 1u)]
    [InlineData(16384u, 16384u)]
    [InlineData(0u, 8u)]
    public void HugeOrZeroHeaderSizes_RejectedBeforeAllocating(uint width, uint height)
    {
        byte[] trace = new TraceTestData.Builder().Preamble().Header(width, height).End(0, 0).ToArray();
        AssertRejectedCheaply(trace, "display mode");
    }

    [Fact]
    public void HugeFrameItemCount_RejectedBeforeAllocating()
    {
        byte[] trace = new TraceTestData.Builder().Preamble().Header().Frame(0, uint.MaxValue).End(1, 0).ToArray();
        AssertRejectedCheaply(trace, "records");
    }

    [Theory]
    [InlineData((byte)'R', 0x80000000u)]
    [InlineData((byte)'R', uint.MaxValue)]
    [InlineData((byte)'x', TraceFormat.MaxRecordPayload + 1u)]
    public void HugeRecordLength_RejectedBeforeAllocating(byte type, uint length)
    {
        byte[] trace = new TraceTestData.Builder().Preamble().Header().Frame(0, 1).RecordHeaderOnly(type, length, present: 64).ToArray();
        AssertRejectedCheaply(trace, "limit");
    }

    [Fact]
    public void LargeRecordLengthWithLittleData_AllocatesOnlyForTheDataPresent()
    {
        byte[] trace = new TraceTestData.Builder().Preamble().Header().Frame(0, 1).RecordHeaderOnly((byte)'R', TraceFormat.MaxRecordPayload, present: 100).ToArray();
        AssertRejectedCheaply(trace, "truncated");
    }

    [Fact]
    public void ModeChangeToHugeSize_RejectedBeforeAllocating()
    {
        byte[] trace = new TraceTestData.Builder().Preamble().Header().Frame(0, 1).Mode(0x7FFFFFFF, 0x7FFFFFFF).End(1, 0).ToArray();
        AssertRejectedCheaply(trace, "display mode");
    }

    [Fact]
    public void MaxFramebufferPixelsOption_LowersTheModeLimit()
    {
        byte[] trace = new TraceTestData.Builder().Preamble().Header(2048, 2048).End(0, 0).ToArray();
        Assert.Equal(0, TraceTestData.ReadAll(trace));
        Assert.Throws<CodecDataException>(() => TraceTestData.ReadAll(trace, new TraceReaderOptions { MaxFramebufferPixels = 1 << 20 }));
    }

    [Fact]
    public void RectLargerThanLimit_Rejected()
    {
        byte[] trace = new TraceTestData.Builder().Preamble().Header(4096, 4096).Frame(0, 1).Rect(0, 0, 4096, 4096, TraceCodec.Zlib, [1, 2, 3]).End(1, 0).ToArray();
        AssertRejectedCheaply(trace, "limit");
    }

    [Fact]
    public void ZlibBomb_BoundedByTheRectangle()
    {
        // 64×64 pixels = 16 KiB, but the zlib data (about 10 KB) inflates to 10 MB.
        byte[] bomb = Zlib(new byte[10 * 1024 * 1024]);
        Assert.True(bomb.Length < 64 * 64 * 4);
        byte[] trace = new TraceTestData.Builder().Preamble().Header(64, 64).Frame(0, 1).Rect(0, 0, 64, 64, TraceCodec.Zlib, bomb).End(1, 0).ToArray();
        CodecDataException ex = AssertRejectedCheaply(trace, "more pixels");
        Assert.True(ex.Offset > 12);
    }

    [Fact]
    public void ZlibShortOrCorrupt_Rejected()
    {
        byte[] shortData = Zlib(new byte[100]);
        Assert.Contains("fewer", Read(Rect(8, 8, TraceCodec.Zlib, shortData)).Message, StringComparison.Ordinal);

        byte[] corrupt = Zlib(Enumerable.Range(0, 256).Select(i => (byte)(i % 16 * 7)).ToArray());
        Assert.True(corrupt.Length < 256);
        corrupt[4] ^= 0xFF;
        Assert.Contains("zlib", Read(Rect(8, 8, TraceCodec.Zlib, corrupt)).Message, StringComparison.Ordinal);

        byte[] badAdler = Zlib(new byte[256]);
        badAdler[^1] ^= 1;
        Assert.Contains("zlib", Read(Rect(8, 8, TraceCodec.Zlib, badAdler)).Message, StringComparison.Ordinal);

        Read(Rect(8, 8, TraceCodec.Zlib, [0x78, 0x9C, 0xFF]));
    }

    [Fact]
    public void Lz4WrongSizeOrCorrupt_Rejected()
    {
        byte[] tooMuch = Lz4(new byte[257]);
        Assert.Contains("LZ4", Read(Rect(8, 8, TraceCodec.Lz4, tooMuch)).Message, StringComparison.Ordinal);
        byte[] tooLittle = Lz4(new byte[255]);
        Assert.Contains("LZ4", Read(Rect(8, 8, TraceCodec.Lz4, tooLittle)).Message, StringComparison.Ordinal);
        Read(Rect(8, 8, TraceCodec.Lz4, [0xF0, 0xFF, 0xFF, 0xFF]));

        // Also into a non-contiguous part of the framebuffer (decoded via scratch).
        byte[] trace = new TraceTestData.Builder().Preamble().Header(16, 16).Frame(0, 1).Rect(4, 4, 8, 8, TraceCodec.Lz4, tooMuch).End(1, 0).ToArray();
        Assert.Throws<CodecDataException>(() => TraceTestData.ReadAll(trace));
    }

    [Fact]
    public void PixelDataLengthMismatches_Rejected()
    {
        Read(Rect(8, 8, TraceCodec.Raw, new byte[255]));
        Read(Rect(8, 8, TraceCodec.Raw, new byte[257]));
        Read(Rect(8, 8, TraceCodec.Zlib, []));
        Read(Rect(8, 8, TraceCodec.Lz4, new byte[257]));
        Assert.Contains("unknown codec", Read(Rect(8, 8, (TraceCodec)3, new byte[10])).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 0, 0, 1)]
    [InlineData(0, 0, 1, 0)]
    [InlineData(15, 0, 2, 1)]
    [InlineData(0, 7, 1, 2)]
    [InlineData(65535, 65535, 65535, 65535)]
    public void RectOutsideTheMode_Rejected(int x, int y, int width, int height)
    {
        byte[] trace = new TraceTestData.Builder().Preamble().Header(16, 8).Frame(0, 1).Rect(x, y, width, height, TraceCodec.Raw, new byte[4]).End(1, 0).ToArray();
        Assert.Contains("not inside", Assert.Throws<CodecDataException>(() => TraceTestData.ReadAll(trace)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StructuralErrors_Rejected()
    {
        static TraceTestData.Builder Start() => new TraceTestData.Builder().Preamble().Header();

        AssertFails(Start().ToArray(), "without an END");
        AssertFails(Start().Frame(0, 0).ToArray(), "without an END");
        AssertFails(Start().End(0, 0).Bytes([0]).ToArray(), "after the END");
        AssertFails(Start().Frame(0, 0).End(2, 0).ToArray(), "counts 2 frames");
        AssertFails(Start().Frame(7, 0).End(1, 8).ToArray(), "last timestamp");
        AssertFails(Start().Frame(10, 0).Frame(9, 0).End(2, 9).ToArray(), "before the previous");
        AssertFails(Start().Frame(ulong.MaxValue, 0).End(1, 0).ToArray(), "timestamp");
        AssertFails(Start().Frame(0, 2).Rect(0, 0, 1, 1, TraceCodec.Raw, new byte[4]).Mode(4, 4).End(1, 0).ToArray(), "MODE record is not the first");
        AssertFails(Start().Frame(0, 2).Record((byte)'P', new byte[9]).Record((byte)'P', new byte[9]).End(1, 0).ToArray(), "second CURSOR_POSITION");
        AssertFails(Start().Frame(0, 1).Record((byte)'P', [0, 0, 2, 0, 0, 0, 0, 0, 1]).End(1, 0).ToArray(), "cursor position");
        AssertFails(Start().Frame(0, 1).Record((byte)'S', [0, 0, 0, 0, 1, 1, 0, 0, 0, 1, 2, 3, 4]).End(1, 0).ToArray(), "cursor image");
        AssertFails(Start().Frame(0, 1).Record((byte)'S', [1, 0, 0, 0, 1, 0, 1, 0, 0, 1, 2, 3, 4]).End(1, 0).ToArray(), "hotspot");
        AssertFails(Start().Frame(0, 1).Record((byte)'A', new byte[27]).End(1, 0).ToArray(), "at least 28");
        AssertFails(Start().Frame(0, 1).Record((byte)'A', Annotation(1, 0, 0, 17, 1, 0, 0)).End(1, 0).ToArray(), "not inside");
        AssertFails(Start().Frame(0, 1).Record((byte)'A', Annotation(2, 0, 0, 4, 4, 13, 0)).End(1, 0).ToArray(), "destination");
        AssertFails(Start().Frame(0, 1).Record((byte)'A', Annotation(3, 0, 0, 4, 4, 0, 4)).End(1, 0).ToArray(), "scroll");
        AssertFails(Start().Frame(0, 1).Record(0x80 | (byte)'q', []).End(1, 0).ToArray(), "critical");
        AssertFails(Start().Record(0xF0, []).End(0, 0).ToArray(), "critical");
        AssertFails(Start().Header().End(0, 0).ToArray(), "HEADER record between");
        AssertFails(Start().Rect(0, 0, 1, 1, TraceCodec.Raw, new byte[4]).End(0, 0).ToArray(), "RECT record between");
        AssertFails(Start().Frame(0, 2).Frame(0, 0).End(2, 0).ToArray(), "FRAME record inside");
        AssertFails(Start().Frame(0, 1).End(1, 0).ToArray(), "END record inside");
        AssertFails(Start().Frame(0, 1).Record((byte)'R', new byte[8]).End(1, 0).ToArray(), "at least 9");
        AssertFails(Start().Record((byte)'F', new byte[15]).End(1, 0).ToArray(), "at least 16");
        AssertFails(new TraceTestData.Builder().Preamble().Record((byte)'F', new byte[16]).ToArray(), "not HEADER");
        AssertFails(new TraceTestData.Builder().Preamble(major: 2).Header().End(0, 0).ToArray(), "major version");
        AssertFails(new TraceTestData.Builder().Preamble().Header(fpsNumerator: 0).End(0, 0).ToArray(), "frame rate");
        AssertFails(new TraceTestData.Builder().Preamble().Header(fpsDenominator: 1_000_001).End(0, 0).ToArray(), "frame rate");
        AssertFails(new TraceTestData.Builder().Preamble().Record((byte)'H', new byte[36]).ToArray(), "at least 37");
        AssertFails([.. "GIF89a"u8], "bad magic");
        AssertFails([.. TraceFormat.Magic[..5]], "truncated");
        AssertFails([], "truncated");
        AssertFails(new TraceTestData.Builder().Preamble().Record((byte)'H', new byte[37], goodChecksum: false).ToArray(), "checksum mismatch");

        byte[] badFormat = new TraceTestData.Builder().Preamble().Header().End(0, 0).ToArray();
        badFormat[12 + 5 + 8] = 24; // bits per pixel
        AssertFails(badFormat, "pixel format", s_noChecksums);
    }

    [Fact]
    public void AfterAnError_TheReaderRefusesToContinue()
    {
        byte[] trace = new TraceTestData.Builder().Preamble().Header().Frame(0, 1).Rect(0, 0, 1, 1, TraceCodec.Raw, new byte[3]).End(1, 0).ToArray();
        using var reader = new TraceReader(new MemoryStream(trace));
        Assert.Throws<CodecDataException>(() => reader.ReadFrame());
        Assert.Throws<InvalidOperationException>(() => reader.ReadFrame());
        Assert.Throws<InvalidOperationException>(() => reader.TryPeekNextTimestamp(out _));
    }

    [Fact]
    public void ValidPrefixFrames_AreDeliveredBeforeTheTruncationError()
    {
        byte[] trace = TraceTestData.SmallTrace(TraceCodec.Zlib, frames: 4);
        using var reader = new TraceReader(new MemoryStream(trace[..^10]));
        int frames = 0;
        CodecDataException ex = Assert.Throws<CodecDataException>(() =>
        {
            while (reader.ReadFrame())
            {
                frames++;
            }
        });
        Assert.Equal(4, frames);
        Assert.Contains("truncated", ex.Message, StringComparison.Ordinal);
    }

    private static CodecDataException AssertRejectedCheaply(byte[] trace, string messagePart)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        CodecDataException ex = Assert.Throws<CodecDataException>(() => TraceTestData.ReadAll(trace));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal("fbt", ex.Format);
        Assert.Contains(messagePart, ex.Message, StringComparison.Ordinal);

        // The record buffer starts at 64 KiB; nothing may grow towards a claimed size. (Framebuffers are native memory.)
        Assert.True(allocated < 1024 * 1024, $"allocated {allocated} bytes");
        return ex;
    }

    private static void AssertFails(byte[] trace, string messagePart, TraceReaderOptions? options = null)
    {
        CodecDataException ex = Assert.Throws<CodecDataException>(() => TraceTestData.ReadAll(trace, options));
        Assert.Equal("fbt", ex.Format);
        Assert.InRange(ex.Offset, 0, trace.Length);
        Assert.Contains(messagePart, ex.Message, StringComparison.Ordinal);
    }

    private static byte[] Rect(int width, int height, TraceCodec codec, byte[] data) =>
        new TraceTestData.Builder().Preamble().Header(16, 8).Frame(0, 1).Rect(0, 0, width, height, codec, data).End(1, 0).ToArray();

    private static CodecDataException Read(byte[] trace)
    {
        CodecDataException ex = Assert.Throws<CodecDataException>(() => TraceTestData.ReadAll(trace));
        Assert.Equal("fbt", ex.Format);
        return ex;
    }

    private static byte[] Annotation(byte kind, int x, int y, int width, int height, int dx, int dy)
    {
        byte[] payload = new byte[28];
        payload[0] = kind;
        int[] fields = [x, y, width, height, dx, dy];
        for (int i = 0; i < fields.Length; i++)
        {
            BitConverter.TryWriteBytes(payload.AsSpan(4 + 4 * i), fields[i]);
        }

        return payload;
    }

    private static byte[] Zlib(byte[] data)
    {
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            zlib.Write(data);
        }

        return output.ToArray();
    }

    private static byte[] Lz4(byte[] data)
    {
        byte[] encoded = new byte[Lz4Codec.GetMaxEncodedLength(data.Length)];
        Assert.True(Lz4Codec.TryEncode(data, encoded, out int written));
        return encoded[..written];
    }
}
