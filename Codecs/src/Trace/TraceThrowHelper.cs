using System.Diagnostics.CodeAnalysis;

namespace Codecs.Trace;

internal static class TraceThrowHelper
{
    [DoesNotReturn]
    public static void ThrowInvalid(long offset, string message, Exception? inner = null) =>
        throw new CodecDataException(TraceFormat.FormatName, offset, message, inner);

    [DoesNotReturn]
    public static void ThrowTruncated(long offset, string what) =>
        throw new CodecDataException(TraceFormat.FormatName, offset, $"truncated: the trace ends inside {what}");
}
