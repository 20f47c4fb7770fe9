using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using Codecs.Spice.Lz;

namespace Codecs.Spice.Glz;

/// <summary>The 33-byte big-endian header of a GLZ image.</summary>
public readonly record struct GlzHeader(LzImageType Type, bool TopDown, int Width, int Height, int Stride, ulong ImageId, uint WindowHeadDistance);

/// <summary>A decoded GLZ image as the client keeps it: 32-bit B,G,R,X (or B,G,R,A) pixels in stream row order.</summary>
public sealed class GlzImage
{
    internal GlzImage(GlzHeader header, uint[] pixels)
    {
        Header = header;
        PixelWords = pixels;
    }

    /// <summary>The image's header (id, size, type, top_down, win_head_dist).</summary>
    public GlzHeader Header { get; }

    /// <summary>Pixels as 32-bit little-endian B,G,R,X/A bytes, width × height, tight.</summary>
    public ReadOnlySpan<byte> Pixels => MemoryMarshal.AsBytes(PixelWords.AsSpan());

    internal uint[] PixelWords { get; }
}

/// <summary>
/// The client-side GLZ dictionary shared by all display channels of a session (spice-gtk's
/// <c>SpiceGlzDecoderWindow</c>): decoded images by id, released when a later image's <c>win_head_dist</c> says the
/// server no longer references them. A reference to an image that has not arrived yet waits for it (another channel
/// may deliver it), bounded by <see cref="WaitTimeout"/>; one that was released or never comes is a
/// <see cref="CodecDataException"/>. Retained pixels are capped (<see cref="MaxRetainedPixels"/>) against a server
/// that never releases. Thread-safe.
/// </summary>
public sealed class GlzDecoderWindow
{
    private readonly Dictionary<ulong, GlzImage> _images = [];
    private readonly object _gate = new(); // Monitor.Wait/PulseAll need a monitor, not System.Threading.Lock
    private ulong _tailGap;
    private ulong _oldest;

    /// <param name="maxRetainedPixels">Cap on the pixels kept; the oldest images are dropped beyond it.</param>
    /// <param name="waitTimeout">How long a reference waits for an image that has not arrived; default 5 s.</param>
    public GlzDecoderWindow(long maxRetainedPixels = 4L * GlzFormat.MaxWindowPixels, TimeSpan? waitTimeout = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRetainedPixels, 1);
        MaxRetainedPixels = maxRetainedPixels;
        WaitTimeout = waitTimeout ?? TimeSpan.FromSeconds(5);
    }

    /// <summary>Cap on retained pixels.</summary>
    public long MaxRetainedPixels { get; }

    /// <summary>Longest wait for a referenced image that has not arrived.</summary>
    public TimeSpan WaitTimeout { get; }

    /// <summary>Images currently held.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _images.Count;
            }
        }
    }

    /// <summary>Pixels currently held.</summary>
    public long RetainedPixels { get; private set; }

    /// <summary>Forgets everything (a new connection starts ids from 0).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _images.Clear();
            RetainedPixels = 0;
            _tailGap = 0;
            _oldest = 0;
            Monitor.PulseAll(_gate);
        }
    }

    internal GlzImage Acquire(ulong id, long offset)
    {
        long deadline = Environment.TickCount64 + (long)WaitTimeout.TotalMilliseconds;
        lock (_gate)
        {
            while (true)
            {
                if (_images.TryGetValue(id, out GlzImage? image))
                {
                    return image;
                }

                if (id < _oldest)
                {
                    GlzDecoder.Fail(offset, $"reference to released image {id}");
                }

                long left = deadline - Environment.TickCount64;
                if (left <= 0)
                {
                    GlzDecoder.Fail(offset, $"referenced image {id} never arrived");
                }

                Monitor.Wait(_gate, TimeSpan.FromMilliseconds(left));
            }
        }
    }

    internal void Add(GlzImage image)
    {
        lock (_gate)
        {
            ulong id = image.Header.ImageId;
            if (id < _oldest || !_images.TryAdd(id, image))
            {
                GlzDecoder.Fail(21, $"image id {id} already seen");
            }

            RetainedPixels += image.PixelWords.Length;
            while (_images.ContainsKey(_tailGap))
            {
                _tailGap++;
            }

            // Release what the newest gap-free image says the server no longer references.
            if (_tailGap > 0 && _images.TryGetValue(_tailGap - 1, out GlzImage? tail))
            {
                ulong head = tail.Header.ImageId - Math.Min(tail.Header.WindowHeadDistance, tail.Header.ImageId);
                Release(head);
            }

            while (RetainedPixels > MaxRetainedPixels && _oldest < id)
            {
                Release(_oldest + 1);
            }

            Monitor.PulseAll(_gate);
        }
    }

    private void Release(ulong before)
    {
        for (; _oldest < before; _oldest++)
        {
            if (_images.Remove(_oldest, out GlzImage? old))
            {
                RetainedPixels -= old.PixelWords.Length;
            }
        }
    }
}

