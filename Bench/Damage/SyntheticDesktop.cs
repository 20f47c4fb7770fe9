using System.Runtime.InteropServices;
using Codecs.Pixels;

namespace Bench.Damage;

/// <summary>
/// Desktop-like frames for the damage benchmarks until corpus traces are available: a wallpaper gradient, a terminal
/// full of 8×16 text, a browser-like window with text blocks on white, and a photo-like window. Content is a pure
/// function of coordinates and line numbers, so "the same content scrolled or moved" is cheap to draw.
/// </summary>
internal static class SyntheticDesktop
{
    private const int GlyphWidth = 8;
    private const int LineHeight = 16;
    private const uint Paper = 0xFF1E1E1E;
    private const uint Ink = 0xFFD4D4D4;

    private static readonly byte[] s_glyphs = MakeGlyphs();

    /// <summary>The terminal's text area for a frame size (where scrolls happen).</summary>
    public static Rect Terminal(int width, int height) =>
        new(width / 20, height / 12, (width * 11 / 20) / GlyphWidth * GlyphWidth, (height * 3 / 4) / LineHeight * LineHeight);

    /// <summary>Draws the whole desktop; the terminal shows text lines from <paramref name="firstLine"/> of document <paramref name="document"/>.</summary>
    public static void Draw(ImageView view, int document, int firstLine)
    {
        int width = view.Width;
        int height = view.Height;
        for (int y = 0; y < height; y++)
        {
            Span<uint> row = MemoryMarshal.Cast<byte, uint>(view.Row(y));
            uint g = (uint)(y * 160 / Math.Max(1, height));
            for (int x = 0; x < width; x++)
            {
                row[x] = 0xFF000000 | (g << 16) | ((uint)(x * 100 / width) << 8) | 0x60;
            }
        }

        // Browser-like window: white page, text paragraphs.
        var browser = new Rect(width * 13 / 20, height / 10, width * 3 / 10, height * 7 / 10);
        Fill(view, browser, 0xFFFFFFFF);
        Text(view, Rect.FromEdges(browser.X + 16, browser.Y + 40, browser.Right - 16, browser.Bottom - 16), 77, 0, 0xFFFFFFFF, 0xFF202020);

        // Photo-like window: smooth colour with noise.
        var photo = new Rect(width * 2 / 3, height * 5 / 6 - 20, width / 4, height / 7);
        for (int y = photo.Y; y < photo.Bottom; y++)
        {
            Span<uint> row = MemoryMarshal.Cast<byte, uint>(view.Row(y));
            for (int x = photo.X; x < photo.Right; x++)
            {
                uint n = (uint)Mix(x, y, 5) & 0x0F0F0F;
                row[x] = 0xFF000000 | ((uint)((x - photo.X) & 0xFF) << 16) | ((uint)((y - photo.Y) & 0xFF) << 8) | 0x40 | n;
            }
        }

        Text(view, Terminal(width, height), document, firstLine, Paper, Ink);
    }

    public static void Fill(ImageView view, Rect area, uint colour)
    {
        area = area.Intersect(view.Bounds);
        for (int y = area.Y; y < area.Bottom; y++)
        {
            MemoryMarshal.Cast<byte, uint>(view.Row(y)).Slice(area.X, area.Width).Fill(colour);
        }
    }

    /// <summary>Terminal-style text: line k of the area shows line <c>firstLine + k</c> of the document.</summary>
    public static void Text(ImageView view, Rect area, int document, int firstLine, uint paper, uint ink)
    {
        Fill(view, area, paper);
        int columns = area.Width / GlyphWidth;
        for (int line = 0; (line + 1) * LineHeight <= area.Height; line++)
        {
            int number = firstLine + line;
            ulong h = Mix(document, number, 0);
            int length = (h & 7) == 0 ? 0 : (int)((h >> 8) % (ulong)Math.Max(1, columns));
            for (int column = 0; column < length; column++)
            {
                int glyph = column % 7 == 6 ? 0 : 1 + (int)(Mix(document, number, column) % 95);
                DrawGlyph(view, area.X + column * GlyphWidth, area.Y + line * LineHeight, glyph, paper, ink);
            }
        }
    }

    private static void DrawGlyph(ImageView view, int x, int y, int glyph, uint paper, uint ink)
    {
        for (int gy = 0; gy < LineHeight; gy++)
        {
            Span<uint> row = MemoryMarshal.Cast<byte, uint>(view.Row(y + gy)).Slice(x, GlyphWidth);
            byte bits = s_glyphs[glyph * LineHeight + gy];
            for (int gx = 0; gx < GlyphWidth; gx++)
            {
                row[gx] = (bits & (0x80 >> gx)) != 0 ? ink : paper;
            }
        }
    }

    private static ulong Mix(int a, int b, int c)
    {
        ulong h = ((ulong)(uint)a * 0x9E3779B97F4A7C15) ^ ((ulong)(uint)b * 0xC2B2AE3D27D4EB4F) ^ ((ulong)(uint)c * 0x165667B19E3779F9);
        h ^= h >> 29;
        h *= 0xBF58476D1CE4E5B9;
        return h ^ (h >> 32);
    }

    private static byte[] MakeGlyphs()
    {
        byte[] glyphs = new byte[96 * LineHeight];
        for (int g = 1; g < 96; g++)
        {
            for (int gy = 3; gy < 13; gy++)
            {
                glyphs[g * LineHeight + gy] = (byte)(Mix(g, gy, 99) & 0x7E);
            }
        }

        return glyphs;
    }
}
