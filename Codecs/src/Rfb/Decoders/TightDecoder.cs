using Codecs.Pixels;

namespace Codecs.Rfb.Decoders;

/// <summary>Tight decoding (placeholder until the Tight step lands).</summary>
internal sealed class TightDecoder : IDisposable
{
    private readonly ClientPixelStore _store;

    public TightDecoder(ClientPixelStore store)
    {
        _store = store;
    }

    public int Decode(ReadOnlySpan<byte> payload, Rect area, ImageView fb, bool png)
    {
        _ = payload;
        _ = area;
        _ = fb;
        _ = png;
        _ = _store;
        CodecDataException.Throw("tight", RfbEncoding.RectHeaderSize, "Tight is not supported yet");
        return 0;
    }

    public void Dispose()
    {
    }
}
