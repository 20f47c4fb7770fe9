using System.Buffers.Binary;
using Codecs.Pixels;
using Codecs.Trace;

namespace Codecs.Tests.Trace;

/// <summary>Frames, traces and hand-made records for the trace tests.</summary>
internal static class TraceTestData
{
    public static readonly TraceCodec[] Codecs = [TraceCodec.Raw, TraceCodec.Lz4, TraceCodec.Zlib];

    public static Framebuffer NewFrame(int width, int height) => Framebuffer.Allocate(width, height);

    /// <summary>Paints something desktop-like into a random part of <paramref name="frame"/>: a flat fill, a gradient, text-like dots or noise.</summary>
    public static void Scribble(Framebuffer frame, Random random)
    {
        int x = random.Next(frame.Width);
        int y = random.Next(frame.Height);
        int width = random.Next(1, Math.Min(frame.Width - x, 200) + 1);
        int height = random.Next(1, Math.Min(frame.Height - y, 120) + 1);
        int style = random.Next(4);
        uint colour = (uint)random.Next() | 0xFF000000;
        for (int row = y; row < y + height; row++)
        {
            Span<byte> pixels = frame.Row(row);
            for (int column = x; column < x + width; column++)
            {
                uint value = style switch
                {
                    0 => colour,
                    1 => colour + (uint)((column - x) * 3 + (row - y)),
                    2 => random.Next(5) == 0 ? 0xFF101010u : 0xFFF8F8F8u,
                    _ => (uint)random.Next(),
                };
                BinaryPrimitives.WriteUInt32LittleEndian(pixels[(column * 4)..], value);
            }
        }
    }

    /// <summary>A small complete trace: two modes, rectangles of every codec the options pick, cursor and annotations.</summary>
    public static byte[] SmallTrace(TraceCodec codec, int seed = 1, int frames = 6, int width = 48, int height = 40)
    {
        var random = new Random(seed);
        using var output = new MemoryStream();
        var header = new TraceHeader(width, height) { FrameRate = new TraceFrameRate(25), Tool = "Codecs.Tests" };
        using (var writer = new TraceWriter(output, header, new TraceWriterOptions { Codec = codec, TileSize = 32 }, leaveOpen: true))
        {
            using Framebuffer frame = NewFrame(width, height);
            for (int i = 0; i < frames; i++)
            {
                Scribble(frame, random);
                bool modeFrame = i == frames - 2;
                if (i == 1)
                {
                    writer.SetCursorShape(1, 2, 4, 3, Enumerable.Range(0, 48).Select(b => (byte)(b * 5)).ToArray());
                }

                if (i == 1 && !modeFrame)
                {
                    writer.AddAnnotation(TraceAnnotation.Video(new Rect(2, 3, 10, 8)));
                }

                writer.SetCursorPosition(i * 3, -i, visible: i % 2 == 0);
                if (i == 2 && !modeFrame)
                {
                    writer.AddAnnotation(TraceAnnotation.Move(new Rect(0, 0, 8, 8), 4, 5));
                    writer.AddAnnotation(TraceAnnotation.Scroll(new Rect(0, 0, 20, 20), 0, -3));
                }

                if (modeFrame)
                {
                    // A mode change: smaller, then the last frame returns to the original size.
                    using Framebuffer small = NewFrame(width / 2 + 1, height / 2 + 3);
                    Scribble(small, random);
                    writer.WriteFrame(header.FrameRate.TimestampOf(i), small.ReadOnlyView);
                    continue;
                }

                writer.WriteFrame(header.FrameRate.TimestampOf(i), frame.ReadOnlyView);
            }
        }

        return output.ToArray();
    }

    /// <summary>Reads every frame of <paramref name="trace"/>; returns the frame count.</summary>
    public static long ReadAll(byte[] trace, TraceReaderOptions? options = null)
    {
        using var reader = new TraceReader(new MemoryStream(trace, writable: false), options);
        while (reader.ReadFrame())
        {
            _ = reader.Cursor.Pixels.Length;
        }

        return reader.Statistics.Frames;
    }

    /// <summary>Builds traces byte by byte, with correct checksums unless told otherwise.</summary>
    public sealed class Builder
    {
        private readonly List<byte> _bytes = [];

