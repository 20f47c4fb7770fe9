using Codecs.Spice.Lz;
using Fuzz.Seeds;

namespace Fuzz.Targets;

/// <summary>The SPICE LZ decoder on a whole LZ stream (every image type, palette types included).</summary>
public sealed class LzFuzzer : IFuzzer
{
    private const long MaxDecodedBytes = 4 << 20;

    public string Name => "Lz";

    public void FuzzTarget(ReadOnlySpan<byte> input)
    {
        LzHeader header = LzDecoder.ReadHeader(input);
        if (header.DecodedLength > MaxDecodedBytes)
        {
            return;
        }

        LzDecoder.Decode(input, new byte[header.DecodedLength]);
    }

    public IEnumerable<byte[]> CreateSeeds()
    {
        const int width = 41;
        const int height = 23;
        var encoder = new LzEncoder();
        foreach ((string _, var image) in SeedImages.All(width, height))
        {
            using (image)
            {
                byte[] bgrx = image.ReadOnlyView.ToPackedArray();
                foreach ((LzImageType type, byte[] pixels, int stride) in Sources(bgrx, width, height))
                {
                    byte[] output = new byte[LzEncoder.GetMaxEncodedLength(type, width, height)];
                    if (encoder.TryEncode(type, pixels, width, height, stride, topDown: true, output, out int written))
                    {
                        yield return output[..written];
                    }
                }
            }
        }
    }

    private static IEnumerable<(LzImageType Type, byte[] Pixels, int Stride)> Sources(byte[] bgrx, int width, int height)
    {
        yield return (LzImageType.Rgb32, bgrx, width * 4);
        yield return (LzImageType.Rgba, bgrx, width * 4);
        yield return (LzImageType.Rgb24, SeedImages.Pack(bgrx, 3), width * 3);
        yield return (LzImageType.Rgb16, SeedImages.Pack(bgrx, 2), width * 2);
        foreach (LzImageType palette in (LzImageType[])[LzImageType.Plt8, LzImageType.Plt4Le, LzImageType.Plt1Be])
        {
            int stride = LzImageTypes.TightStride(palette, width);
            byte[] indexes = new byte[stride * height];
            for (int i = 0; i < indexes.Length; i++)
            {
                indexes[i] = bgrx[i * 4 % bgrx.Length];
            }

            yield return (palette, indexes, stride);
        }
    }
}
