using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Codecs.Spice.Lz;

/// <summary>
/// spice-common LZ encoder: big-endian header, then pixel-unit LZSS tokens (literal runs of 1–32 units, matches with
/// 13-bit near or 16-bit far distances). The match finder is free in the format; this one is a single-probe hash
/// (LZ4 style) over two-pixel (or four-byte) keys with a skip that grows over incompressible data.
/// Reuse one instance per stream to keep its hash table; not thread-safe.
/// </summary>
public sealed class LzEncoder
{
    private const int HashLog = 15;

    private readonly int[] _table = new int[1 << HashLog];
    private uint[] _symbols = [];
    private int _generation;

    /// <summary>Upper bound of the encoded size in bytes (all literals, plus header).</summary>
    public static long GetMaxEncodedLength(LzImageType type, int width, int height)
    {
        long units = LzImageTypes.IsPalette(type) ? (long)LzImageTypes.TightStride(type, width) * height : (long)width * height;
        int literalBytes = type switch
        {
            LzImageType.Rgb24 or LzImageType.Rgb32 => 3,
            LzImageType.Rgba => 4,
            LzImageType.Rgb16 => 2,
            _ => 1,
        };

        // Worst case is all literals: one control byte per 32 units (per pass).
        int passes = type == LzImageType.Rgba ? 2 : 1;
        return LzFormat.HeaderLength + (units * literalBytes) + (((units + 31) / 32) * passes) + 8;
    }

    /// <summary>
    /// Encodes <paramref name="height"/> rows of <paramref name="stride"/> bytes from <paramref name="pixels"/>, in
    /// the order given (memory order); <paramref name="topDown"/> is only recorded in the header. The header's
    /// stride is the tight stride of the type. Returns false when <paramref name="destination"/> is too small.
    /// </summary>
    public bool TryEncode(LzImageType type, ReadOnlySpan<byte> pixels, int width, int height, int stride, bool topDown, Span<byte> destination, out int bytesWritten)
    {
        if (type is <= LzImageType.Invalid or > LzImageType.A8)
        {
            throw new ArgumentOutOfRangeException(nameof(type));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        int tight = LzImageTypes.TightStride(type, width);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, tight);
        if ((long)tight * height > LzFormat.MaxImageBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(height), "Image too large for LZ.");
        }

        if (pixels.Length < ((long)(height - 1) * stride) + tight)
        {
            throw new ArgumentException("Pixel buffer smaller than height × stride.", nameof(pixels));
        }

        bytesWritten = 0;
        if (destination.Length < LzFormat.HeaderLength)
        {
            return false;
        }

