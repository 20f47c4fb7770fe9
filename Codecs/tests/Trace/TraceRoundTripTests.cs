using System.Buffers.Binary;
using Codecs.Pixels;
using Codecs.Trace;
using Xunit;

namespace Codecs.Tests.Trace;

public sealed class TraceRoundTripTests
{
    public static TheoryData<TraceCodec> AllCodecs => new(TraceTestData.Codecs);

    [Theory]
    [MemberData(nameof(AllCodecs))]
    public void WholeFrames_WithModeChangesCursorAndAnnotations_ReadBackExactly(TraceCodec codec)
    {
        var random = new Random(100 + (int)codec);
        var expected = new List<byte[]>();
        var expectedSizes = new List<(int Width, int Height)>();
        var expectedAnnotations = new List<TraceAnnotation[]>();
        var expectedCursor = new List<(int X, int Y, bool Visible)>();
        var rate = new TraceFrameRate(30000, 1001);
        using var output = new MemoryStream();
        var header = new TraceHeader(97, 61) { FrameRate = rate, Tool = "round trip ✓" };
        int[][] modes = [[97, 61], [97, 61], [97, 61], [64, 64], [64, 64], [1, 1], [1, 33], [33, 1], [97, 61], [97, 61]];
        using (var writer = new TraceWriter(output, header, new TraceWriterOptions { Codec = codec }, leaveOpen: true))
        {
            Framebuffer? frame = null;
            try
            {
                for (int i = 0; i < modes.Length; i++)
                {
                    if (frame is null || frame.Width != modes[i][0] || frame.Height != modes[i][1])
                    {
                        frame?.Dispose();
                        frame = Framebuffer.Allocate(modes[i][0], modes[i][1]);
                    }

                    for (int s = random.Next(0, 4); s > 0; s--)
                    {
                        TraceTestData.Scribble(frame, random);
                    }

                    TraceAnnotation[] annotations = i % 3 == 0
                        ? [TraceAnnotation.Video(new Rect(0, 0, frame.Width, frame.Height)), new TraceAnnotation((TraceAnnotationKind)200, new Rect(-5, 7, 0, 99), 123, -456)]
                        : [];
                    foreach (TraceAnnotation annotation in annotations)
                    {
                        writer.AddAnnotation(annotation);
                    }

                    var cursor = (X: random.Next(-100, 200), Y: random.Next(-100, 200), Visible: random.Next(2) == 0);
                    writer.SetCursorPosition(cursor.X, cursor.Y, cursor.Visible);
                    writer.WriteFrame(rate.TimestampOf(i), frame.ReadOnlyView);
                    expected.Add(frame.ReadOnlyView.ToPackedArray());
                    expectedSizes.Add((frame.Width, frame.Height));
                    expectedAnnotations.Add(annotations);
                    expectedCursor.Add(cursor);
                    Assert.True(writer.CurrentFrame.ContentEquals(frame.ReadOnlyView));
                }
            }
            finally
            {
                frame?.Dispose();
            }
        }

        using var reader = new TraceReader(new MemoryStream(output.ToArray()));
        Assert.Equal(header, reader.Header);
        Assert.Equal(TraceFormat.MinorVersion, reader.FormatMinorVersion);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.True(reader.ReadFrame());
            TraceFrame frame = reader.Frame;
            Assert.Equal(i, frame.Index);
            Assert.Equal(rate.TimestampOf(i), frame.TimestampMicroseconds);
            Assert.Equal(expectedSizes[i], (frame.Width, frame.Height));
            Assert.Equal(i > 0 && expectedSizes[i] != expectedSizes[i - 1], frame.ModeChanged);
            Assert.Equal(expected[i], reader.Framebuffer.ReadOnlyView.ToPackedArray());
            Assert.Equal(expectedAnnotations[i], frame.Annotations);
            Assert.True(frame.CursorPositionChanged);
            Assert.Equal(expectedCursor[i], (reader.Cursor.X, reader.Cursor.Y, reader.Cursor.Visible));
            Assert.Equal(frame.Rects.Sum(r => r.Area.Area), frame.ChangedPixels);
            Assert.All(frame.Rects, r => Assert.True(r.Codec == codec || r.Codec == TraceCodec.Raw));
        }

