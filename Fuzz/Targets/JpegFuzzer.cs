using Codecs.Jpeg;
using Codecs.Pixels;
using Fuzz.Seeds;

namespace Fuzz.Targets;

/// <summary>
/// The libturbojpeg binding's decompressor (Tight JPEG, SPICE JPEG): header first, images above 2^20 pixels are
/// refused before allocating, then the decode into a framebuffer of the header's size.
/// </summary>
public sealed class JpegFuzzer : IFuzzer
{
    private const long MaxPixels = 1 << 20;

    public string Name => "Jpeg";

    public void FuzzTarget(ReadOnlySpan<byte> input)
    {
        using var decompressor = new TurboJpegDecompressor();
        (int width, int height, _) = decompressor.ReadHeader(input);
        if ((long)width * height > MaxPixels)
        {
            return;
        }

        using Framebuffer image = Framebuffer.Allocate(width, height);
        decompressor.Decompress(input, image.View);
    }

    public IEnumerable<byte[]> CreateSeeds()
    {
        using var compressor = new TurboJpegCompressor();
        foreach ((string _, var image) in SeedImages.All(33, 17))
        {
            using (image)
            {
                foreach (JpegSubsampling subsampling in Enum.GetValues<JpegSubsampling>())
                {
                    yield return compressor.Compress(image.ReadOnlyView, 75, subsampling).ToArray();
                }
            }
        }
    }
}
