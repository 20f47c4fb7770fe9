using System.Diagnostics.CodeAnalysis;
using System.IO.Compression;

namespace Codecs.Spice.Glz;

/// <summary>
/// The zlib wrapping of ZLIB_GLZ_RGB (image type 107): a complete GLZ stream deflated in zlib format (RFC 1950) at
/// level 3, used only when the GLZ stream is at least 100 bytes and the result is smaller. The image still counts in
/// the GLZ window on both sides. The message's <c>u32 glz_data_size; u32 data_size</c> fields are the adapter's.
/// </summary>
public static class GlzZlib
{
    /// <summary>Format name carried by <see cref="CodecDataException.Format"/>.</summary>
    public const string FormatName = "spice-zlib-glz";

    /// <summary>GLZ streams shorter than this are not wrapped (MIN_GLZ_SIZE_FOR_ZLIB).</summary>
    public const int MinGlzLength = 100;

    /// <summary>zlib level the server uses (ZLIB_DEFAULT_COMPRESSION_LEVEL).</summary>
    public const int Level = 3;

    /// <summary>
    /// Deflates <paramref name="glz"/>; false when it is too short to bother, or when the result is not smaller or
    /// does not fit in <paramref name="destination"/> (send plain GLZ then).
    /// </summary>
    public static bool TryCompress(ReadOnlySpan<byte> glz, Span<byte> destination, out int bytesWritten)
    {
        bytesWritten = 0;
        if (glz.Length < MinGlzLength)
        {
            return false;
        }

        using var buffer = new MemoryStream(glz.Length);
        using (var zlib = new ZLibStream(buffer, new ZLibCompressionOptions { CompressionLevel = Level }, leaveOpen: true))
        {
            zlib.Write(glz);
        }

        if (buffer.Length >= glz.Length || buffer.Length > destination.Length)
        {
            return false;
        }

        buffer.GetBuffer().AsSpan(0, (int)buffer.Length).CopyTo(destination);
        bytesWritten = (int)buffer.Length;
        return true;
    }

    /// <summary>Inflates exactly <paramref name="glzLength"/> bytes (the message's glz_data_size) into <paramref name="destination"/>.</summary>
    public static void Decompress(ReadOnlySpan<byte> source, int glzLength, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(glzLength);
        if (destination.Length < glzLength)
        {
            throw new ArgumentException("Destination smaller than glz_data_size.", nameof(destination));
        }

        if (source.IsEmpty)
        {
            Fail(0, "empty zlib stream"); // and a fixed pointer to an empty span is null, which UnmanagedMemoryStream rejects
        }

        try
        {
            unsafe
            {
                fixed (byte* p = source)
                {
                    using var input = new UnmanagedMemoryStream(p, source.Length);
                    using var zlib = new ZLibStream(input, CompressionMode.Decompress);
                    int total = 0;
                    while (total < glzLength)
                    {
                        int read = zlib.Read(destination[total..glzLength]);
                        if (read == 0)
                        {
                            Fail(source.Length, "inflated data shorter than glz_data_size");
                        }

                        total += read;
                    }

                    Span<byte> probe = stackalloc byte[1];
                    if (zlib.Read(probe) != 0)
                    {
                        Fail(source.Length, "inflated data longer than glz_data_size");
                    }
                }
            }
        }
        catch (Exception e) when (e is InvalidDataException || (e is IOException && e is not CodecDataException))
        {
            throw new CodecDataException(FormatName, -1, "malformed zlib data", e);
        }
    }

    [DoesNotReturn]
    private static void Fail(long offset, string message) => CodecDataException.Throw(FormatName, offset, message);
}
