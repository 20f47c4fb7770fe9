using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;

namespace Codecs.Spice.Quic;

/// <summary>The five header words of a QUIC stream.</summary>
public readonly record struct QuicHeader(QuicImageType Type, int Width, int Height)
{
    /// <summary>Bytes per pixel of the type's memory layout.</summary>
    public int BytesPerPixel => QuicTables.BytesPerPixel(Type);
}

/// <summary>
/// QUIC decoder, written from the format independently of <see cref="QuicEncoder"/> (only the normative constant
/// tables in <see cref="QuicTables"/> are shared): it is the oracle the encoder's output is checked against.
/// Throws only <see cref="CodecDataException"/> on bad input and never reads or writes outside the given spans.
/// Reuse one instance per stream to keep its scratch rows; not thread-safe.
/// </summary>
public sealed class QuicDecoder
{
    /// <summary>Format name carried by <see cref="CodecDataException.Format"/>.</summary>
    public const string FormatName = "quic";

    private Plane[] _planes = [];
    private int _planeWidth;

    // Immutable per bpc (8 for every type but RGB16's 5), so built once per decoder.
    private Model? _model8;
    private Model? _model5;

    /// <summary>Parses and validates the header. The caller bounds the size before allocating for it.</summary>
    public static QuicHeader ReadHeader(ReadOnlySpan<byte> source)
    {
        if (source.Length < 20)
        {
            Fail(source.Length, "truncated header");
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(source) != QuicTables.Magic)
        {
            Fail(0, "bad magic");
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(source[4..]) != QuicTables.Version)
        {
            Fail(4, "unsupported version");
        }

        uint type = BinaryPrimitives.ReadUInt32LittleEndian(source[8..]);
        if (type is < 1 or > 5)
        {
            Fail(8, "bad image type");
        }

        uint width = BinaryPrimitives.ReadUInt32LittleEndian(source[12..]);
        uint height = BinaryPrimitives.ReadUInt32LittleEndian(source[16..]);
        if (width == 0 || height == 0 || width > int.MaxValue || height > int.MaxValue || (ulong)width * height > QuicTables.MaxPixels)
        {
            Fail(12, "bad image size");
        }

        return new QuicHeader((QuicImageType)type, (int)width, (int)height);
    }

    /// <summary>
    /// Decodes a whole QUIC stream into <paramref name="destination"/> in the stream type's memory layout
    /// (RGB32 pad bytes become 0), top row first, rows <paramref name="stride"/> bytes apart.
    /// </summary>
    public QuicHeader Decode(ReadOnlySpan<byte> source, Span<byte> destination, int stride)
    {
        QuicHeader header = ReadHeader(source);
        if ((source.Length & 3) != 0)
        {
            Fail(source.Length, "length is not a whole number of 32-bit words");
        }

        int bpp = header.BytesPerPixel;
        if (stride < (long)header.Width * bpp || destination.Length < ((long)(header.Height - 1) * stride) + ((long)header.Width * bpp))
        {
            throw new ArgumentException("Destination too small for the image.", nameof(destination));
        }

        (int channels, int bpc) = QuicTables.Params(header.Type);
        EnsurePlanes(channels, header.Width);
        Model model = bpc == 8 ? _model8 ??= new Model(8) : _model5 ??= new Model(5);
        var rgb = new Pass(0, header.Type == QuicImageType.Gray ? 1 : 3);
        Pass alpha = new(3, 1);
        foreach (Plane p in _planes.AsSpan(0, channels))
        {
            p.Reset(bpc);
        }

        var reader = new BitReader(source, 20);
        for (int row = 0; row < header.Height; row++)
        {
            DecodeRow(ref reader, ref rgb, model, row, header.Width);
            if (channels == 4)
            {
                DecodeRow(ref reader, ref alpha, model, row, header.Width);
            }

            reader.CheckPosition();
            StoreRow(header.Type, destination.Slice(row * stride, header.Width * bpp), header.Width);
            foreach (Plane p in _planes.AsSpan(0, channels))
            {
                p.NextRow();
            }
        }

        return header;
    }

    private void EnsurePlanes(int channels, int width)
    {
        if (_planes.Length < 4 || _planeWidth < width)
        {
            _planes = [new Plane(width), new Plane(width), new Plane(width), new Plane(width)];
            _planeWidth = width;
        }
    }

