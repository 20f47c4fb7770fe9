using Codecs.Pixels;

namespace Codecs.Trace;

/// <summary>One rectangle of a frame as stored: where, which codec, and how many bytes its pixel data took.</summary>
public readonly record struct TraceRect(Rect Area, TraceCodec Codec, int EncodedLength);
