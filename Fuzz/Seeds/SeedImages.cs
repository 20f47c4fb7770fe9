using Codecs.Pixels;

namespace Fuzz.Seeds;

/// <summary>Small deterministic canonical (BGRX) images with the content kinds the encoders treat differently.</summary>
internal static class SeedImages
{
    public static IEnumerable<(string Kind, Framebuffer Image)> All(int width, int height)
    {
        foreach (string kind in (string[])["solid", "text", "palette", "gradient", "noise"])
        {
            yield return (kind, Create(kind, width, height));
        }
    }

    public static Framebuffer Create(string kind, int width, int height)
    {
        Framebuffer image = Framebuffer.Allocate(width, height);
        var random = new Random(kind.Length * 7919 + width * 31 + height);
        for (int y = 0; y < height; y++)
        {
            Span<byte> row = image.View.Row(y);
            for (int x = 0; x < width; x++)
            {
                uint pixel = kind switch
                {
                    "solid" => 0x00336699u,
                    "text" => ((x * 7 + y * 3) % 11 < 3 || (y % 9 == 0)) ? 0x00101010u : 0x00F0F0F0u,
                    "palette" => (uint)(((x / 5) + (y / 4)) % 6) * 0x002A1B0Cu,
                    "gradient" => (uint)((x * 255 / Math.Max(1, width - 1)) << 16 | (y * 255 / Math.Max(1, height - 1)) << 8 | ((x + y) & 0xFF)),
                    _ => (uint)random.Next() & 0x00FFFFFFu,
                };
                row[(x * 4)..].WriteLittleEndian(pixel);
            }
        }

        return image;
    }

    /// <summary>Repacks tight BGRX pixels as 24-bit BGR or 16-bit x555 (the SPICE RGB24 / RGB16 layouts).</summary>
    public static byte[] Pack(byte[] bgrx, int bytesPerPixel)
    {
        byte[] packed = new byte[bgrx.Length / 4 * bytesPerPixel];
        for (int i = 0, o = 0; i < bgrx.Length; i += 4, o += bytesPerPixel)
        {
            if (bytesPerPixel == 3)
            {
                packed[o] = bgrx[i];
                packed[o + 1] = bgrx[i + 1];
                packed[o + 2] = bgrx[i + 2];
            }
            else
            {
                int rgb555 = (bgrx[i + 2] >> 3) << 10 | (bgrx[i + 1] >> 3) << 5 | (bgrx[i] >> 3);
                packed[o] = (byte)rgb555;
                packed[o + 1] = (byte)(rgb555 >> 8);
            }
        }

        return packed;
    }

    private static void WriteLittleEndian(this Span<byte> destination, uint value) =>
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(destination, value);
}
