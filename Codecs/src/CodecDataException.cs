using System.Diagnostics.CodeAnalysis;

namespace Codecs;

/// <summary>
/// The one exception every decoder and parser in this library throws on malformed, truncated or hostile input.
/// It names the format and the byte offset at which the input stopped making sense.
/// </summary>
/// <remarks>
/// Decoders never throw anything else for bad input: no <see cref="IndexOutOfRangeException"/>, no
/// <see cref="OutOfMemoryException"/> from a size field, no hang. A caller that catches this type has seen every
/// way the input can be wrong. It derives from <see cref="IOException"/> (as <see cref="EndOfStreamException"/> does)
/// because <see cref="InvalidDataException"/> is sealed.
/// </remarks>
public sealed class CodecDataException : IOException
{
    public CodecDataException()
        : this("unknown", -1, "Malformed input.")
    {
    }

    public CodecDataException(string message)
        : this("unknown", -1, message)
    {
    }

    public CodecDataException(string message, Exception innerException)
        : base(message, innerException)
    {
        Format = "unknown";
        Offset = -1;
    }

    public CodecDataException(string format, long offset, string message, Exception? innerException = null)
        : base($"{format}: {message} (at byte offset {offset})", innerException)
    {
        Format = format;
        Offset = offset;
    }

    /// <summary>The format or parser that rejected the input, e.g. "fbt", "zrle", "quic".</summary>
    public string Format { get; }

    /// <summary>Byte offset from the start of the input (or stream) where the problem was found; -1 if unknown.</summary>
    public long Offset { get; }

    [DoesNotReturn]
    public static void Throw(string format, long offset, string message) =>
        throw new CodecDataException(format, offset, message);
}
