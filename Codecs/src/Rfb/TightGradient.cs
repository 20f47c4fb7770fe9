using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Codecs.Rfb;

/// <summary>
/// Tight's gradient filter on TPIXEL bytes whose every byte is one 8-bit colour channel (the 3-byte TPIXEL of
/// 888 formats): each byte becomes <c>V − clamp(left + up − upLeft, 0, 255)</c> modulo 256, where left is one pixel
/// back, and bytes outside the rectangle count as 0.
/// </summary>
/// <remarks>
/// The vector path takes 16 bytes of V, left, up and up-left at a time, widened to 16-bit lanes so that the
/// prediction can go below 0 and above 255 before the clamp. It narrows back by truncation, which is the
/// modulo 256:
/// <code>
///   bytes  [R G B][R G B]...            left = the same lane pixelSize bytes back
///   16-bit p = L + U − UL → max(p, 0) → min(p, 255) ;  D = (V − p) &amp; 0xFF
/// </code>
/// Scalar equivalent: the loop in <see cref="FilterRowScalar"/>.
/// </remarks>
public static class TightGradient
{
    /// <summary>Filters <paramref name="rows"/> rows of <paramref name="rowBytes"/> bytes each from <paramref name="source"/> into <paramref name="destination"/>.</summary>
    public static void Filter(ReadOnlySpan<byte> source, int rowBytes, int rows, int pixelSize, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pixelSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(source.Length, rowBytes * rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, rowBytes * rows);
        for (int y = 0; y < rows; y++)
        {
            ReadOnlySpan<byte> row = source.Slice(y * rowBytes, rowBytes);
            Span<byte> output = destination.Slice(y * rowBytes, rowBytes);
            if (y == 0)
            {
                // No row above: the prediction is the left byte (clamp of L + 0 − 0).
                for (int x = 0; x < Math.Min(pixelSize, rowBytes); x++)
                {
                    output[x] = row[x];
                }

                for (int x = pixelSize; x < rowBytes; x++)
                {
                    output[x] = (byte)(row[x] - row[x - pixelSize]);
                }

                continue;
            }

            ReadOnlySpan<byte> above = source.Slice((y - 1) * rowBytes, rowBytes);
            int start = Math.Min(pixelSize, rowBytes);
            for (int x = 0; x < start; x++)
            {
                // First pixel: left and up-left are 0, so the prediction is the byte above.
                output[x] = (byte)(row[x] - above[x]);
            }

            int done = start;
            if (Vector128.IsHardwareAccelerated)
            {
                done = FilterRowVector(row, above, pixelSize, start, output);
            }

            FilterRowScalar(row, above, pixelSize, done, output);
        }
    }

    private static void FilterRowScalar(ReadOnlySpan<byte> row, ReadOnlySpan<byte> above, int pixelSize, int from, Span<byte> output)
    {
        for (int x = from; x < row.Length; x++)
        {
            int predicted = Math.Clamp(row[x - pixelSize] + above[x] - above[x - pixelSize], 0, 255);
            output[x] = (byte)(row[x] - predicted);
        }
    }

    /// <summary>Filters 16 bytes at a time from <paramref name="from"/>; returns where the scalar tail starts.</summary>
    private static int FilterRowVector(ReadOnlySpan<byte> row, ReadOnlySpan<byte> above, int pixelSize, int from, Span<byte> output)
    {
        ref byte value = ref MemoryMarshal.GetReference(row);
        ref byte up = ref MemoryMarshal.GetReference(above);
        ref byte destination = ref MemoryMarshal.GetReference(output);
        int x = from;
        for (; x + Vector128<byte>.Count <= row.Length; x += Vector128<byte>.Count)
        {
            Vector128<byte> filtered = FilterVector(
                Vector128.LoadUnsafe(ref value, (nuint)x),
                Vector128.LoadUnsafe(ref value, (nuint)(x - pixelSize)),
                Vector128.LoadUnsafe(ref up, (nuint)x),
                Vector128.LoadUnsafe(ref up, (nuint)(x - pixelSize)));
            filtered.StoreUnsafe(ref destination, (nuint)x);
        }

        return x;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> FilterVector(Vector128<byte> value, Vector128<byte> left, Vector128<byte> up, Vector128<byte> upLeft)
    {
        (Vector128<ushort> valueLow, Vector128<ushort> valueHigh) = Vector128.Widen(value);
        (Vector128<ushort> leftLow, Vector128<ushort> leftHigh) = Vector128.Widen(left);
        (Vector128<ushort> upLow, Vector128<ushort> upHigh) = Vector128.Widen(up);
        (Vector128<ushort> upLeftLow, Vector128<ushort> upLeftHigh) = Vector128.Widen(upLeft);
        Vector128<ushort> low = valueLow - Predict(leftLow, upLow, upLeftLow);
        Vector128<ushort> high = valueHigh - Predict(leftHigh, upHigh, upLeftHigh);
        return Vector128.Narrow(low, high);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<ushort> Predict(Vector128<ushort> left, Vector128<ushort> up, Vector128<ushort> upLeft)
    {
        Vector128<short> predicted = (left + up - upLeft).AsInt16();
        predicted = Vector128.Min(Vector128.Max(predicted, Vector128<short>.Zero), Vector128.Create((short)255));
        return predicted.AsUInt16();
    }
}
