namespace Codecs.Trace;

/// <summary>
/// Constants of the <c>.fbt</c> damage-trace format (version 1.0): magic, record types and the limits every reader
/// enforces before allocating. The byte-level specification is <c>docs/trace-format.md</c>.
/// </summary>
public static class TraceFormat
{
    /// <summary>The <see cref="CodecDataException.Format"/> of every trace parsing error.</summary>
    public const string FormatName = "fbt";

    public const string FileExtension = ".fbt";

    /// <summary>The major version this library reads and writes; a different major version is rejected.</summary>
    public const ushort MajorVersion = 1;

    /// <summary>The minor version this library writes; readers accept any minor version of their major version.</summary>
    public const ushort MinorVersion = 0;

    /// <summary>Magic (8 bytes) + major version (u16) + minor version (u16).</summary>
    public const int PreambleSize = 12;

    /// <summary>Type (u8) + payload length (u32).</summary>
    public const int RecordHeaderSize = 5;

    /// <summary>The CRC-32C after each payload.</summary>
    public const int RecordChecksumSize = 4;

    /// <summary>Largest framebuffer width or height.</summary>
    public const int MaxDimension = 16384;

    /// <summary>Largest framebuffer area (8192×8192 or 16384×4096): 256 MiB at 32 bits per pixel.</summary>
    public const long MaxPixels = 1L << 26;

    /// <summary>Largest uncompressed rectangle (width × height × bytes per pixel); writers split larger rectangles into bands.</summary>
    public const int MaxRectBytes = 16 * 1024 * 1024;

    /// <summary>Largest record payload: a raw <see cref="MaxRectBytes"/> rectangle plus room for fixed fields.</summary>
    public const int MaxRecordPayload = MaxRectBytes + 4096;

    /// <summary>Largest number of records inside one frame (rectangles, annotations, cursor, mode and unknown records).</summary>
    public const int MaxItemsPerFrame = 131072;

    public const int MaxRectsPerFrame = 65536;

    public const int MaxAnnotationsPerFrame = 4096;

    /// <summary>Largest cursor image width or height.</summary>
    public const int MaxCursorSize = 256;

    /// <summary>Cursor positions lie in [−<see cref="MaxCursorCoordinate"/>, <see cref="MaxCursorCoordinate"/>].</summary>
    public const int MaxCursorCoordinate = 65536;

    /// <summary>Largest UTF-8 length of the header's tool string.</summary>
    public const int MaxToolLength = 255;

    /// <summary>Largest numerator or denominator of the nominal frame rate.</summary>
    public const int MaxFrameRateTerm = 1_000_000;

    /// <summary>True when a <paramref name="width"/>×<paramref name="height"/> mode is within the format's limits and <paramref name="maxPixels"/>.</summary>
    internal static bool IsValidMode(long width, long height, long maxPixels) =>
        width is >= 1 and <= MaxDimension && height is >= 1 and <= MaxDimension && width * height <= Math.Min(maxPixels, MaxPixels);

    /// <summary>The 8 magic bytes <c>89 46 42 54 0D 0A 1A 0A</c> ("\x89FBT\r\n\x1A\n", after PNG's).</summary>
    public static ReadOnlySpan<byte> Magic => [0x89, (byte)'F', (byte)'B', (byte)'T', 0x0D, 0x0A, 0x1A, 0x0A];
}

/// <summary>Record type bytes. Types with <see cref="CriticalBit"/> clear may be skipped by a reader that does not know them.</summary>
internal static class TraceRecordType
{
    public const byte Header = (byte)'H';
    public const byte Frame = (byte)'F';
    public const byte Mode = (byte)'M';
    public const byte Rect = (byte)'R';
    public const byte CursorPosition = (byte)'P';
    public const byte CursorShape = (byte)'S';
    public const byte Annotation = (byte)'A';
    public const byte End = (byte)'E';

    public const byte CriticalBit = 0x80;

    public const int HeaderFixedSize = 37;
    public const int FrameSize = 16;
    public const int ModeSize = 8;
    public const int RectFixedSize = 9;
    public const int CursorPositionSize = 9;
    public const int CursorShapeFixedSize = 9;
    public const int AnnotationSize = 28;
    public const int EndSize = 16;

    public static bool IsKnown(byte type) => type is Header or Frame or Mode or Rect or CursorPosition or CursorShape or Annotation or End;

    public static string Name(byte type) => type switch
    {
        Header => "HEADER",
        Frame => "FRAME",
        Mode => "MODE",
        Rect => "RECT",
        CursorPosition => "CURSOR_POSITION",
        CursorShape => "CURSOR_SHAPE",
        Annotation => "ANNOTATION",
        End => "END",
        _ => $"0x{type:X2}",
    };
}
