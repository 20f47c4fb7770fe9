using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Codecs.Spice.Lz;

namespace Codecs.Spice.Glz;

/// <summary>
/// The server side of one client's GLZ dictionary: a window of the most recent images (at most
/// <see cref="WindowPixels"/> pixels), their 64-bit ids and the hash tables shared by all of this client's
/// <see cref="GlzEncoder"/>s. Not thread-safe: encode one image at a time per dictionary.
/// </summary>
public sealed class GlzEncoderWindow
{
    internal const int HashLog = 20;

    private readonly List<WindowImage> _images = [];
    private long _nextBase;

    /// <param name="windowPixels">The client's window size from DISPLAY_INIT, in pixels; capped at 2^25 as the server does.</param>
    public GlzEncoderWindow(int windowPixels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(windowPixels, 1);
        WindowPixels = Math.Min(windowPixels, GlzFormat.MaxWindowPixels);
        RgbTable.AsSpan().Fill(-1);
    }

    /// <summary>The window size in pixels.</summary>
    public int WindowPixels { get; }

    /// <summary>The id the next encoded image gets (ids start at 0 and never repeat within a dictionary).</summary>
    public ulong NextImageId { get; private set; }

    /// <summary>Pixels of the images currently in the window.</summary>
    public long RetainedPixels { get; private set; }

    /// <summary>Number of images in the window.</summary>
    public int ImageCount => _images.Count;

    internal long[] RgbTable { get; } = new long[1 << HashLog];

    internal long[]? AlphaTable { get; private set; }

    internal long HeadBase => _images.Count > 0 ? _images[0].Base : _nextBase;

    internal long NextBase => _nextBase;

    /// <summary>True when an image of this many pixels may use GLZ (smaller than the window); otherwise use LZ.</summary>
    public bool CanEncode(int width, int height) => (long)width * height < WindowPixels;

    internal long[] EnsureAlphaTable()
    {
        if (AlphaTable is null)
        {
            AlphaTable = new long[1 << HashLog];
            AlphaTable.AsSpan().Fill(-1);
        }

        return AlphaTable;
    }

    /// <summary>Evicts the oldest images so <paramref name="pixels"/> more fit; returns win_head_dist for the next id.</summary>
    internal uint PrepareWindow(int pixels)
    {
        while (_images.Count > 0 && RetainedPixels + pixels > WindowPixels)
        {
            RetainedPixels -= _images[0].Pixels;
            _images.RemoveAt(0);
        }

        return _images.Count == 0 ? 0 : (uint)(NextImageId - _images[0].Id);
    }

    internal void Commit(LzImageType type, uint[] rgb, uint[]? alpha, int pixels)
    {
        _images.Add(new WindowImage(NextImageId, type, _nextBase, pixels, rgb, alpha));
        RetainedPixels += pixels;
        NextImageId++;
        _nextBase += pixels + 1L;
    }

    internal WindowImage? Find(long globalPosition)
    {
        int lo = 0;
        int hi = _images.Count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            WindowImage img = _images[mid];
            if (globalPosition < img.Base)
            {
                hi = mid - 1;
            }
            else if (globalPosition >= img.Base + img.Pixels)
            {
                lo = mid + 1;
            }
            else
            {
                return img;
            }
        }

        return null;
    }

    internal sealed record WindowImage(ulong Id, LzImageType Type, long Base, int Pixels, uint[] Rgb, uint[]? Alpha);
}

/// <summary>
/// GLZ encoder: LZ with references into earlier images of the client's <see cref="GlzEncoderWindow"/> (same
/// <see cref="LzImageType"/> only, never older than the window head it announces in <c>win_head_dist</c>).
/// Types: RGB16 (x555, literals big-endian), RGB24, RGB32 and RGBA (whose alpha pass may reference earlier RGBA
/// images' alpha).
/// </summary>
public sealed class GlzEncoder(GlzEncoderWindow window)
{
    private const int LocalHashLog = 15;

    private readonly GlzEncoderWindow _window = window;
    private readonly int[] _local = new int[1 << LocalHashLog];
    private int _generation;
    private PendingImage? _pending;

    /// <summary>Upper bound of the encoded size in bytes.</summary>
    public static long GetMaxEncodedLength(LzImageType type, int width, int height) =>
        LzEncoder.GetMaxEncodedLength(type, width, height) + GlzFormat.HeaderLength;

