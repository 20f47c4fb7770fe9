using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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

        // A table about twice the image's positions: a 64×64 tile uses 8 K entries (32 KiB, L1-resident) instead
        // of the whole 32 K; large images use all of it.
        int hashShift = 64 - Math.Clamp(BitOperations.Log2((uint)n) + 1, 10, HashLog);

        int i = 0;
        int literalStart = 0;
        int misses = 0;
        int last = n - keyLength;
        ref uint s0 = ref MemoryMarshal.GetArrayDataReference(sym);
        ref int t0 = ref MemoryMarshal.GetArrayDataReference(table);
        while (i <= last)
        {
            // Keys compare as one or two 64-bit loads (two or four 32-bit symbols).
            ulong k0 = Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<uint, byte>(ref Unsafe.Add(ref s0, i)));
            ulong k1 = keyLength == 4 ? Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<uint, byte>(ref Unsafe.Add(ref s0, i + 2))) : 0;
            uint h = (uint)(((keyLength == 2 ? k0 : k0 ^ (k1 << 4)) * 0x9E3779B97F4A7C15UL) >> hashShift);
            ref int slot = ref Unsafe.Add(ref t0, (int)h);
            int candidate = slot - baseIndex;
            slot = i + baseIndex;
            int distance = i - candidate;
            if (candidate >= 0 && distance <= LzFormat.MaxFarDistance + 1
                && Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<uint, byte>(ref Unsafe.Add(ref s0, candidate))) == k0
                && (keyLength == 2 || Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<uint, byte>(ref Unsafe.Add(ref s0, candidate + 2))) == k1))
            {
                int length = keyLength;
                if (Vector256.IsHardwareAccelerated)
                {
                    // Long matches (background runs, repeated rows) eight symbols at a time.
                    while (i + length + Vector256<uint>.Count <= n)
                    {
                        uint equal = Vector256.Equals(
                            Vector256.LoadUnsafe(ref s0, (nuint)(candidate + length)),
                            Vector256.LoadUnsafe(ref s0, (nuint)(i + length))).ExtractMostSignificantBits();
                        if (equal != 0xFF)
                        {
                            length += BitOperations.TrailingZeroCount(~equal);
                            goto Extended;
                        }

                        length += Vector256<uint>.Count;
                    }
                }

                while (i + length + 1 < n
                    && Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<uint, byte>(ref Unsafe.Add(ref s0, candidate + length)))
                        == Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<uint, byte>(ref Unsafe.Add(ref s0, i + length))))
                {
                    length += 2;
                }

                while (i + length < n && Unsafe.Add(ref s0, candidate + length) == Unsafe.Add(ref s0, i + length))
                {
                    length++;
                }

            Extended:

                if (!EmitLiterals(unit, sym, literalStart, i, dst, ref pos) || !EmitMatch(length - bias, distance - 1, dst, ref pos))
                {
                    return false;
                }

                // Index the match's last key position so the next match can chain from it.
                int end = i + length;
                if (end - 1 <= last && length > 1)
                {
                    table[Hash(sym, end - 1, keyLength, hashShift)] = end - 1 + baseIndex;
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
    private static uint Hash(uint[] sym, int i, int keyLength, int hashShift)
    {
        ref uint s0 = ref MemoryMarshal.GetArrayDataReference(sym);
        ulong k0 = Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<uint, byte>(ref Unsafe.Add(ref s0, i)));
        if (keyLength == 4)
        {
            k0 ^= Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<uint, byte>(ref Unsafe.Add(ref s0, i + 2))) << 4;
        }

        return (uint)((k0 * 0x9E3779B97F4A7C15UL) >> hashShift);
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
                    // Drop the pad/alpha byte, a vector at a time (this pass is a large share of a tile's encode).
                    ReadOnlySpan<uint> px = MemoryMarshal.Cast<byte, uint>(row[..(unitsPerRow * 4)]);
                    int v = 0;
                    if (Vector256.IsHardwareAccelerated)
                    {
                        ref uint src = ref MemoryMarshal.GetReference(px);
                        ref uint dstRef = ref MemoryMarshal.GetArrayDataReference(sym);
                        Vector256<uint> mask = Vector256.Create(0xFFFFFFu);
                        for (; v <= px.Length - Vector256<uint>.Count; v += Vector256<uint>.Count)
                        {
                            (Vector256.LoadUnsafe(ref src, (nuint)v) & mask).StoreUnsafe(ref dstRef, (nuint)(o + v));
                        }
                    }
                    else if (Vector128.IsHardwareAccelerated)
                    {
                        ref uint src = ref MemoryMarshal.GetReference(px);
                        ref uint dstRef = ref MemoryMarshal.GetArrayDataReference(sym);
                        Vector128<uint> mask = Vector128.Create(0xFFFFFFu);
                        for (; v <= px.Length - Vector128<uint>.Count; v += Vector128<uint>.Count)
                        {
                            (Vector128.LoadUnsafe(ref src, (nuint)v) & mask).StoreUnsafe(ref dstRef, (nuint)(o + v));
                        }
                    }

                    for (; v < px.Length; v++)
                    {
                        sym[o + v] = px[v] & 0xFFFFFF;
                    }

                    o += px.Length;
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

            ref byte o = ref Unsafe.Add(ref MemoryMarshal.GetReference(dst), pos);
            ref uint s = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(sym), start);
            o = (byte)(count - 1);
            switch (bytesPerUnit)
            {
                case 3:
                    // B,G,R: write 4 little-endian bytes per symbol and advance 3 (the spare byte is overwritten by
                    // the next symbol); the last symbol is written byte by byte so nothing lands past the run.
                    for (int k = 0; k < count - 1; k++)
                    {
                        Unsafe.WriteUnaligned(ref Unsafe.Add(ref o, 1 + (3 * k)), BitConverter.IsLittleEndian ? Unsafe.Add(ref s, k) : BinaryPrimitives.ReverseEndianness(Unsafe.Add(ref s, k)));
                    }

                    uint lastSymbol = Unsafe.Add(ref s, count - 1);
                    Unsafe.Add(ref o, (3 * count) - 2) = (byte)lastSymbol;
                    Unsafe.Add(ref o, (3 * count) - 1) = (byte)(lastSymbol >> 8);
                    Unsafe.Add(ref o, 3 * count) = (byte)(lastSymbol >> 16);
                    break;
                case 2:
                    for (int k = 0; k < count; k++)
                    {
                        uint v = Unsafe.Add(ref s, k);
                        Unsafe.Add(ref o, 1 + (2 * k)) = (byte)(v >> 8);
                        Unsafe.Add(ref o, 2 + (2 * k)) = (byte)v;
                    }

                    break;
                default:
                    for (int k = 0; k < count; k++)
                    {
                        Unsafe.Add(ref o, 1 + k) = (byte)Unsafe.Add(ref s, k);
                    }

                    break;
            }

            pos += 1 + (count * bytesPerUnit);
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
