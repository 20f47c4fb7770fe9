using Codecs.Spice.Jpeg;
using Fuzz.Seeds;

namespace Fuzz.Targets;

/// <summary>
/// The SPICE JPEG_ALPHA decoder (JPEG colour + LZ XXXA alpha). Input: width − 1 and height − 1 (a byte each, as the
/// image descriptor gives them), the 9-byte JPEG_ALPHA header, then the data.
/// </summary>
public sealed class SpiceJpegAlphaFuzzer : IFuzzer
{
    public string Name => "SpiceJpegAlpha";

    public void FuzzTarget(ReadOnlySpan<byte> input)
    {
        if (input.Length < 2)
        {
            return;
        }

        int width = input[0] + 1;
        int height = input[1] + 1;
        SpiceJpegAlphaHeader header = SpiceJpegAlphaHeader.Read(input[2..]);
        using var decoder = new SpiceJpegDecoder();
        decoder.DecodeWithAlpha(header, input[(2 + SpiceJpegAlphaHeader.Length)..], width, height, new byte[width * height * 4], width * 4);
    }

    public IEnumerable<byte[]> CreateSeeds()
    {
        const int width = 36;
        const int height = 20;
        using var encoder = new SpiceJpegEncoder();
        foreach ((string kind, var image) in SeedImages.All(width, height))
        {
            using (image)
            {
                byte[] rgba = image.ReadOnlyView.ToPackedArray();
                for (int i = 3; i < rgba.Length; i += 4)
                {
                    rgba[i] = kind == "solid" ? (byte)255 : (byte)(i * 3);
                }

                byte[] output = new byte[2 + SpiceJpegAlphaHeader.Length + SpiceJpegEncoder.GetMaxEncodedLengthWithAlpha(width, height)];
                Span<byte> data = output.AsSpan(2 + SpiceJpegAlphaHeader.Length);
                if (encoder.TryEncodeWithAlpha(rgba, width, height, width * 4, topDown: true, data, out int written, out int jpegLength))
                {
                    output[0] = width - 1;
                    output[1] = height - 1;
                    new SpiceJpegAlphaHeader(true, jpegLength, written).Write(output.AsSpan(2));
                    yield return output[..(2 + SpiceJpegAlphaHeader.Length + written)];
                }
            }
        }
    }
}