    /// <summary>
    /// Encodes one image into the dictionary. On success the image gets <paramref name="imageId"/> and joins the
    /// window; on false (destination too small) the dictionary is unchanged apart from evictions. Throws when the
    /// image does not fit the window (<see cref="GlzEncoderWindow.CanEncode"/>): send LZ instead.
    /// </summary>
    public bool TryEncode(LzImageType type, ReadOnlySpan<byte> pixels, int width, int height, int stride, bool topDown, Span<byte> destination, out int bytesWritten, out ulong imageId)
    {
        if (!TryEncodeTentative(type, pixels, width, height, stride, topDown, destination, out bytesWritten, out imageId))
        {
            return false;
        }

        CommitTentative();
        return true;
    }

    /// <summary>
    /// Encodes one image like <see cref="TryEncode"/> but leaves it out of the dictionary until
    /// <see cref="CommitTentative"/>: a caller that compares GLZ with another codec and sends the other one simply
    /// does not commit, so the client never misses an id it would wait for. The next encode of this encoder drops
    /// an uncommitted image; no other encoder of the window may encode in between.
    /// </summary>
    public bool TryEncodeTentative(LzImageType type, ReadOnlySpan<byte> pixels, int width, int height, int stride, bool topDown, Span<byte> destination, out int bytesWritten, out ulong imageId)
    {
        _pending = null;
        if (type is not (LzImageType.Rgb16 or LzImageType.Rgb24 or LzImageType.Rgb32 or LzImageType.Rgba))
        {
            throw new ArgumentOutOfRangeException(nameof(type), "GLZ encodes RGB16, RGB24, RGB32 and RGBA.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (!_window.CanEncode(width, height))
        {
            throw new ArgumentOutOfRangeException(nameof(height), "Image not smaller than the GLZ window; use LZ.");
        }

        int bpp = LzImageTypes.BytesPerPixel(type);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, width * bpp);
        if (pixels.Length < ((long)(height - 1) * stride) + ((long)width * bpp))
        {
            throw new ArgumentException("Pixel buffer smaller than height × stride.", nameof(pixels));
        }

        bytesWritten = 0;
        imageId = _window.NextImageId;
        int n = width * height;
        uint winHeadDist = _window.PrepareWindow(n);
        if (destination.Length < GlzFormat.HeaderLength)
        {
            return false;
        }

        BinaryPrimitives.WriteUInt32BigEndian(destination, LzFormat.Magic);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], LzFormat.Version);
        destination[8] = (byte)(((int)type & 0x0F) | (topDown ? 0x10 : 0));
        BinaryPrimitives.WriteUInt32BigEndian(destination[9..], (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(destination[13..], (uint)height);
        BinaryPrimitives.WriteUInt32BigEndian(destination[17..], (uint)(width * bpp));
        BinaryPrimitives.WriteUInt64BigEndian(destination[21..], imageId);
        BinaryPrimitives.WriteUInt32BigEndian(destination[29..], winHeadDist);
        int pos = GlzFormat.HeaderLength;

        var rgb = new uint[n];
        uint[]? alpha = type == LzImageType.Rgba ? new uint[n] : null;
        int o = 0;
        for (int y = 0; y < height; y++)
        {
            ReadOnlySpan<byte> row = pixels.Slice(y * stride, width * bpp);
            for (int x = 0; x < width; x++, o++)
            {
                int p = x * bpp;
                rgb[o] = bpp == 2 ? row[p] | ((uint)row[p + 1] << 8) : row[p] | ((uint)row[p + 1] << 8) | ((uint)row[p + 2] << 16);
                if (alpha is not null)
                {
                    alpha[o] = row[p + 3];
                }
            }
        }

        long curBase = _window.NextBase;
        if (!EncodePass(type, alphaPass: false, rgb, curBase, imageId, destination, ref pos))
        {
            return false;
        }

        if (alpha is not null && !EncodePass(type, alphaPass: true, alpha, curBase, imageId, destination, ref pos))
        {
            return false;
        }

        _pending = new PendingImage(type, rgb, alpha, curBase, imageId);
        bytesWritten = pos;
        return true;
    }

    /// <summary>Adds the image of the last successful <see cref="TryEncodeTentative"/> to the dictionary.</summary>
    public void CommitTentative()
    {
        PendingImage pending = _pending ?? throw new InvalidOperationException("No tentative GLZ image to commit.");
        if (pending.Base != _window.NextBase || pending.Id != _window.NextImageId)
        {
            throw new InvalidOperationException("The GLZ window changed since the tentative encode.");
        }

        _pending = null;

        // Later images find this one through every fourth position (any 4 consecutive probes hit one of them).
        IndexForLaterImages(_window.RgbTable, pending.Rgb, pending.Base, 6);
        if (pending.Alpha is not null)
        {
            IndexForLaterImages(_window.EnsureAlphaTable(), pending.Alpha, pending.Base, 16);
        }

        _window.Commit(pending.Type, pending.Rgb, pending.Alpha, pending.Rgb.Length);
    }

    // Two probes per position: a short-key table of this image's positions (like LZ) and a long-key table of earlier
    // images' positions (shared in the window), so cross-image references are only taken where a long run of
    // pixels repeats, e.g. scrolled text, and short in-image matches keep their cheaper encoding.
    private bool EncodePass(LzImageType type, bool alphaPass, uint[] cur, long curBase, ulong imageId, Span<byte> dst, ref int pos)
    {
        long[] global = alphaPass ? _window.EnsureAlphaTable() : _window.RgbTable;
        int[] local = _local;
        int bias = GlzFormat.LengthBias(type, alphaPass);
        int key = alphaPass ? 4 : 2;
        int longKey = alphaPass ? 16 : 6;
        int n = cur.Length;
        if (_generation > int.MaxValue - n - 16)
        {
            Array.Clear(local);
            _generation = 0;
        }

        int localBase = _generation + 1;
        _generation += n + 1;
        long headBase = _window.HeadBase;
        int i = 0;
        int literalStart = 0;
        int misses = 0;
        while (i <= n - key)
        {
            uint h = Hash(cur, i, key);
            int cand = local[h] - localBase;
            local[h] = i + localBase;
            int length = 0;
            int pixelOffset = 0;
            uint imageDistance = 0;
            if (cand >= 0 && cand < i && Same(cur, cand, cur, i, key))
            {
                length = Extend(cur, cand, cur, i, n - i, key);
                pixelOffset = i - cand - 1;
            }

            if (length < 16 && i <= n - longKey)
            {
                uint gh = LongHash(cur, i, longKey);
                long g = global[gh];
                if (g >= headBase && g < curBase)
                {
                    GlzEncoderWindow.WindowImage? img = _window.Find(g);
                    uint[]? data = img is null || img.Type != type ? null : alphaPass ? img.Alpha : img.Rgb;
                    if (data is not null && imageId - img!.Id < GlzFormat.MaxImageDistance)
                    {
                        int refAt = (int)(g - img.Base);
                        if (refAt + longKey <= data.Length && Same(data, refAt, cur, i, longKey))
                        {
                            int crossLength = Extend(data, refAt, cur, i, Math.Min(n - i, data.Length - refAt), longKey);
                            if (crossLength > length + 1)
                            {
                                length = crossLength;
                                pixelOffset = refAt;
                                imageDistance = (uint)(imageId - img.Id);
                            }
                        }
                    }
                }
            }

            if (length > 0)
            {
                if (!EmitLiterals(type, alphaPass, cur, literalStart, i, dst, ref pos)
                    || !EmitMatch(length - bias, pixelOffset, imageDistance, dst, ref pos))
                {
                    return false;
                }

                // Index the match's last key positions so later images and the next match can chain from them.
                int end = i + length;
                if (end - 1 <= n - key)
                {
                    local[Hash(cur, end - 1, key)] = end - 1 + localBase;
                }

                i = end;
                literalStart = i;
                misses = 0;
            }
            else
            {
                misses++;
                i += 1 + (misses >> 5);
            }
        }

        return EmitLiterals(type, alphaPass, cur, literalStart, n, dst, ref pos);
    }

    private static void IndexForLaterImages(long[] table, uint[] sym, long imageBase, int longKey)
    {
        for (int p = 0; p <= sym.Length - longKey; p += 4)
        {
            table[LongHash(sym, p, longKey)] = imageBase + p;
        }
    }

    private static uint LongHash(uint[] sym, int i, int count)
    {
        uint h = 0x811C9DC5;
        for (int k = 0; k < count; k++)
        {
            h = (h ^ sym[i + k]) * 0x01000193u;
        }

        return (h ^ (h >> 15)) * 0x9E3779B1u >> (32 - GlzEncoderWindow.HashLog);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Hash(uint[] sym, int i, int key)
    {
        uint k = key == 2
            ? (sym[i] * 0x9E3779B1u) ^ (sym[i + 1] * 0x85EBCA77u)
            : sym[i] | (sym[i + 1] << 8) | (sym[i + 2] << 16) | (sym[i + 3] << 24);
        return (k * 0x9E3779B1u) >> (32 - LocalHashLog);
    }

    private static bool Same(uint[] a, int ai, uint[] b, int bi, int count)
    {
        for (int k = 0; k < count; k++)
        {
            if (a[ai + k] != b[bi + k])
            {
                return false;
            }
        }

        return true;
    }

    private static int Extend(uint[] a, int ai, uint[] b, int bi, int max, int start)
    {
        int length = start;
        while (length < max && a[ai + length] == b[bi + length])
        {
            length++;
        }

        return length;
    }

    private static bool EmitLiterals(LzImageType type, bool alphaPass, uint[] sym, int start, int end, Span<byte> dst, ref int pos)
    {
        int bytesPerUnit = alphaPass ? 1 : type == LzImageType.Rgb16 ? 2 : 3;
        while (start < end)
        {
            int count = Math.Min(end - start, LzFormat.MaxCopy);
            if (dst.Length - pos < 1 + (count * bytesPerUnit))
            {
                return false;
            }

            dst[pos++] = (byte)(count - 1);
            for (int k = 0; k < count; k++)
            {
                uint s = sym[start + k];
                if (bytesPerUnit == 3)
                {
                    dst[pos] = (byte)s;
                    dst[pos + 1] = (byte)(s >> 8);
                    dst[pos + 2] = (byte)(s >> 16);
                    pos += 3;
                }
                else if (bytesPerUnit == 2)
                {
                    // x555 literals are big-endian on the wire.
                    dst[pos] = (byte)(s >> 8);
                    dst[pos + 1] = (byte)s;
                    pos += 2;
                }
                else
                {
                    dst[pos++] = (byte)s;
                }
            }

            start += count;
        }

        return true;
    }

    // coded = decoded length − bias (≥ 1); pd = biased in-image distance (imageDistance 0) or offset in that image.
    private static bool EmitMatch(int coded, int pd, uint imageDistance, Span<byte> dst, ref int pos)
    {
        int extension = coded >= 7 ? ((coded - 7) / 255) + 1 : 0;
        if (dst.Length - pos < 8 + extension)
        {
            return false;
        }

        bool far = pd >= 4096;
        int l = Math.Min(coded, 7);
        dst[pos++] = (byte)((l << 5) | (far ? 0x10 : 0) | (pd & 0x0F));
        if (l == 7)
        {
            int rest = coded - 7;
            while (rest >= 255)
            {
                dst[pos++] = 255;
                rest -= 255;
            }

            dst[pos++] = (byte)rest;
        }

        dst[pos++] = (byte)(pd >> 4);
        if (!far)
        {
            int extra = imageDistance < 64 ? 0 : imageDistance < (1 << 14) ? 1 : imageDistance < (1 << 22) ? 2 : 3;
            dst[pos++] = (byte)((extra << 6) | (int)(imageDistance & 0x3F));
            for (int k = 0; k < extra; k++)
            {
                dst[pos++] = (byte)(imageDistance >> (6 + (8 * k)));
            }
        }
        else
        {
            bool veryFar = pd >= (1 << 17);
            int extra = imageDistance == 0 ? 0 : imageDistance < 256 ? 1 : imageDistance < 65536 ? 2 : 3;
            dst[pos++] = (byte)((extra << 6) | (veryFar ? 0x20 : 0) | ((pd >> 12) & 0x1F));
            for (int k = 0; k < extra; k++)
            {
                dst[pos++] = (byte)(imageDistance >> (8 * k));
            }

            if (veryFar)
            {
                dst[pos++] = (byte)(pd >> 17);
            }
        }

        return true;
    }

    private sealed record PendingImage(LzImageType Type, uint[] Rgb, uint[]? Alpha, long Base, ulong Id);
}