    private void StoreRow(QuicImageType type, Span<byte> line, int width)
    {
        byte[] r = _planes[0].Cur;
        switch (type)
        {
            case QuicImageType.Gray:
                r.AsSpan(0, width).CopyTo(line);
                break;
            case QuicImageType.Rgb16:
                for (int i = 0; i < width; i++)
                {
                    int v = (r[i] << 10) | (_planes[1].Cur[i] << 5) | _planes[2].Cur[i];
                    line[2 * i] = (byte)v;
                    line[(2 * i) + 1] = (byte)(v >> 8);
                }

                break;
            case QuicImageType.Rgb24:
                for (int i = 0; i < width; i++)
                {
                    line[3 * i] = _planes[2].Cur[i];
                    line[(3 * i) + 1] = _planes[1].Cur[i];
                    line[(3 * i) + 2] = r[i];
                }

                break;
            default:
                // One little-endian word per pixel: B, G, R, then A or the zero pad byte.
                ReadOnlySpan<byte> red = r.AsSpan(0, width);
                ReadOnlySpan<byte> green = _planes[1].Cur.AsSpan(0, width);
                ReadOnlySpan<byte> blue = _planes[2].Cur.AsSpan(0, width);
                ReadOnlySpan<byte> alpha = type == QuicImageType.Rgba ? _planes[3].Cur.AsSpan(0, width) : default;
                Span<byte> pixels = line[..(width * 4)];
                for (int i = 0; i < red.Length && i < green.Length && i < blue.Length; i++)
                {
                    uint a = alpha.IsEmpty ? 0u : alpha[i];
                    BinaryPrimitives.WriteUInt32LittleEndian(pixels[(i * 4)..], blue[i] | ((uint)green[i] << 8) | ((uint)red[i] << 16) | (a << 24));
                }

                break;
        }
    }

    private void DecodeRow(ref BitReader reader, ref Pass pass, Model model, int row, int width)
    {
        for (int c = pass.First; c < pass.First + pass.Count; c++)
        {
            Plane p = _planes[c];
            p.Ctx[0] = row == 0 ? (byte)0 : p.Ctx[1];
        }

        int pos = 0;
        int left = width;
        while (pass.WmIdx < QuicTables.WaitMaskMax && pass.WmiLeft <= left)
        {
            if (pass.WmiLeft > 0)
            {
                DecodeSegment(ref reader, ref pass, model, row, pos, pos + pass.WmiLeft);
                pos += pass.WmiLeft;
                left -= pass.WmiLeft;
            }

            pass.WmIdx++;
            pass.WmiLeft = QuicTables.WaitMaskNext;
        }

        if (left > 0)
        {
            DecodeSegment(ref reader, ref pass, model, row, pos, pos + left);
            if (pass.WmIdx < QuicTables.WaitMaskMax)
            {
                pass.WmiLeft -= left;
            }
        }
    }

    private void DecodeSegment(ref BitReader reader, ref Pass pass, Model model, int row, int i, int end)
    {
        uint waitMask = (1u << pass.WmIdx) - 1;
        int trigger = QuicTables.WmTrigger[pass.WmIdx];
        int stop;
        int lastRunStart = 0;
        if (i == 0)
        {
            DecodePixel(ref reader, ref pass, model, row, 0);
            if (pass.Wait > 0)
            {
                pass.Wait--;
            }
            else
            {
                pass.Wait = (int)(pass.NextRandom() & waitMask);
                Learn(ref pass, model, 0, trigger);
            }

            i = 1;
            stop = 1 + pass.Wait;
        }
        else
        {
            stop = i + pass.Wait;
        }

        while (true)
        {
            // Code pixels up to the next sampling point (or the segment end), watching for run starts.
            int limit = Math.Min(stop + 1, end);
            bool runStarted = false;
            while (i < limit)
            {
                if (row > 0 && i > 2 && i != lastRunStart && SameAsLeft(pass, i, prevRow: true) && SameLeftPair(pass, i))
                {
                    runStarted = true;
                    break;
                }

                DecodePixel(ref reader, ref pass, model, row, i);
                i++;
            }

            if (!runStarted)
            {
                if (stop < end)
                {
                    Learn(ref pass, model, stop, trigger);
                    stop = i + (int)(pass.NextRandom() & waitMask);
                    continue;
                }

                pass.Wait = stop - end;
                return;
            }

            // Run mode.
            lastRunStart = i;
            pass.Wait = stop - i;
            int length = ReadRunLength(ref reader, ref pass, end - i);
            for (int c = pass.First; c < pass.First + pass.Count; c++)
            {
                byte[] cur = _planes[c].Cur;
                cur.AsSpan(i, length).Fill(cur[i - 1]);
            }

            i += length;
            if (i == end)
            {
                return;
            }

            stop = i + pass.Wait;
        }
    }

