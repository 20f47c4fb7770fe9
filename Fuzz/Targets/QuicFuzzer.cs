using Codecs.Spice.Quic;
using Fuzz.Seeds;

namespace Fuzz.Targets;

/// <summary>The SPICE QUIC decoder on a whole QUIC stream; images above 2^20 pixels are refused before allocating.</summary>
public sealed class QuicFuzzer : IFuzzer
{
    private const long MaxPixels = 1 << 20;

    public string Name => "Quic";

    public void FuzzTarget(ReadOnlySpan<byte> input)
    {
        QuicHeader header = QuicDecoder.ReadHeader(input);
        if ((long)header.Width * header.Height > MaxPixels)
        {
            return;
        }

        int stride = header.Width * 4;
        byte[] destination = new byte[(long)stride * header.Height];
        new QuicDecoder().Decode(input, destination, stride);
    }

    public IEnumerable<byte[]> CreateSeeds()
    {
        var encoder = new QuicEncoder();
        foreach ((string _, var image) in SeedImages.All(37, 19))
        {
            using (image)
            {
                byte[] pixels = image.ReadOnlyView.ToPackedArray();
                foreach (QuicImageType type in (QuicImageType[])[QuicImageType.Rgb32, QuicImageType.Rgba, QuicImageType.Rgb24, QuicImageType.Rgb16])
                {
                    byte[] source = type switch
                    {
                        QuicImageType.Rgb24 => SeedImages.Pack(pixels, 3),
                        QuicImageType.Rgb16 => SeedImages.Pack(pixels, 2),
                        _ => pixels,
                    };
                    int bytesPerPixel = source.Length / (37 * 19);
                    byte[] output = new byte[QuicEncoder.GetMaxEncodedLength(type, 37, 19)];
                    if (encoder.TryEncode(type, source, 37, 19, 37 * bytesPerPixel, output, out int written))
                    {
                        yield return output[..written];
                    }
                }
            }
        }
    }
}
