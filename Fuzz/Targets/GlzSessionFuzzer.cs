using System.Buffers.Binary;
using Codecs.Spice.Glz;
using Codecs.Spice.Lz;
using Fuzz.Seeds;

namespace Fuzz.Targets;

/// <summary>
/// The SPICE GLZ decoder with its client-side window over a session of up to 8 images, each framed as a 32-bit
/// little-endian length then the GLZ bytes; a length with the top bit set marks ZLIB_GLZ_RGB wrapping (the next 32 bits
/// are the GLZ length). References to images that never arrive must fail quickly (the window waits 5 ms here).
/// </summary>
public sealed class GlzSessionFuzzer : IFuzzer
{
    private const int MaxImages = 8;
    private const long MaxPixels = 1 << 18;

    public string Name => "GlzSession";

    public void FuzzTarget(ReadOnlySpan<byte> input)
    {
        var window = new GlzDecoderWindow(4 * MaxPixels, TimeSpan.FromMilliseconds(5));
        for (int image = 0; image < MaxImages && input.Length >= 4; image++)
        {
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(input);
            input = input[4..];
            bool zlib = (length & 0x8000_0000) != 0;
            length &= 0x7FFF_FFFF;
            if (zlib)
            {
                if (input.Length < 4)
                {
                    return;
                }

                int glzLength = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(input), 1u << 22);
                input = input[4..];
                ReadOnlySpan<byte> compressed = input[..(int)Math.Min(length, (uint)input.Length)];
                input = input[compressed.Length..];
                byte[] glz = new byte[glzLength];
                GlzZlib.Decompress(compressed, glzLength, glz);
                GlzDecoder.Decode(glz, window, MaxPixels);
            }
            else
            {
                ReadOnlySpan<byte> glz = input[..(int)Math.Min(length, (uint)input.Length)];
                input = input[glz.Length..];
                GlzDecoder.Decode(glz, window, MaxPixels);
            }
        }
    }

    public IEnumerable<byte[]> CreateSeeds()
    {
        foreach (LzImageType type in (LzImageType[])[LzImageType.Rgb32, LzImageType.Rgba, LzImageType.Rgb24])
        {
            foreach (bool wrap in (bool[])[false, true])
            {
                yield return Session(type, wrap);
            }
        }
    }

    /// <summary>Four related images through one encoder window, so later ones reference earlier ones.</summary>
    private static byte[] Session(LzImageType type, bool wrap)
    {
        const int width = 48;
        const int height = 20;
        var encoder = new GlzEncoder(new GlzEncoderWindow(1 << 16));
        using var output = new MemoryStream();
        Span<byte> prefix = stackalloc byte[4];
        foreach (string kind in (string[])["text", "text", "palette", "text"])
        {
            using var image = SeedImages.Create(kind, width, height);
            byte[] bgrx = image.ReadOnlyView.ToPackedArray();
            byte[] pixels = type == LzImageType.Rgb24 ? SeedImages.Pack(bgrx, 3) : bgrx;
            int stride = width * LzImageTypes.BytesPerPixel(type);
            byte[] glz = new byte[GlzEncoder.GetMaxEncodedLength(type, width, height)];
            if (!encoder.TryEncode(type, pixels, width, height, stride, topDown: true, glz, out int written, out _))
            {
                throw new InvalidOperationException("GLZ seed did not fit its maximum length.");
            }

            if (wrap)
            {
                byte[] compressed = new byte[written + 1024];
                if (!GlzZlib.TryCompress(glz.AsSpan(0, written), compressed, out int compressedLength))
                {
                    throw new InvalidOperationException("GLZ seed did not compress.");
                }

                BinaryPrimitives.WriteUInt32LittleEndian(prefix, (uint)compressedLength | 0x8000_0000);
                output.Write(prefix);
                BinaryPrimitives.WriteUInt32LittleEndian(prefix, (uint)written);
                output.Write(prefix);
                output.Write(compressed, 0, compressedLength);
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(prefix, (uint)written);
                output.Write(prefix);
                output.Write(glz, 0, written);
            }
        }

        return output.ToArray();
    }
}