/// <summary>
/// GLZ decoder (the client side, as spice-gtk's decode-glz): decodes RGB16, RGB24, RGB32 and RGBA images to 32-bit
/// pixels into a <see cref="GlzDecoderWindow"/>. Palette GLZ is rejected (servers never send it). Throws only
/// <see cref="CodecDataException"/> on bad input.
/// </summary>
public static class GlzDecoder
{
    /// <summary>Format name carried by <see cref="CodecDataException.Format"/>.</summary>
    public const string FormatName = "spice-glz";

    /// <summary>Parses and validates the header.</summary>
    public static GlzHeader ReadHeader(ReadOnlySpan<byte> source)
    {
        if (source.Length < GlzFormat.HeaderLength)
        {
            Fail(source.Length, "truncated header");
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(source) != LzFormat.Magic)
        {
            Fail(0, "bad magic");
        }

        if (BinaryPrimitives.ReadUInt32BigEndian(source[4..]) != LzFormat.Version)
        {
            Fail(4, "unsupported version");
        }

        var type = (LzImageType)(source[8] & 0x0F);
        if (type is not (LzImageType.Rgb16 or LzImageType.Rgb24 or LzImageType.Rgb32 or LzImageType.Rgba))
        {
            Fail(8, "unsupported image type");
        }

        uint width = BinaryPrimitives.ReadUInt32BigEndian(source[9..]);
        uint height = BinaryPrimitives.ReadUInt32BigEndian(source[13..]);
        uint stride = BinaryPrimitives.ReadUInt32BigEndian(source[17..]);
        if (width == 0 || height == 0 || (ulong)width * height >= GlzFormat.MaxWindowPixels * 4UL)
        {
            Fail(9, "bad image size");
        }

        if (stride != width * (uint)LzImageTypes.BytesPerPixel(type))
        {
            Fail(17, "stride is not width × bytes per pixel");
        }

        return new GlzHeader(type, (source[8] >> 4) != 0, (int)width, (int)height, (int)stride, BinaryPrimitives.ReadUInt64BigEndian(source[21..]), BinaryPrimitives.ReadUInt32BigEndian(source[29..]));
    }

    /// <summary>
    /// Decodes one image, adds it to <paramref name="window"/> (releasing what its <c>win_head_dist</c> allows) and
    /// returns it. <paramref name="maxPixels"/> bounds the allocation for a hostile header.
    /// </summary>
    public static GlzImage Decode(ReadOnlySpan<byte> source, GlzDecoderWindow window, long maxPixels = GlzFormat.MaxWindowPixels)
    {
        ArgumentNullException.ThrowIfNull(window);
        GlzHeader header = ReadHeader(source);
        long n = (long)header.Width * header.Height;
        if (n > maxPixels)
        {
            Fail(9, "image larger than allowed");
        }

        var pixels = new uint[n];
        int pos = GlzFormat.HeaderLength;
        DecodePass(source, ref pos, header, pixels, alphaPass: false, window);
        if (header.Type == LzImageType.Rgba)
        {
            DecodePass(source, ref pos, header, pixels, alphaPass: true, window);
        }

        if (pos != source.Length)
        {
            Fail(pos, "trailing bytes after the image");
        }

        var image = new GlzImage(header, pixels);
        window.Add(image);
        return image;
    }

    [DoesNotReturn]
    internal static void Fail(long offset, string message) => CodecDataException.Throw(FormatName, offset, message);

