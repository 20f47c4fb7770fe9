using System.Buffers;
using Codecs.Pixels;

namespace Codecs.Rfb.Encoders;

/// <summary>
/// One RFB encoding's server side for one client connection: encodes a rectangle of a canonical
/// (<see cref="PixelFormat.Bgrx32"/>) framebuffer into FramebufferUpdate rectangles (12-byte header + payload) in the
/// client's pixel format.
/// </summary>
/// <remarks>
/// Instances hold per-connection state (zlib streams, scratch buffers) and are not thread-safe; create one per client
/// connection and encoding. An encoder may split a rectangle into several (Tight: ≤ 2048 wide) or send a rectangle as
/// Raw when its own encoding would be larger (RRE); the return value says how many rectangles it wrote, which the caller
/// adds to the FramebufferUpdate's rectangle count.
/// </remarks>
public interface IRfbEncoder
{
    /// <summary>The RFB encoding number this encoder produces (its rectangles may also use Raw).</summary>
    int Encoding { get; }

    /// <summary>Encodes <paramref name="area"/> of <paramref name="frame"/> (a canonical view) to <paramref name="writer"/>.</summary>
    /// <returns>The number of rectangles written.</returns>
    int Encode<TWriter>(ReadOnlyImageView frame, Rect area, TWriter writer)
        where TWriter : IBufferWriter<byte>;
}