        public Builder Preamble(ushort major = 1, ushort minor = 0)
        {
            _bytes.AddRange(TraceFormat.Magic);
            Span<byte> version = stackalloc byte[4];
            BinaryPrimitives.WriteUInt16LittleEndian(version, major);
            BinaryPrimitives.WriteUInt16LittleEndian(version[2..], minor);
            _bytes.AddRange(version);
            return this;
        }

        public Builder Header(uint width = 16, uint height = 8, uint fpsNumerator = 30, uint fpsDenominator = 1, string tool = "t", byte[]? extension = null)
        {
            byte[] toolBytes = System.Text.Encoding.UTF8.GetBytes(tool);
            byte[] payload = new byte[37 + toolBytes.Length + (extension?.Length ?? 0)];
            BinaryPrimitives.WriteUInt32LittleEndian(payload, width);
            BinaryPrimitives.WriteUInt32LittleEndian(payload.AsSpan(4), height);
            PixelFormat.Bgrx32.WriteWire(payload.AsSpan(8, 16));
            BinaryPrimitives.WriteUInt32LittleEndian(payload.AsSpan(24), fpsNumerator);
            BinaryPrimitives.WriteUInt32LittleEndian(payload.AsSpan(28), fpsDenominator);
            payload[36] = (byte)toolBytes.Length;
            toolBytes.CopyTo(payload, 37);
            extension?.CopyTo(payload, 37 + toolBytes.Length);
            return Record((byte)'H', payload);
        }

        public Builder Frame(ulong timestamp, uint items)
        {
            byte[] payload = new byte[16];
            BinaryPrimitives.WriteUInt64LittleEndian(payload, timestamp);
            BinaryPrimitives.WriteUInt32LittleEndian(payload.AsSpan(8), items);
            return Record((byte)'F', payload);
        }

        public Builder Mode(uint width, uint height)
        {
            byte[] payload = new byte[8];
            BinaryPrimitives.WriteUInt32LittleEndian(payload, width);
            BinaryPrimitives.WriteUInt32LittleEndian(payload.AsSpan(4), height);
            return Record((byte)'M', payload);
        }

        public Builder Rect(int x, int y, int width, int height, TraceCodec codec, ReadOnlySpan<byte> data)
        {
            byte[] payload = new byte[9 + data.Length];
            BinaryPrimitives.WriteUInt16LittleEndian(payload, (ushort)x);
            BinaryPrimitives.WriteUInt16LittleEndian(payload.AsSpan(2), (ushort)y);
            BinaryPrimitives.WriteUInt16LittleEndian(payload.AsSpan(4), (ushort)width);
            BinaryPrimitives.WriteUInt16LittleEndian(payload.AsSpan(6), (ushort)height);
            payload[8] = (byte)codec;
            data.CopyTo(payload.AsSpan(9));
            return Record((byte)'R', payload);
        }

        public Builder End(ulong frames, ulong lastTimestamp)
        {
            byte[] payload = new byte[16];
            BinaryPrimitives.WriteUInt64LittleEndian(payload, frames);
            BinaryPrimitives.WriteUInt64LittleEndian(payload.AsSpan(8), lastTimestamp);
            return Record((byte)'E', payload);
        }

        public Builder Record(byte type, ReadOnlySpan<byte> payload, bool goodChecksum = true)
        {
            byte[] record = new byte[5 + payload.Length];
            record[0] = type;
            BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(1), (uint)payload.Length);
            payload.CopyTo(record.AsSpan(5));
            _bytes.AddRange(record);
            uint crc = Crc32C.Compute(record);
            Span<byte> checksum = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(checksum, goodChecksum ? crc : ~crc);
            _bytes.AddRange(checksum);
            return this;
        }

        /// <summary>A record header claiming <paramref name="length"/> payload bytes, followed by only <paramref name="present"/> bytes.</summary>
        public Builder RecordHeaderOnly(byte type, uint length, int present = 0)
        {
            Span<byte> header = stackalloc byte[5];
            header[0] = type;
            BinaryPrimitives.WriteUInt32LittleEndian(header[1..], length);
            _bytes.AddRange(header);
            _bytes.AddRange(new byte[present]);
            return this;
        }

        public Builder Bytes(ReadOnlySpan<byte> bytes)
        {
            _bytes.AddRange(bytes);
            return this;
        }

        public byte[] ToArray() => [.. _bytes];
    }
}
