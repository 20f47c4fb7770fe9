using System.Globalization;
using Codecs.Pixels;
using Codecs.Trace;

namespace Server.Cli;

/// <summary>A command-line value that does not parse; reported as "error: …" with exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>Parsers for the textual values the trace verbs take.</summary>
internal static class CliValues
{
    public static FrameSize ParseSize(string text) =>
        FrameSize.TryParse(text, out FrameSize size) ? size : throw new UsageException($"'{text}' is not a size like 1920x1080.");

    /// <summary>"15", "29.97" is refused (ambiguous), "30000/1001" is exact.</summary>
    public static TraceFrameRate ParseFrameRate(string text)
    {
        string[] parts = text.Split('/');
        if (parts.Length is 1 or 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int numerator)
            && numerator > 0)
        {
            int denominator = 1;
            if (parts.Length == 1 || (int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out denominator) && denominator > 0))
            {
                try
                {
                    return new TraceFrameRate(numerator, denominator);
                }
                catch (ArgumentOutOfRangeException)
                {
                    // Reported below.
                }
            }
        }

        throw new UsageException($"'{text}' is not a frame rate like 15 or 30000/1001.");
    }

    public static TraceCodec ParseCodec(string text) => text.ToLowerInvariant() switch
    {
        "zlib" => TraceCodec.Zlib,
        "lz4" => TraceCodec.Lz4,
        "raw" => TraceCodec.Raw,
        _ => throw new UsageException($"'{text}' is not a codec (zlib, lz4, raw)."),
    };

    /// <summary>"X,Y,W,H".</summary>
    public static Rect ParseRect(string text)
    {
        int[] values = ParseInts(text, 4, "X,Y,W,H");
        var rect = new Rect(values[0], values[1], values[2], values[3]);
        return rect.IsEmpty || rect.X < 0 || rect.Y < 0 ? throw new UsageException($"'{text}' is not a non-empty rectangle X,Y,W,H.") : rect;
    }

    public static int[] ParseInts(string text, int count, string shape)
    {
        string[] parts = text.Split(',');
        int[] values = new int[count];
        if (parts.Length != count)
        {
            throw new UsageException($"'{text}' is not {shape}.");
        }

        for (int i = 0; i < count; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out values[i]))
            {
                throw new UsageException($"'{text}' is not {shape}.");
            }
        }

        return values;
    }
}
