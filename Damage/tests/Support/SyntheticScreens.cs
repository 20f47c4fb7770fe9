using Codecs.Pixels;

namespace Damage.Tests.Support;

/// <summary>
/// Desktop-like test content drawn deterministically from coordinates, so that "the same content, moved" is easy to
/// draw: terminal text (8×16 glyphs) addressed by line number, and textured windows addressed by their origin.
/// </summary>
internal static class SyntheticScreens
{
    public const int GlyphWidth = 8;
    public const int LineHeight = 16;

    public const uint Desktop = 0xFF2B5B84;
    public const uint Paper = 0xFF101010;
    public const uint Ink = 0xFFD0D0D0;

    // 96 glyphs of 8×16 bits, one byte per glyph row; glyph 0 is a space.
    private static readonly byte[] s_glyphs = MakeGlyphs();

    public static void Fill(ImageView view, Rect area, uint colour)
    {
        area = area.Intersect(view.Bounds);
        for (int y = area.Y; y < area.Bottom; y++)
        {
            System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(view.Row(y)).Slice(area.X, area.Width).Fill(colour);
        }
    }

    /// <summary>
    /// Draws terminal text into <paramref name="area"/>: its line k shows text line <c>firstLine + k</c> of the
    /// document <paramref name="document"/> (so drawing with firstLine + n is the same text scrolled up by n lines).
    /// </summary>
    public static void Text(ImageView view, Rect area, int document, int firstLine, int firstColumn = 0)
    {
        Fill(view, area, Paper);
        int columns = area.Width / GlyphWidth + 2;
        for (int line = 0; line * LineHeight < area.Height; line++)
        {
            int lineNumber = firstLine + line;
            var rng = new Random((int)(Mix(document, lineNumber, 0) & 0x7FFFFFFF));
            int length = rng.Next(4) == 0 ? 0 : rng.Next(10, 400);
            for (int col = 0; col < columns; col++)
            {
                int column = firstColumn + col;
                int glyph = column < length ? GlyphAt(document, lineNumber, column) : 0;
                DrawGlyph(view, area, area.X + col * GlyphWidth, area.Y + line * LineHeight, glyph);
            }
        }
    }

    /// <summary>A window at (x, y): a title bar and a busy texture, both a function of the position inside the window.</summary>
    public static void Window(ImageView view, Rect window, int seed)
    {
        Rect clip = window.Intersect(view.Bounds);
        for (int y = clip.Y; y < clip.Bottom; y++)
        {
            Span<uint> row = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(view.Row(y));
            int wy = y - window.Y;
            for (int x = clip.X; x < clip.Right; x++)
            {
                int wx = x - window.X;
                uint colour;
                if (wy < 20)
                {
                    colour = 0xFF3070C0 + (uint)(wx & 0x1F);
                }
                else
                {
                    uint h = (uint)Mix(seed, wx >> 2, wy >> 2);
                    colour = 0xFF000000 | (h & 0x00F0F0F0) | (uint)((wx * 3 + wy) & 0x0F);
                }

                row[x] = colour;
            }
        }
    }

    private static int GlyphAt(int document, int line, int column)
    {
        uint h = (uint)Mix(document, line, column / 6);
        int inWord = column % 6;
        return inWord == 5 ? 0 : 1 + (int)((h >> (inWord * 5)) % 95);
    }

    /// <summary>A fixed integer mix (HashCode is seeded per process, which would make content differ between runs).</summary>
    private static ulong Mix(int a, int b, int c)
    {
        ulong h = ((ulong)(uint)a * 0x9E3779B97F4A7C15) ^ ((ulong)(uint)b * 0xC2B2AE3D27D4EB4F) ^ ((ulong)(uint)c * 0x165667B19E3779F9);
        h ^= h >> 29;
        h *= 0xBF58476D1CE4E5B9;
        return h ^ (h >> 32);
    }

    private static void DrawGlyph(ImageView view, Rect clip, int x, int y, int glyph)
    {
        for (int gy = 0; gy < LineHeight; gy++)
        {
            int py = y + gy;
            if (py < clip.Y || py >= clip.Bottom)
            {
                continue;
            }

            Span<uint> row = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(view.Row(py));
            byte bits = s_glyphs[glyph * LineHeight + gy];
            for (int gx = 0; gx < GlyphWidth; gx++)
            {
                int px = x + gx;
                if (px >= clip.X && px < clip.Right)
                {
                    row[px] = (bits & (0x80 >> gx)) != 0 ? Ink : Paper;
                }
            }
        }
    }

    private static byte[] MakeGlyphs()
    {
        var rng = new Random(1234);
        byte[] glyphs = new byte[96 * LineHeight];
        for (int g = 1; g < 96; g++)
        {
            // Ink in rows 3..12 and columns 1..6, like a font's body.
            for (int gy = 3; gy < 13; gy++)
            {
                glyphs[g * LineHeight + gy] = (byte)(rng.Next(256) & 0x7E);
            }
        }

        return glyphs;
    }
}
