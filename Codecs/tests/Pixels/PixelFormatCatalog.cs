using Codecs.Pixels;

namespace Codecs.Tests.Pixels;

/// <summary>
/// The pixel formats the conversion tests run over: the ones real clients ask for (research note rfb-encodings §1.4)
/// and a systematic sweep of bits per pixel × byte order × channel widths × channel orders × placements. Formats are
/// named by a stable key so xunit can list each as its own test case.
/// </summary>
internal static class PixelFormatCatalog
{
    private static readonly Lazy<Dictionary<string, PixelFormat>> s_all = new(Build);

    /// <summary>What real clients request (rfb-encodings.md §1.4), by client.</summary>
    public static IReadOnlyList<(string Name, PixelFormat Format)> ClientFormats { get; } =
    [
        ("noVNC", new(32, 24, false, true, 255, 255, 255, 0, 8, 16)),
        ("TigerVNC-verylow", new(8, 3, false, true, 1, 1, 1, 2, 1, 0)),
        ("TigerVNC-low", new(8, 6, false, true, 3, 3, 3, 4, 2, 0)),
        ("TigerVNC-medium", new(8, 8, false, true, 7, 7, 3, 5, 2, 0)),
        ("TigerVNC-full-LE", new(32, 24, false, true, 255, 255, 255, 16, 8, 0)),
        ("gtk-vnc-full-LE", new(32, 24, false, true, 255, 255, 255, 16, 8, 0)),
        ("gtk-vnc-full-BE", new(32, 24, true, true, 255, 255, 255, 16, 8, 0)),
        ("gtk-vnc-medium-LE", new(16, 15, false, true, 31, 31, 31, 11, 6, 1)),
        ("gtk-vnc-medium-BE", new(16, 15, true, true, 31, 31, 31, 11, 6, 1)),
        ("gtk-vnc-low", new(8, 8, false, true, 7, 7, 3, 5, 2, 0)),
        ("gtk-vnc-ultra-low", new(8, 3, false, true, 1, 1, 1, 7, 6, 5)),
        ("libvncclient-LE", new(32, 24, false, true, 255, 255, 255, 0, 8, 16)),
        ("libvncclient-BE", new(32, 24, true, true, 255, 255, 255, 24, 16, 8)),
        ("libvncclient-8bit", new(8, 8, false, true, 7, 7, 3, 0, 3, 6)),
        ("vncsnapshot-BE", new(32, 24, true, true, 255, 255, 255, 24, 16, 8)),
        ("Rgb565-LE", new(16, 16, false, true, 31, 63, 31, 11, 5, 0)),
        ("Rgb565-BE", new(16, 16, true, true, 31, 63, 31, 11, 5, 0)),
        ("Rgb555-LE", new(16, 15, false, true, 31, 31, 31, 10, 5, 0)),
        ("Rgb555-BE", new(16, 15, true, true, 31, 31, 31, 10, 5, 0)),
        ("Bgrx32-canonical", PixelFormat.Bgrx32),
        ("Xrgb32-BE", new(32, 24, true, true, 255, 255, 255, 16, 8, 0)),
    ];

    public static IEnumerable<string> ClientFormatNames => ClientFormats.Select(entry => entry.Name);

    /// <summary>Every key: client formats first, then the sweep.</summary>
    public static IEnumerable<string> AllKeys => s_all.Value.Keys;

    public static IEnumerable<string> SweepKeys => s_all.Value.Keys.Where(key => key.StartsWith("sweep ", StringComparison.Ordinal));

    public static PixelFormat Get(string key) => s_all.Value[key];

    public static string KeyOf(PixelFormat format) =>
        $"sweep {format.BitsPerPixel}bpp {(format.BigEndian ? "BE" : "LE")} r{format.RedMax}<<{format.RedShift} g{format.GreenMax}<<{format.GreenShift} b{format.BlueMax}<<{format.BlueShift}";

    /// <summary>
    /// bpp {8, 16, 32} × {LE, BE} × channel widths that fit × all six channel orders × placements (packed at the
    /// bottom, packed at the top, one bit up, and for 32 bpp 8-bit channels every choice of three of the four bytes).
    /// </summary>
    public static IEnumerable<PixelFormat> Sweep()
    {
        var widths = new Dictionary<int, int[][]>
        {
            [8] = [[1, 1, 1], [2, 2, 2], [3, 3, 2], [2, 2, 3], [1, 2, 3]],
            [16] = [[5, 6, 5], [5, 5, 5], [4, 4, 4], [8, 4, 4], [3, 3, 2], [6, 5, 5], [7, 1, 8]],
            [32] = [[8, 8, 8], [5, 6, 5], [7, 7, 7], [6, 6, 6], [4, 4, 4], [1, 1, 1], [8, 2, 8]],
        };
        int[][] orders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];

        foreach ((int bpp, int[][] triples) in widths)
        {
            foreach (bool bigEndian in new[] { false, true })
            {
                foreach (int[] triple in triples)
                {
                    int total = triple.Sum();
                    foreach (int[] order in orders)
                    {
                        var bases = new SortedSet<int> { 0, bpp - total };
                        if (total < bpp)
                        {
                            bases.Add(1);
                        }

                        foreach (int start in bases)
                        {
                            // order[k] is the channel (0 red, 1 green, 2 blue) at the k-th lowest position.
                            int[] shifts = new int[3];
                            int position = start;
                            foreach (int channel in order)
                            {
                                shifts[channel] = position;
                                position += triple[channel];
                            }

                            yield return Make(bpp, bigEndian, triple, shifts);
                        }
                    }
                }
            }

            if (bpp == 32)
            {
                foreach (bool bigEndian in new[] { false, true })
                {
                    for (int red = 0; red < 4; red++)
                    {
                        for (int green = 0; green < 4; green++)
                        {
                            for (int blue = 0; blue < 4; blue++)
                            {
                                if (red != green && green != blue && red != blue)
                                {
                                    yield return Make(32, bigEndian, [8, 8, 8], [8 * red, 8 * green, 8 * blue]);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static PixelFormat Make(int bpp, bool bigEndian, int[] widths, int[] shifts) =>
        new(
            (byte)bpp,
            (byte)Math.Min(bpp, widths.Sum()),
            bigEndian,
            true,
            (ushort)((1 << widths[0]) - 1),
            (ushort)((1 << widths[1]) - 1),
            (ushort)((1 << widths[2]) - 1),
            (byte)shifts[0],
            (byte)shifts[1],
            (byte)shifts[2]);

    private static Dictionary<string, PixelFormat> Build()
    {
        var all = new Dictionary<string, PixelFormat>(StringComparer.Ordinal);
        foreach ((string name, PixelFormat format) in ClientFormats)
        {
            all.Add(name, format);
        }

        foreach (PixelFormat format in Sweep())
        {
            all.TryAdd(KeyOf(format), format);
        }

        return all;
    }
}