    private static void DecodePass(ReadOnlySpan<byte> src, ref int pos, in GlzHeader header, uint[] dst, bool alphaPass, GlzDecoderWindow window)
    {
        int bias = GlzFormat.LengthBias(header.Type, alphaPass);
        int n = dst.Length;
        int op = 0;
        while (op < n)
        {
            int tokenAt = pos;
            int ctrl = Next(src, ref pos);
            if (ctrl < LzFormat.MaxCopy)
            {
                int count = ctrl + 1;
                if (count > n - op)
                {
                    Fail(tokenAt, "literal run past the end of the image");
                }

                for (int k = 0; k < count; k++, op++)
                {
                    if (alphaPass)
                    {
                        dst[op] = (dst[op] & 0x00FFFFFF) | ((uint)Next(src, ref pos) << 24);
                    }
                    else if (header.Type == LzImageType.Rgb16)
                    {
                        int hi = Next(src, ref pos);
                        int lo = Next(src, ref pos);
                        dst[op] = Rgb16To32(hi, lo);
                    }
                    else
                    {
                        int b = Next(src, ref pos);
                        int g = Next(src, ref pos);
                        int r = Next(src, ref pos);
                        dst[op] = (uint)(b | (g << 8) | (r << 16));
                    }
                }

                continue;
            }

            long length = ctrl >> 5;
            bool farFlag = (ctrl & 0x10) != 0;
            long pixelOffset = ctrl & 0x0F;
            if (length == 7)
            {
                int code;
                do
                {
                    code = Next(src, ref pos);
                    length += code;
                    if (length > n)
                    {
                        Fail(pos, "match length past the end of the image");
                    }
                }
                while (code == 255);
            }

            pixelOffset += (long)Next(src, ref pos) << 4;
            int c2 = Next(src, ref pos);
            int extra = c2 >> 6;
            ulong imageDistance = 0;
            if (!farFlag)
            {
                imageDistance = (ulong)(c2 & 0x3F);
                for (int k = 0; k < extra; k++)
                {
                    imageDistance += (ulong)Next(src, ref pos) << (6 + (8 * k));
                }
            }
            else
            {
                bool veryFar = (c2 & 0x20) != 0;
                pixelOffset += (long)(c2 & 0x1F) << 12;
                for (int k = 0; k < extra; k++)
                {
                    imageDistance += (ulong)Next(src, ref pos) << (8 * k);
                }

                if (veryFar)
                {
                    pixelOffset += (long)Next(src, ref pos) << 17;
                }
            }

            length += bias;
            if (length > n - op)
            {
                Fail(tokenAt, "match past the end of the image");
            }

            int count2 = (int)length;
            if (imageDistance == 0)
            {
                long from = op - (pixelOffset + 1);
                if (from < 0)
                {
                    Fail(tokenAt, "match before the start of the image");
                }

                Copy(dst, (int)from, dst, op, count2, alphaPass);
            }
            else
            {
                if (imageDistance > header.ImageId)
                {
                    Fail(tokenAt, "reference to an image before id 0");
                }

                GlzImage referenced = window.Acquire(header.ImageId - imageDistance, tokenAt);
                uint[] refPixels = referenced.PixelWords;
                if (pixelOffset + count2 > refPixels.Length)
                {
                    Fail(tokenAt, "match past the end of the referenced image");
                }

                Copy(refPixels, (int)pixelOffset, dst, op, count2, alphaPass);
            }

            op += count2;
        }
    }

    private static void Copy(uint[] from, int fromIndex, uint[] to, int toIndex, int count, bool alphaOnly)
    {
        for (int k = 0; k < count; k++)
        {
            uint v = from[fromIndex + k];
            to[toIndex + k] = alphaOnly ? (to[toIndex + k] & 0x00FFFFFF) | (v & 0xFF000000) : v;
        }
    }

    // spice-gtk's 16-to-32 expansion of a big-endian x555 literal.
    private static uint Rgb16To32(int hi, int lo)
    {
        int g = ((hi << 6) | (lo >> 2)) & 0xF8;
        g |= g >> 5;
        int r = ((hi << 1) & 0xF8) | ((hi >> 4) & 0x07);
        int b = ((lo << 3) & 0xFF) | ((lo >> 2) & 0x07);
        return (uint)(b | (g << 8) | (r << 16));
    }

    private static int Next(ReadOnlySpan<byte> src, ref int pos)
    {
        if (pos >= src.Length)
        {
            Fail(src.Length, "truncated data");
        }

        return src[pos++];
    }
}