        BinaryPrimitives.WriteUInt32BigEndian(destination, LzFormat.Magic);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], LzFormat.Version);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], (uint)type);
        BinaryPrimitives.WriteUInt32BigEndian(destination[12..], (uint)width);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], (uint)height);
        BinaryPrimitives.WriteUInt32BigEndian(destination[20..], (uint)tight);
        BinaryPrimitives.WriteUInt32BigEndian(destination[24..], topDown ? 1u : 0u);
        int pos = LzFormat.HeaderLength;

        bool ok;
        switch (type)
        {
            case LzImageType.Rgba:
                ok = EncodePass(Unit.Rgb, pixels, width, height, stride, destination, ref pos)
                    && EncodePass(Unit.Alpha, pixels, width, height, stride, destination, ref pos);
                break;
            case LzImageType.Xxxa:
                ok = EncodePass(Unit.Alpha, pixels, width, height, stride, destination, ref pos);
                break;
            case LzImageType.Rgb32:
                ok = EncodePass(Unit.Rgb, pixels, width, height, stride, destination, ref pos);
                break;
            case LzImageType.Rgb24:
                ok = EncodePass(Unit.Rgb24, pixels, width, height, stride, destination, ref pos);
                break;
            case LzImageType.Rgb16:
                ok = EncodePass(Unit.Rgb16, pixels, width, height, stride, destination, ref pos);
                break;
            default: // palettes and A8: one byte per unit
                ok = EncodePass(Unit.Byte, pixels, tight, height, stride, destination, ref pos);
                break;
        }

        if (!ok)
        {
            return false;
        }

        bytesWritten = pos;
        return true;
    }

    private enum Unit
    {
        Rgb,    // 4-byte pixels, B,G,R coded (RGB32 and the first RGBA pass)
        Rgb24,  // 3-byte pixels
        Rgb16,  // 2-byte pixels, literal high byte first
        Alpha,  // byte 3 of 4-byte pixels
        Byte,   // 1-byte units (palette bytes, A8)
    }

    private bool EncodePass(Unit unit, ReadOnlySpan<byte> pixels, int unitsPerRow, int height, int stride, Span<byte> dst, ref int pos)
    {
        int n = unitsPerRow * height;
        if (_symbols.Length < n)
        {
            _symbols = new uint[Math.Max(n, 1024)];
        }

        uint[] sym = _symbols;
        Gather(unit, pixels, unitsPerRow, height, stride, sym);

        int bias = unit switch { Unit.Rgb or Unit.Rgb24 => 1, Unit.Rgb16 => 2, _ => 3 };

        // Keys: two pixels, or four bytes, so every match found is at least the format's minimum length.
        int keyLength = unit is Unit.Alpha or Unit.Byte ? 4 : 2;

        // Table entries are positions offset by a per-pass base, so no clearing is needed between passes.
        if (_generation > int.MaxValue - n - 16)
        {
            Array.Clear(_table);
            _generation = 0;
        }

        int baseIndex = _generation + 1;
        _generation += n + 1;
        int[] table = _table;

        int i = 0;
        int literalStart = 0;
        int misses = 0;
        int last = n - keyLength;
        while (i <= last)
        {
            uint h = Hash(sym, i, keyLength);
            int candidate = table[h] - baseIndex;
            table[h] = i + baseIndex;
            int distance = i - candidate;
            if (candidate >= 0 && distance <= LzFormat.MaxFarDistance + 1 && Same(sym, candidate, i, keyLength))
            {
                int length = keyLength;
                while (i + length < n && sym[candidate + length] == sym[i + length])
                {
                    length++;
                }

                if (!EmitLiterals(unit, sym, literalStart, i, dst, ref pos) || !EmitMatch(length - bias, distance - 1, dst, ref pos))
                {
                    return false;
                }

                // Index the match's last key position so the next match can chain from it.
                int end = i + length;
                if (end - 1 <= last && length > 1)
                {
                    table[Hash(sym, end - 1, keyLength)] = end - 1 + baseIndex;
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

        return EmitLiterals(unit, sym, literalStart, n, dst, ref pos);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Hash(uint[] sym, int i, int keyLength)
    {
        uint k = keyLength == 2
            ? (sym[i] * 0x9E3779B1u) ^ (sym[i + 1] * 0x85EBCA77u)
            : sym[i] | (sym[i + 1] << 8) | (sym[i + 2] << 16) | (sym[i + 3] << 24);
        return (k * 0x9E3779B1u) >> (32 - HashLog);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Same(uint[] sym, int a, int b, int keyLength)
    {
        for (int k = 0; k < keyLength; k++)
        {
            if (sym[a + k] != sym[b + k])
            {
                return false;
            }
        }

        return true;
    }

    private static void Gather(Unit unit, ReadOnlySpan<byte> pixels, int unitsPerRow, int height, int stride, uint[] sym)
    {
        int o = 0;
        for (int y = 0; y < height; y++)
        {
            ReadOnlySpan<byte> row = pixels.Slice(y * stride);
            switch (unit)
            {
                case Unit.Rgb:
                    ReadOnlySpan<uint> px = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(row[..(unitsPerRow * 4)]);
                    for (int x = 0; x < px.Length; x++)
                    {
                        sym[o++] = px[x] & 0xFFFFFF;
                    }

                    break;
                case Unit.Alpha:
                    for (int x = 0; x < unitsPerRow; x++)
                    {
                        sym[o++] = row[(x * 4) + 3];
                    }

                    break;
                case Unit.Rgb24:
                    for (int x = 0; x < unitsPerRow; x++)
                    {
                        sym[o++] = row[x * 3] | ((uint)row[(x * 3) + 1] << 8) | ((uint)row[(x * 3) + 2] << 16);
                    }

                    break;
                case Unit.Rgb16:
                    for (int x = 0; x < unitsPerRow; x++)
                    {
                        sym[o++] = row[x * 2] | ((uint)row[(x * 2) + 1] << 8);
                    }

                    break;
                default:
                    for (int x = 0; x < unitsPerRow; x++)
                    {
                        sym[o++] = row[x];
                    }

                    break;
            }
        }
    }

    private static bool EmitLiterals(Unit unit, uint[] sym, int start, int end, Span<byte> dst, ref int pos)
    {
        int bytesPerUnit = unit switch { Unit.Rgb or Unit.Rgb24 => 3, Unit.Rgb16 => 2, _ => 1 };
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
                switch (bytesPerUnit)
                {
                    case 3:
                        dst[pos] = (byte)s;
                        dst[pos + 1] = (byte)(s >> 8);
                        dst[pos + 2] = (byte)(s >> 16);
                        pos += 3;
                        break;
                    case 2:
                        dst[pos] = (byte)(s >> 8);
                        dst[pos + 1] = (byte)s;
                        pos += 2;
                        break;
                    default:
                        dst[pos++] = (byte)s;
                        break;
                }
            }

            start += count;
        }

        return true;
    }

    // lengthCode = match length − bias (≥ 0); d = distance − 1.
    private static bool EmitMatch(int lengthCode, int d, Span<byte> dst, ref int pos)
    {
        int extension = lengthCode >= 6 ? ((lengthCode - 6) / 255) + 1 : 0;
        if (dst.Length - pos < 4 + extension)
        {
            return false;
        }

        bool far = d >= LzFormat.MaxNearDistance;
        int hi = far ? 31 : d >> 8;
        if (lengthCode < 6)
        {
            dst[pos++] = (byte)(((lengthCode + 1) << 5) | hi);
        }
        else
        {
            dst[pos++] = (byte)((7 << 5) | hi);
            int rest = lengthCode - 6;
            while (rest >= 255)
            {
                dst[pos++] = 255;
                rest -= 255;
            }

            dst[pos++] = (byte)rest;
        }

        if (far)
        {
            int farD = d - LzFormat.MaxNearDistance;
            dst[pos++] = 255;
            dst[pos++] = (byte)(farD >> 8);
            dst[pos++] = (byte)farD;
        }
        else
        {
            dst[pos++] = (byte)d;
        }

        return true;
    }
}
