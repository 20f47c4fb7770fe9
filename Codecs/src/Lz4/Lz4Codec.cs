using System.Diagnostics.CodeAnalysis;

namespace Codecs.Lz4;

/// <summary>
/// One-shot LZ4 block compression (the raw block format, no frame header or checksum) through Debian's liblz4.
/// </summary>
/// <remarks>
/// Every method that calls into liblz4 throws <see cref="DllNotFoundException"/>, with a message naming the Debian
/// package <c>liblz4-1</c>, when the library is not installed; <see cref="IsAvailable"/> tests for it without throwing.
/// Decoding uses <c>LZ4_decompress_safe</c>, which never reads past the source nor writes past the destination, so
/// hostile input can only produce <see cref="CodecDataException"/>.
/// </remarks>
public static unsafe class Lz4Codec
{
    /// <summary>The <see cref="CodecDataException.Format"/> of LZ4 errors.</summary>
    public const string FormatName = "lz4";

    /// <summary>Largest input liblz4 accepts (<c>LZ4_MAX_INPUT_SIZE</c>).</summary>
    public const int MaxInputLength = 0x7E000000;

    /// <summary>Largest useful acceleration factor (<c>LZ4_ACCELERATION_MAX</c>); 1 is the default and compresses best.</summary>
    public const int MaxAcceleration = 65537;

    /// <summary>The high-compression level liblz4 uses by default (<c>LZ4HC_CLEVEL_DEFAULT</c>).</summary>
    public const int DefaultHighCompressionLevel = 9;

    /// <summary>The highest high-compression level (<c>LZ4HC_CLEVEL_MAX</c>).</summary>
    public const int MaxHighCompressionLevel = 12;

    /// <summary>True when liblz4 can be loaded.</summary>
    public static bool IsAvailable => Lz4Library.IsAvailable;

    /// <summary>The loaded liblz4's version, e.g. "1.9.4".</summary>
    public static string LibraryVersion
    {
        get
        {
            int version = Lz4Library.Instance.VersionNumber();
            return $"{version / 10000}.{version / 100 % 100}.{version % 100}";
        }
    }

    /// <summary>
    /// The largest block <see cref="TryEncode"/> or <see cref="TryEncodeHighCompression"/> can produce for
    /// <paramref name="inputLength"/> bytes (<c>LZ4_COMPRESSBOUND</c>); a destination this long never fails.
    /// </summary>
    public static int GetMaxEncodedLength(int inputLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(inputLength, MaxInputLength);
        return inputLength + inputLength / 255 + 16;
    }

    /// <summary>
    /// Compresses <paramref name="source"/> into one LZ4 block with <c>LZ4_compress_fast</c>; a larger
    /// <paramref name="acceleration"/> is faster and compresses less.
    /// </summary>
    /// <returns>False (and <paramref name="bytesWritten"/> 0) when the block does not fit in <paramref name="destination"/>.</returns>
    public static bool TryEncode(ReadOnlySpan<byte> source, Span<byte> destination, out int bytesWritten, int acceleration = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(acceleration, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(acceleration, MaxAcceleration);
        CheckInputLength(source.Length, nameof(source));
        Lz4Library lz4 = Lz4Library.Instance;
        byte dummy = 0;
        fixed (byte* src = source)
        fixed (byte* dst = destination)
        {
            byte* s = src == null ? &dummy : src;
            byte* d = dst == null ? &dummy : dst;
            bytesWritten = acceleration == 1
                ? lz4.CompressDefault(s, d, source.Length, destination.Length)
                : lz4.CompressFast(s, d, source.Length, destination.Length, acceleration);
        }

        return bytesWritten > 0;
    }

    /// <summary>
    /// Compresses <paramref name="source"/> into one LZ4 block with the slower <c>LZ4_compress_HC</c> (same block format,
    /// same decoder, better ratio). <paramref name="level"/> runs from 1 to <see cref="MaxHighCompressionLevel"/>.
    /// </summary>
    /// <returns>False (and <paramref name="bytesWritten"/> 0) when the block does not fit in <paramref name="destination"/>.</returns>
    public static bool TryEncodeHighCompression(ReadOnlySpan<byte> source, Span<byte> destination, out int bytesWritten, int level = DefaultHighCompressionLevel)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(level, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, MaxHighCompressionLevel);
        CheckInputLength(source.Length, nameof(source));
        Lz4Library lz4 = Lz4Library.Instance;
        byte dummy = 0;
        fixed (byte* src = source)
        fixed (byte* dst = destination)
        {
            bytesWritten = lz4.CompressHC(src == null ? &dummy : src, dst == null ? &dummy : dst, source.Length, destination.Length, level);
        }

        return bytesWritten > 0;
    }

    /// <summary>Decodes one LZ4 block into <paramref name="destination"/> and returns the number of bytes it produced.</summary>
    /// <exception cref="CodecDataException">
    /// The block is malformed, empty, or would decode to more than <paramref name="destination"/> holds; the offset is the
    /// position in <paramref name="source"/> where liblz4 stopped.
    /// </exception>
    public static int Decode(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (source.IsEmpty)
        {
            ThrowMalformed(0);
        }

        Lz4Library lz4 = Lz4Library.Instance;
        byte dummy = 0;
        int result;
        fixed (byte* src = source)
        fixed (byte* dst = destination)
        {
            result = lz4.DecompressSafe(src, dst == null ? &dummy : dst, source.Length, destination.Length);
        }

        if (result < 0)
        {
            ThrowMalformed(ErrorOffset(result, source.Length));
        }

        return result;
    }

    internal static void CheckInputLength(int length, string paramName)
    {
        if (length > MaxInputLength)
        {
            ThrowInputTooLong(length, paramName);
        }
    }

    /// <summary>liblz4's decoders return <c>-(position of the error in the source) - 1</c>.</summary>
    internal static long ErrorOffset(int result, int sourceLength) => Math.Clamp(-(long)result - 1, 0, sourceLength);

    [DoesNotReturn]
    internal static void ThrowMalformed(long offset) =>
        CodecDataException.Throw(FormatName, offset, "malformed LZ4 block, or it decodes to more bytes than the destination holds");

    [DoesNotReturn]
    private static void ThrowInputTooLong(int length, string paramName) =>
        throw new ArgumentOutOfRangeException(paramName, $"LZ4 blocks hold at most {MaxInputLength} bytes; the source has {length}.");
}