    private bool SameAsLeft(in Pass pass, int i, bool prevRow)
    {
        for (int c = pass.First; c < pass.First + pass.Count; c++)
        {
            byte[] line = prevRow ? _planes[c].Prev : _planes[c].Cur;
            if (line[i - 1] != line[i])
            {
                return false;
            }
        }

        return true;
    }

    private bool SameLeftPair(in Pass pass, int i)
    {
        for (int c = pass.First; c < pass.First + pass.Count; c++)
        {
            byte[] cur = _planes[c].Cur;
            if (cur[i - 1] != cur[i - 2])
            {
                return false;
            }
        }

        return true;
    }

    private void DecodePixel(ref BitReader reader, ref Pass pass, Model model, int row, int i)
    {
        for (int c = pass.First; c < pass.First + pass.Count; c++)
        {
            Plane p = _planes[c];
            int code = p.Best[model.BucketOf(p.Ctx[i])];
            int value = model.ReadGolomb(ref reader, code);
            p.Ctx[i + 1] = (byte)value;

            // Undo the zig-zag mapping, then the prediction (mod 2^bpc).
            int residual = (value & 1) == 0 ? value >> 1 : model.Mask - (value >> 1);
            int prediction;
            if (row == 0)
            {
                prediction = i == 0 ? 0 : p.Cur[i - 1];
            }
            else
            {
                prediction = i == 0 ? p.Prev[0] : (p.Cur[i - 1] + p.Prev[i]) >> 1;
            }

            p.Cur[i] = (byte)((residual + prediction) & model.Mask);
        }
    }

    // Model update after the pixel at position i: the bucket selected by the left context learns the pixel's value.
    // Codes are scanned from the longest parameter down and a later (smaller) code wins only when strictly better.
    private void Learn(ref Pass pass, Model model, int i, int trigger)
    {
        int bpc = model.Bpc;
        for (int c = pass.First; c < pass.First + pass.Count; c++)
        {
            Plane p = _planes[c];
            int bucket = model.BucketOf(p.Ctx[i]);
            ReadOnlySpan<byte> lengths = model.LengthsOf(p.Ctx[i + 1]);
            Span<uint> counters = p.Counters.AsSpan(bucket * 8, 8);
            int best = bpc - 1;
            uint smallest = counters[best] += lengths[best];
            for (int l = bpc - 2; l >= 0; l--)
            {
                uint total = counters[l] += lengths[l];
                if (total < smallest)
                {
                    smallest = total;
                    best = l;
                }
            }

            p.Best[bucket] = (byte)best;
            if (smallest > trigger)
            {
                for (int l = 0; l < bpc; l++)
                {
                    counters[l] >>= 1;
                }
            }
        }
    }

    private static int ReadRunLength(ref BitReader reader, ref Pass pass, int maxLength)
    {
        int length = 0;
        while (reader.Peek(1) == 1)
        {
            reader.Skip(1);
            length += 1 << QuicTables.MelcodeJ[pass.MelcState];
            if (pass.MelcState < 31)
            {
                pass.MelcState++;
            }

            if (length > maxLength)
            {
                Fail(reader.ByteOffset, "run past the end of the row");
            }
        }

        reader.Skip(1);
        int bits = QuicTables.MelcodeJ[pass.MelcState];
        if (bits > 0)
        {
            length += (int)reader.Peek(bits);
            reader.Skip(bits);
        }

        if (length > maxLength)
        {
            Fail(reader.ByteOffset, "run past the end of the row");
        }

        if (pass.MelcState > 0)
        {
            pass.MelcState--;
        }

        return length;
    }

    [DoesNotReturn]
    private static void Fail(long offset, string message) => CodecDataException.Throw(FormatName, offset, message);

    private sealed class Plane(int width)
    {
        public byte[] Cur = new byte[width];
        public byte[] Prev = new byte[width];

        // Ctx[0] is the context of pixel 0 (the previous row's first residual); Ctx[i + 1] is pixel i's residual.
        public readonly byte[] Ctx = new byte[width + 1];
        public readonly uint[] Counters = new uint[8 * 8];
        public readonly byte[] Best = new byte[8];

        public void Reset(int bpc)
        {
            Array.Clear(Counters);
            Best.AsSpan().Fill((byte)(bpc - 1));
        }

