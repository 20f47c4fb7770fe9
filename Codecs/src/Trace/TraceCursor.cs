namespace Codecs.Trace;

/// <summary>
/// The pointer as of the last frame read: position of its hotspot in framebuffer coordinates, visibility, and its
/// image (straight-alpha BGRA: bytes B, G, R, A per pixel, rows packed). Initially hidden at (0, 0) with no image.
/// </summary>
public sealed class TraceCursor
{
    private byte[] _pixels = [];

    public int X { get; private set; }

    public int Y { get; private set; }

    public bool Visible { get; private set; }

    public int HotspotX { get; private set; }

    public int HotspotY { get; private set; }

    /// <summary>Image width; 0 means no image.</summary>
    public int Width { get; private set; }

    public int Height { get; private set; }

    /// <summary>The image's <c>Width × Height × 4</c> bytes; valid until the next frame is read.</summary>
    public ReadOnlySpan<byte> Pixels => _pixels.AsSpan(0, Width * Height * 4);

    internal void SetPosition(int x, int y, bool visible)
    {
        X = x;
        Y = y;
        Visible = visible;
    }

    /// <summary>Resizes the image and returns the buffer to decode it into.</summary>
    internal Span<byte> PrepareShape(int hotspotX, int hotspotY, int width, int height)
    {
        int length = width * height * 4;
        if (_pixels.Length < length)
        {
            _pixels = new byte[length];
        }

        HotspotX = hotspotX;
        HotspotY = hotspotY;
        Width = width;
        Height = height;
        return _pixels.AsSpan(0, length);
    }
}
