namespace Codecs.Trace;

/// <summary>How the pixels of one rectangle or cursor image are stored (the record's codec byte).</summary>
public enum TraceCodec : byte
{
    /// <summary>Rows of pixels, top to bottom, no padding.</summary>
    Raw = 0,

    /// <summary>One LZ4 block (liblz4's block format) of the raw rows.</summary>
    Lz4 = 1,

    /// <summary>One zlib stream (RFC 1950) of the raw rows.</summary>
    Zlib = 2,
}