        public void NextRow() => (Cur, Prev) = (Prev, Cur);
    }

    // Shared state of one coding pass (RGB channels together, or alpha alone).
    private struct Pass(int first, int count)
    {
        public readonly int First = first;
        public readonly int Count = count;
        public int Wait;
        public uint Seed = 0xFF;
        public int WmIdx;
        public int WmiLeft = QuicTables.WaitMaskNext;
        public int MelcState;

        public uint NextRandom()
        {
            Seed++;
            return QuicTables.TabrandChaos[(int)(Seed & 0xFF)];
        }
    }

    private sealed class Model
    {
        private readonly int[] _nGr = new int[8];
        private readonly int[] _escape = new int[8];
        private readonly int[] _prefix = new int[8];

        // Tables of the two functions below: [context] = bucket, [value * 8 + l] = code length.
        private readonly byte[] _buckets = new byte[256];
        private readonly byte[] _lengths = new byte[256 * 8];

        public Model(int bpc)
        {
            Bpc = bpc;
            Mask = (1 << bpc) - 1;
            for (int l = 0; l < bpc; l++)
            {
                _prefix[l] = Math.Min(QuicTables.MaxCodeLength - bpc, (1 << (bpc - l)) - 1);
                _nGr[l] = _prefix[l] << l;
                int left = (1 << bpc) - _nGr[l];
                int suffix = 0;
                while ((1 << suffix) < left)
                {
                    suffix++;
                }

                _escape[l] = _prefix[l] + suffix;
            }

            for (int value = 0; value <= Mask; value++)
            {
                _buckets[value] = (byte)Bucket(value, bpc);
                for (int l = 0; l < bpc; l++)
                {
                    _lengths[(value * 8) + l] = (byte)CodeLength(value, l);
                }
            }
        }

        public int Bpc { get; }

        public int Mask { get; }

        // Contexts are bucketed by powers of two: [0] [1-2] [3-6] ... with the top bucket taking the rest.
        public static int Bucket(int context, int bpc) => Math.Min(BitOperations.Log2((uint)context + 1), bpc - 1);

        public int BucketOf(int context) => _buckets[context];

        public ReadOnlySpan<byte> LengthsOf(int value) => _lengths.AsSpan(value * 8, 8);

        public int CodeLength(int value, int l) => value < _nGr[l] ? (value >> l) + 1 + l : _escape[l];

        public int ReadGolomb(ref BitReader reader, int l)
        {
            uint bits = reader.Peek(32);
            int value;
            int length;
            if ((bits >> (32 - _prefix[l])) != 0)
            {
                int zeros = BitOperations.LeadingZeroCount(bits);
                length = zeros + 1 + l;
                value = (zeros << l) | (int)((bits >> (32 - length)) & ((1u << l) - 1));
            }
            else
            {
                length = _escape[l];
                value = _nGr[l] + (int)(bits >> (32 - length));
            }

            if (value > Mask)
            {
                Fail(reader.ByteOffset, "residual out of range");
            }

            reader.Skip(length);
            return value;
        }
    }

    // MSB-first reader over little-endian 32-bit words with a 64-bit accumulator; zeros past the end are allowed for
    // look-ahead only, consuming them is an error.
    private ref struct BitReader
    {
        private readonly ReadOnlySpan<byte> _source;
        private int _next;
        private ulong _acc;
        private int _count;
        private int _overrun;

        public BitReader(ReadOnlySpan<byte> source, int start)
        {
            _source = source;
            _next = start;
            Refill();
        }

        public readonly long ByteOffset => _next - (_count / 8);

        public readonly uint Peek(int bits) => (uint)(_acc >> (64 - bits));

        public void Skip(int bits)
        {
            _acc <<= bits;
            _count -= bits;
            if (_count < 32)
            {
                Refill();
            }
        }

        public readonly void CheckPosition()
        {
            if ((_next * 8L) - _count > _source.Length * 8L)
            {
                Fail(_source.Length, "truncated data");
            }
        }

        private void Refill()
        {
            uint word;
            if (_next + 4 <= _source.Length)
            {
                word = BinaryPrimitives.ReadUInt32LittleEndian(_source[_next..]);
            }
            else
            {
                if (++_overrun > 2)
                {
                    Fail(_source.Length, "truncated data");
                }

                word = 0;
            }

            _acc |= (ulong)word << (32 - _count);
            _count += 32;
            _next += 4;
        }
    }
}
