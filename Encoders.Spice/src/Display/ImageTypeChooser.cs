using System.Runtime.InteropServices;
using Codecs.Pixels;
using Encoders.Spice.Protocol;

namespace Encoders.Spice.Display;

/// <summary>What the client can decode, for the per-image choice.</summary>
internal readonly record struct ClientImageSupport(bool Lz4, bool Glz, SpiceImageCompression Preferred);

/// <summary>
/// Picks the image type of one tile. The seam where the codec layer's automatic chooser plugs in once it lands
/// (branch <c>spicecodec</c>): implement this interface over it and create it in <c>SpiceServer.CreateChannel</c>.
/// Must return a type the client supports (<see cref="ClientImageSupport"/>).
/// </summary>
internal interface IImageTypeChooser
{
    SpiceImageType Choose(ReadOnlyImageView tile, ClientImageSupport client);
}

/// <summary>
/// One compression mode for every image (tests, or a server configured that way), falling back to LZ when the
/// client cannot decode the forced type (LZ4 without the cap, GLZ without a dictionary).
/// </summary>
internal sealed class ForcedImageTypeChooser(SpiceImageCompression mode) : IImageTypeChooser
{
    public SpiceImageType Choose(ReadOnlyImageView tile, ClientImageSupport client) => ImageTypes.ForMode(mode, tile, client);
}

/// <summary>
/// The interim automatic rule: the client's PREFERRED_COMPRESSION when it sent one; otherwise LZ (GLZ when the client
/// has a dictionary) for synthetic content and QUIC for photographic content, told apart by how often a sampled pixel
/// repeats its left neighbour.
/// </summary>
internal sealed class SimpleImageTypeChooser : IImageTypeChooser
{
    public SpiceImageType Choose(ReadOnlyImageView tile, ClientImageSupport client) =>
        client.Preferred is SpiceImageCompression.Invalid
            ? ImageTypes.ForMode(SpiceImageCompression.AutoGlz, tile, client)
            : ImageTypes.ForMode(client.Preferred, tile, client);
}

internal static class ImageTypes
{
    public static SpiceImageType ForMode(SpiceImageCompression mode, ReadOnlyImageView tile, ClientImageSupport client) => mode switch
    {
        SpiceImageCompression.Off => SpiceImageType.Bitmap,
        SpiceImageCompression.Quic => SpiceImageType.Quic,
        SpiceImageCompression.Lz => SpiceImageType.LzRgb,
        SpiceImageCompression.Glz => client.Glz ? SpiceImageType.GlzRgb : SpiceImageType.LzRgb,
        SpiceImageCompression.Lz4 => client.Lz4 ? SpiceImageType.Lz4 : SpiceImageType.LzRgb,
        SpiceImageCompression.AutoLz => LooksPhotographic(tile) ? SpiceImageType.Quic : SpiceImageType.LzRgb,
        _ => LooksPhotographic(tile) ? SpiceImageType.Quic : client.Glz ? SpiceImageType.GlzRgb : SpiceImageType.LzRgb,
    };

    /// <summary>Samples up to 16 rows × 16 pixels: photographic when fewer than half repeat their left neighbour.</summary>
    public static bool LooksPhotographic(ReadOnlyImageView tile)
    {
        if (tile.Width < 16 || tile.Height < 2)
        {
            return false;
        }

        int rowStep = Math.Max(1, tile.Height / 16);
        int colStep = Math.Max(1, (tile.Width - 1) / 16);
        int samples = 0;
        int repeats = 0;
        for (int y = 0; y < tile.Height; y += rowStep)
        {
            ReadOnlySpan<uint> row = MemoryMarshal.Cast<byte, uint>(tile.Row(y));
            for (int x = 1; x < row.Length; x += colStep)
            {
                samples++;
                if (((row[x] ^ row[x - 1]) & 0xFFFFFF) == 0)
                {
                    repeats++;
                }
            }
        }

        return repeats * 2 < samples;
    }
}
