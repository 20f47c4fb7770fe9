using Codecs.Spice.Lz4Image;
using Fuzz.Seeds;

namespace Fuzz.Targets;

/// <summary>
/// The SPICE LZ4 image decoder. Input: width and height (one byte each, 1–256, as the image descriptor would give
/// them), then the LZ4 image payload.
/// </summary>
public sealed class Lz4ImageFuzzer : IFuzzer
{
    public string Name => "Lz4Image";

    public void FuzzTarget(ReadOnlySpan<byte> input)
    {
        if (input.Length < 2)
        {
            return;
        }

        int width = input[0] + 1;
        int height = input[1] + 1;
        using var decoder = new Lz4ImageDecoder();
        decoder.Decode(input[2..], width, height, new byte[width * height * 4]);
    }

    public IEnumerable<byte[]> CreateSeeds()
    {
        const int width = 40;
        const int height = 30;
        using var encoder = new Lz4ImageEncoder();
        foreach ((string _, var image) in SeedImages.All(width, height))
        {
            using (image)
            {
                byte[] bgrx = image.ReadOnlyView.ToPackedArray();
                foreach (SpiceBitmapFormat format in (SpiceBitmapFormat[])[SpiceBitmapFormat.Rgb32, SpiceBitmapFormat.Rgba, SpiceBitmapFormat.Rgb24, SpiceBitmapFormat.Rgb16])
                {
                    int bytesPerPixel = Lz4ImageEncoder.BytesPerPixel(format);
                    byte[] pixels = bytesPerPixel == 4 ? bgrx : SeedImages.Pack(bgrx, bytesPerPixel);
                    byte[] output = new byte[2 + Lz4ImageEncoder.GetMaxEncodedLength(format, width, height)];
                    output[0] = width - 1;
                    output[1] = height - 1;
                    if (encoder.TryEncode(format, pixels, width, height, width * bytesPerPixel, topDown: true, output.AsSpan(2), out int written))
                    {
                        yield return output[..(2 + written)];
                    }
                }
            }
        }
    }
}