        Assert.False(reader.ReadFrame());
        Assert.True(reader.IsCompleted);
        Assert.False(reader.ReadFrame());
        Assert.Equal(output.Length, reader.Position);
    }

    [Theory]
    [MemberData(nameof(AllCodecs))]
    public void ExplicitRects_Overlapping_OddSizes_ReadBackExactly(TraceCodec codec)
    {
        var random = new Random(7 + (int)codec);
        using var frame = Framebuffer.Allocate(131, 77);
        using var expected = Framebuffer.Allocate(131, 77);
        using var output = new MemoryStream();
        var pictures = new List<byte[]>();
        using (var writer = new TraceWriter(output, new TraceHeader(131, 77), new TraceWriterOptions { Codec = codec }, leaveOpen: true))
        {
            for (int i = 0; i < 20; i++)
            {
                TraceTestData.Scribble(frame, random);
                var rects = new List<Rect>();
                for (int r = random.Next(0, 6); r > 0; r--)
                {
                    int x = random.Next(frame.Width);
                    int y = random.Next(frame.Height);
                    int kind = random.Next(4);
                    rects.Add(kind switch
                    {
                        0 => new Rect(x, y, 1, 1),
                        1 => new Rect(x, y, 1, random.Next(1, frame.Height - y + 1)),
                        2 => new Rect(x, y, random.Next(1, frame.Width - x + 1), 1),
                        _ => new Rect(x, y, random.Next(1, frame.Width - x + 1), random.Next(1, frame.Height - y + 1)),
                    });
                }

                rects.Add(default); // empty rectangles are skipped
                writer.WriteFrame(i * 1000L, frame.ReadOnlyView, rects.ToArray());
                foreach (Rect rect in rects.Where(r => !r.IsEmpty))
                {
                    frame.ReadOnlyView.Slice(rect).CopyTo(expected.View.Slice(rect));
                }

                Assert.True(writer.CurrentFrame.ContentEquals(expected.ReadOnlyView));
                pictures.Add(expected.ReadOnlyView.ToPackedArray());
            }
        }

        using var reader = new TraceReader(new MemoryStream(output.ToArray()));
        while (reader.ReadFrame())
        {
            Assert.Equal(reader.Frame.Index * 1000L, reader.Frame.TimestampMicroseconds);
            Assert.Equal(pictures[(int)reader.Frame.Index], reader.Framebuffer.ReadOnlyView.ToPackedArray());
        }

        Assert.Equal(20, reader.Statistics.Frames);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 200)]
    [InlineData(200, 1)]
    [InlineData(65, 65)]
    [InlineData(128, 64)]
    public void TinyAndEdgeSizes_RoundTrip(int width, int height)
    {
        foreach (TraceCodec codec in TraceTestData.Codecs)
        {
            var random = new Random(width * 1000 + height);
            using var frame = Framebuffer.Allocate(width, height);
            using var output = new MemoryStream();
            var frames = new List<byte[]>();
            using (var writer = new TraceWriter(output, new TraceHeader(width, height), new TraceWriterOptions { Codec = codec }, leaveOpen: true))
            {
                for (int i = 0; i < 5; i++)
                {
                    TraceTestData.Scribble(frame, random);
                    writer.WriteFrame(i, frame.ReadOnlyView);
                    frames.Add(frame.ReadOnlyView.ToPackedArray());
                }
            }

            using var reader = new TraceReader(new MemoryStream(output.ToArray()));
            foreach (byte[] expected in frames)
            {
                Assert.True(reader.ReadFrame());
                Assert.Equal(expected, reader.Framebuffer.ReadOnlyView.ToPackedArray());
            }

            Assert.False(reader.ReadFrame());
        }
    }

    [Fact]
    public void UnchangedFrames_AreWrittenWithNoRects_AndZeroFirstFrameNeedsNone()
    {
        using var frame = Framebuffer.Allocate(100, 100);
        using var output = new MemoryStream();
        using (var writer = new TraceWriter(output, new TraceHeader(100, 100), leaveOpen: true))
        {
            Assert.Equal(0, writer.WriteFrame(0, frame.ReadOnlyView)); // all zero, like the initial picture
            frame.Row(70)[4 * 70] = 1;
            Assert.Equal(1, writer.WriteFrame(1, frame.ReadOnlyView));
            Assert.Equal(0, writer.WriteFrame(2, frame.ReadOnlyView));
        }

        using var reader = new TraceReader(new MemoryStream(output.ToArray()));
        Assert.True(reader.ReadFrame());
        Assert.Empty(reader.Frame.Rects);
        Assert.True(reader.ReadFrame());
        Assert.Equal(new Rect(64, 64, 36, 36), Assert.Single(reader.Frame.Rects).Area);
        Assert.True(reader.ReadFrame());
        Assert.Empty(reader.Frame.Rects);
        Assert.False(reader.ReadFrame());
    }

    [Fact]
    public void RectLargerThanLimit_IsSplitIntoBands()
    {
        // 2100×2100×4 = 17.6 MB > 16 MiB: two bands.
        using var frame = Framebuffer.Allocate(2100, 2100);
        new Random(5).NextBytes(frame.Span);
        using var output = new MemoryStream();
        using (var writer = new TraceWriter(output, new TraceHeader(2100, 2100), new TraceWriterOptions { Codec = TraceCodec.Lz4 }, leaveOpen: true))
        {
            writer.WriteFrame(0, frame.ReadOnlyView, [frame.Bounds]);
        }

        using var reader = new TraceReader(new MemoryStream(output.ToArray()));
        Assert.True(reader.ReadFrame());
        Assert.Equal(2, reader.Frame.Rects.Count);
        Assert.All(reader.Frame.Rects, r => Assert.True(r.Area.Area * 4 <= TraceFormat.MaxRectBytes));
        Assert.Equal(TraceCodec.Raw, reader.Frame.Rects[0].Codec); // noise does not compress
        Assert.True(reader.Framebuffer.ReadOnlyView.ContentEquals(frame.ReadOnlyView));
    }

    [Theory]
    [MemberData(nameof(AllCodecs))]
    public void CursorShapes_RoundTrip(TraceCodec codec)
    {
        byte[] arrow = new byte[32 * 32 * 4];
        for (int i = 0; i < arrow.Length; i += 4)
        {
            int x = i / 4 % 32;
            int y = i / 4 / 32;
            bool inside = x <= y;
            BinaryPrimitives.WriteUInt32LittleEndian(arrow.AsSpan(i), inside ? 0xFF000000u | (uint)(x * 0x10203) : 0u);
        }

        byte[] big = new byte[256 * 256 * 4];
        new Random(3).NextBytes(big);
        using var output = new MemoryStream();
        using var frame = Framebuffer.Allocate(8, 8);
        using (var writer = new TraceWriter(output, new TraceHeader(8, 8), new TraceWriterOptions { Codec = codec }, leaveOpen: true))
        {
            writer.SetCursorShape(0, 0, 32, 32, arrow);
            writer.SetCursorPosition(-TraceFormat.MaxCursorCoordinate, TraceFormat.MaxCursorCoordinate);
            writer.WriteFrame(0, frame.ReadOnlyView);
            writer.SetCursorShape(255, 255, 256, 256, big);
            writer.WriteFrame(1, frame.ReadOnlyView);
            writer.SetCursorShape(0, 0, 0, 0, []);
            writer.WriteFrame(2, frame.ReadOnlyView);
            writer.WriteFrame(3, frame.ReadOnlyView);
        }

        using var reader = new TraceReader(new MemoryStream(output.ToArray()));
        Assert.True(reader.ReadFrame());
        Assert.True(reader.Frame.CursorShapeChanged);
        Assert.Equal((0, 0, 32, 32), (reader.Cursor.HotspotX, reader.Cursor.HotspotY, reader.Cursor.Width, reader.Cursor.Height));
        Assert.Equal(arrow, reader.Cursor.Pixels.ToArray());
        Assert.Equal((-TraceFormat.MaxCursorCoordinate, TraceFormat.MaxCursorCoordinate, true), (reader.Cursor.X, reader.Cursor.Y, reader.Cursor.Visible));
        Assert.True(reader.ReadFrame());
        Assert.False(reader.Frame.CursorPositionChanged);
        Assert.Equal((255, 255, 256, 256), (reader.Cursor.HotspotX, reader.Cursor.HotspotY, reader.Cursor.Width, reader.Cursor.Height));
        Assert.Equal(big, reader.Cursor.Pixels.ToArray());
        Assert.True(reader.ReadFrame());
        Assert.True(reader.Frame.CursorShapeChanged);
        Assert.Equal(0, reader.Cursor.Width);
        Assert.True(reader.Cursor.Pixels.IsEmpty);
        Assert.True(reader.ReadFrame());
        Assert.False(reader.Frame.CursorShapeChanged);
        Assert.False(reader.ReadFrame());
        Assert.Equal(3, reader.Statistics.CursorShapes);
    }

    [Fact]
    public void ImportedAtNominalRate_ExportsExactlyItsFrames()
    {
        var rate = new TraceFrameRate(30000, 1001);
        byte[] trace = WriteNumberedFrames(rate, Enumerable.Range(0, 40).Select(i => rate.TimestampOf(i)).ToArray());
        using var reader = new TraceReader(new MemoryStream(trace));
        long k = 0;
        while (reader.AdvanceToOutputFrame(k))
        {
            Assert.Equal(k, ReadNumber(reader));
            k++;
        }

        Assert.Equal(40, k);
        Assert.True(reader.IsCompleted);
    }

    [Fact]
    public void IrregularTimestamps_ExportHoldsEachFrameUntilTheNext()
    {
        // 10 fps output slots at 0, 100 000, 200 000... µs; trace frames at irregular times from t0 = 5 000 000.
        var rate = new TraceFrameRate(10);
        long[] times = [5_000_000, 5_030_000, 5_250_000, 5_250_000, 5_420_000];
        byte[] trace = WriteNumberedFrames(rate, times);
        using var reader = new TraceReader(new MemoryStream(trace));
        var shown = new List<long>();
        for (long k = 0; reader.AdvanceToOutputFrame(k); k++)
        {
            shown.Add(ReadNumber(reader));
        }

        // Slot 0 (t0): frame 0; slot 1 (+100 ms): frame 1; slot 2: still frame 1; slot 3 (+300 ms): frame 3 (2 and 3
        // share a time, 2 is never seen); slot 4: still 3; slot 5 (+500 ms): frame 4 (+420 ms), which came after slot 4
        // began; then the replay ends.
        Assert.Equal([0, 1, 1, 3, 3, 4], shown);
    }

    [Fact]
    public void EmptyTrace_HasNoFrames()
    {
        using var output = new MemoryStream();
        new TraceWriter(output, new TraceHeader(4, 4), leaveOpen: true).Dispose();
        using var reader = new TraceReader(new MemoryStream(output.ToArray()));
        Assert.False(reader.AdvanceToOutputFrame(0));
        Assert.False(reader.ReadFrame());
        Assert.True(reader.IsCompleted);
    }

    [Fact]
    public void Statistics_AgreeBetweenWriterAndReader_AndWithoutDecoding()
    {
        foreach (TraceCodec codec in TraceTestData.Codecs)
        {
            using var output = new MemoryStream();
            var random = new Random(11);
            TraceStatistics written;
            using (var writer = new TraceWriter(output, new TraceHeader(300, 200), new TraceWriterOptions { Codec = codec }, leaveOpen: true))
            {
                using var frame = Framebuffer.Allocate(300, 200);
                for (int i = 0; i < 12; i++)
                {
                    TraceTestData.Scribble(frame, random);
                    writer.AddAnnotation(TraceAnnotation.Scroll(new Rect(10, 10, 100, 100), 0, 16));
                    writer.WriteFrame(i * 33_333, frame.ReadOnlyView);
                }

                written = writer.Statistics;
                writer.Complete();
                Assert.Equal(output.Length, writer.BytesWritten);
                Assert.Throws<InvalidOperationException>(() => writer.WriteFrame(1_000_000, frame.ReadOnlyView));
            }

            foreach (bool decode in new[] { true, false })
            {
                using var reader = new TraceReader(new MemoryStream(output.ToArray()), new TraceReaderOptions { DecodePixels = decode });
                long frameBytes = 0;
                while (reader.ReadFrame())
                {
                    frameBytes += reader.Frame.EncodedBytes;
                }

                TraceStatistics read = reader.Statistics;
                Assert.Equal(written.Frames, read.Frames);
                Assert.Equal(written.Rects, read.Rects);
                Assert.Equal(written.ChangedPixels, read.ChangedPixels);
                Assert.Equal(written.Annotations, read.Annotations);
                Assert.Equal(written.LastTimestampMicroseconds, read.LastTimestampMicroseconds);
                foreach (TraceCodec c in TraceTestData.Codecs)
                {
                    Assert.Equal(written.RectsByCodec(c), read.RectsByCodec(c));
                    Assert.Equal(written.EncodedBytesByCodec(c), read.EncodedBytesByCodec(c));
                    Assert.Equal(written.RawBytesByCodec(c), read.RawBytesByCodec(c));
                }

                // Everything but the preamble, header and trailer belongs to some frame.
                Assert.True(frameBytes < output.Length && frameBytes > output.Length - 100, $"{frameBytes} of {output.Length}");
                if (!decode)
                {
                    Assert.Throws<InvalidOperationException>(() => reader.Framebuffer);
                }
            }
        }
    }

    [Fact]
    public void Writer_RejectsBadArguments_AndStaysUsable()
    {
        using var output = new MemoryStream();
        using var frame = Framebuffer.Allocate(10, 10);
        using var writer = new TraceWriter(output, new TraceHeader(10, 10), leaveOpen: true);
        writer.WriteFrame(100, frame.ReadOnlyView);
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.WriteFrame(99, frame.ReadOnlyView));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.WriteFrame(100, frame.ReadOnlyView, [new Rect(5, 5, 6, 1)]));
        using (var other = Framebuffer.Allocate(10, 10, PixelFormat.Rgbx32))
        {
            Assert.Throws<ArgumentException>(() => writer.WriteFrame(100, other.ReadOnlyView));
        }

        writer.AddAnnotation(TraceAnnotation.Move(new Rect(0, 0, 5, 5), 6, 0));
        Assert.Throws<ArgumentException>(() => writer.WriteFrame(101, frame.ReadOnlyView));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.SetCursorShape(4, 0, 4, 4, new byte[64]));
        Assert.Throws<ArgumentException>(() => writer.SetCursorShape(0, 0, 4, 4, new byte[63]));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.SetCursorShape(0, 0, 257, 1, new byte[257 * 4]));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.SetCursorPosition(TraceFormat.MaxCursorCoordinate + 1, 0));

        Assert.Throws<ArgumentOutOfRangeException>(() => new TraceWriter(new MemoryStream(), new TraceHeader(0, 10)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TraceWriter(new MemoryStream(), new TraceHeader(16385, 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TraceWriter(new MemoryStream(), new TraceHeader(16384, 8192)));
        Assert.Throws<ArgumentException>(() => new TraceWriter(new MemoryStream(), new TraceHeader(1, 1) { Tool = new string('x', 256) }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TraceWriter(new MemoryStream(), new TraceHeader(1, 1), new TraceWriterOptions { ZlibLevel = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TraceWriter(new MemoryStream(), new TraceHeader(1, 1), new TraceWriterOptions { TileSize = 16 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TraceWriter(new MemoryStream(), new TraceHeader(1, 1), new TraceWriterOptions { Codec = (TraceCodec)9 }));

        Assert.Throws<ArgumentException>(() => writer.WriteFrame(101, frame.ReadOnlyView)); // the bad annotation is still staged
        writer.DiscardStaged();
        writer.WriteFrame(101, frame.ReadOnlyView);
        writer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => writer.SetCursorPosition(0, 0));

        // The rejected frames left nothing behind: the trace holds the two valid frames, without annotations.
        using var reader = new TraceReader(new MemoryStream(output.ToArray()));
        while (reader.ReadFrame())
        {
            Assert.Empty(reader.Frame.Annotations);
        }

        Assert.Equal(2, reader.Statistics.Frames);
    }

    [Fact]
    public void Writer_FailingStream_FaultsWithoutTrailer()
    {
        var stream = new FailingStream(failAfter: 300);
        using var frame = Framebuffer.Allocate(64, 64);
        new Random(1).NextBytes(frame.Span);
        var writer = new TraceWriter(stream, new TraceHeader(64, 64), new TraceWriterOptions { Codec = TraceCodec.Raw });
        Assert.Throws<IOException>(() => writer.WriteFrame(0, frame.ReadOnlyView));
        Assert.Throws<InvalidOperationException>(() => writer.WriteFrame(1, frame.ReadOnlyView));
        writer.Dispose(); // no trailer attempt, no exception
        Assert.True(stream.Disposed);
    }

    [Fact]
    public void NonSeekableStreams_Work()
    {
        byte[] trace = TraceTestData.SmallTrace(TraceCodec.Zlib);
        using var pipe = new ForwardOnlyStream(trace);
        using var reader = new TraceReader(pipe);
        while (reader.ReadFrame())
        {
        }

        Assert.True(reader.IsCompleted);
    }

    [Fact]
    public void Header_ExtensionBytesAndUnknownAncillaryRecords_AreSkipped()
    {
        byte[] trace = new TraceTestData.Builder()
            .Preamble(minor: 7)
            .Header(extension: [1, 2, 3, 4])
            .Record((byte)'x', [9, 9, 9])
            .Frame(5, 2)
            .Record((byte)'y', [])
            .Rect(0, 0, 1, 1, TraceCodec.Raw, [1, 2, 3, 4])
            .Record((byte)'z', new byte[100])
            .End(1, 5)
            .ToArray();
        using var reader = new TraceReader(new MemoryStream(trace));
        Assert.Equal(7, reader.FormatMinorVersion);
        Assert.True(reader.ReadFrame());
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, reader.Framebuffer.Span[..4].ToArray());
        Assert.False(reader.ReadFrame());
        Assert.Equal(3, reader.Statistics.SkippedRecords);
    }

    [Fact]
    public void ModeChangeToTheSameSize_ZeroesThePicture()
    {
        byte[] trace = new TraceTestData.Builder()
            .Preamble()
            .Header(width: 2, height: 1)
            .Frame(0, 1)
            .Rect(0, 0, 2, 1, TraceCodec.Raw, [1, 2, 3, 4, 5, 6, 7, 8])
            .Frame(1, 1)
            .Mode(2, 1)
            .End(2, 1)
            .ToArray();
        using var reader = new TraceReader(new MemoryStream(trace));
        Assert.True(reader.ReadFrame());
        Assert.Equal(36, reader.Framebuffer.Span.ToArray().Sum(b => b));
        Assert.True(reader.ReadFrame());
        Assert.True(reader.Frame.ModeChanged);
        Assert.All(reader.Framebuffer.Span.ToArray(), b => Assert.Equal(0, b));
    }

    [Fact]
    public void SpecExample_IsWhatTheWriterWrites()
    {
        // docs/trace-format.md §7, with each record's CRC-32C appended.
        string[] records =
        [
            "48 25000000 02000000 01000000 20180001 00FF00FF 00FF1008 00000000 1E000000 01000000 00000000 00",
            "46 10000000 00000000 00000000 01000000 00000000",
            "52 11000000 0000 0000 0200 0100 00 FF000000 00FF0000",
            "45 10000000 01000000 00000000 00000000 00000000",
        ];
        var expected = new List<byte>(Convert.FromHexString("89464254 0D0A1A0A 0100 0000".Replace(" ", "", StringComparison.Ordinal)));
        foreach (string record in records)
        {
            byte[] bytes = Convert.FromHexString(record.Replace(" ", "", StringComparison.Ordinal));
            expected.AddRange(bytes);
            expected.AddRange(BitConverter.GetBytes(Crc32C.Compute(bytes)));
        }

        using var output = new MemoryStream();
        using var frame = Framebuffer.Allocate(2, 1);
        frame.Span[0] = 0xFF;
        frame.Span[5] = 0xFF;
        using (var writer = new TraceWriter(output, new TraceHeader(2, 1), new TraceWriterOptions { Codec = TraceCodec.Raw }, leaveOpen: true))
        {
            writer.WriteFrame(0, frame.ReadOnlyView);
        }

        Assert.Equal(Convert.ToHexString([.. expected]), Convert.ToHexString(output.ToArray()));
    }

    /// <summary>Frames whose first pixel holds their index.</summary>
    private static byte[] WriteNumberedFrames(TraceFrameRate rate, long[] timestamps)
    {
        using var output = new MemoryStream();
        using var frame = Framebuffer.Allocate(16, 16);
        using (var writer = new TraceWriter(output, new TraceHeader(16, 16) { FrameRate = rate }, leaveOpen: true))
        {
            for (int i = 0; i < timestamps.Length; i++)
            {
                BinaryPrimitives.WriteInt32LittleEndian(frame.Span, i + 1);
                writer.WriteFrame(timestamps[i], frame.ReadOnlyView);
            }
        }

        return output.ToArray();
    }

    private static long ReadNumber(TraceReader reader) => BinaryPrimitives.ReadInt32LittleEndian(reader.Framebuffer.Span) - 1;

    private sealed class FailingStream(int failAfter) : MemoryStream
    {
        public bool Disposed { get; private set; }

        public override void Write(ReadOnlySpan<byte> buffer) => Write(buffer.ToArray(), 0, buffer.Length);

        public override void Write(byte[] buffer, int offset, int count)
        {
            if (Length + count > failAfter)
            {
                throw new IOException("disk full");
            }

            base.Write(buffer, offset, count);
        }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }

    /// <summary>A pipe-like stream: no seeking, no length, and short reads of at most 7 bytes.</summary>
    private sealed class ForwardOnlyStream(byte[] data) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = Math.Min(Math.Min(buffer.Length, 7), data.Length - _position);
            data.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
