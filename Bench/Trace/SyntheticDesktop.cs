using System.Runtime.InteropServices;
using Codecs.Pixels;

namespace Bench.Trace;

/// <summary>
/// A deterministic, desktop-like 1080p session for trace benchmarks: a noisy gradient wallpaper, a taskbar with a
/// clock, a text editor that is typed into every frame and scrolls a line every 15 frames, a photo window that is
/// dragged for ten frames, and a 480×270 video playing inside it.
/// </summary>
internal sealed class SyntheticDesktop
{
    public const int Width = 1920;
    public const int Height = 1080;

    private const int CharWidth = 8;
    private const int LineHeight = 16;
    private const int EditorX = 80;
    private const int EditorY = 60;
    private const int EditorWidth = 1040;
    private const int EditorHeight = 760;
    private const int PhotoY = 140;
    private const int PhotoWidth = 640;
    private const int PhotoHeight = 440;
    private const int VideoWidth = 480;
    private const int VideoHeight = 270;

    private readonly uint[] _wallpaper = new uint[Width * Height];
    private readonly uint[] _photo = new uint[PhotoWidth * PhotoHeight];
    private readonly ulong[] _glyphs = new ulong[128 * 2]; // 8×16 one-bit glyphs, two ulongs each

    public SyntheticDesktop()
    {
        for (int y = 0; y < Height; y++)
        {
            for (int x = 0; x < Width; x++)
            {
                uint noise = Hash((uint)(y * Width + x)) % 5;
                uint r = (uint)(40 + y * 60 / Height) + noise;
                uint g = (uint)(70 + x * 50 / Width) + noise;
                uint b = (uint)(120 + (x + y) * 60 / (Width + Height)) + noise;
                _wallpaper[y * Width + x] = r << 16 | g << 8 | b;
            }
        }

        for (int y = 0; y < PhotoHeight; y++)
        {
            for (int x = 0; x < PhotoWidth; x++)
            {
                double v = Math.Sin(x * 0.021) * Math.Cos(y * 0.017) + Math.Sin((x + y) * 0.005);
                uint noise = Hash((uint)(x * 7919 + y)) % 9;
                uint r = (uint)Math.Clamp(128 + v * 60 + noise, 0, 255);
                uint g = (uint)Math.Clamp(110 + v * 40 - noise, 0, 255);
                uint b = (uint)Math.Clamp(90 - v * 50 + noise, 0, 255);
                _photo[y * PhotoWidth + x] = r << 16 | g << 8 | b;
            }
        }

        for (int c = 33; c < 127; c++)
        {
            // Rows 3..12 of the cell, columns 1..6: a fixed pseudo-random pattern per character.
            ulong top = Hash((uint)c * 31) | (ulong)Hash((uint)c * 57) << 32;
            ulong bottom = Hash((uint)c * 91) | (ulong)Hash((uint)c * 13) << 32;
            _glyphs[c * 2] = top & 0x7E7E7E7E7E000000UL;
            _glyphs[c * 2 + 1] = bottom & 0x00007E7E7E7E7E7EUL;
        }
    }

    /// <summary>Renders frame <paramref name="index"/> into <paramref name="frame"/> (1920×1080 Bgrx32).</summary>
    public void Render(int index, Framebuffer frame)
    {
        for (int y = 0; y < Height; y++)
        {
            _wallpaper.AsSpan(y * Width, Width).CopyTo(Pixels(frame, y));
        }

        DrawEditor(frame, index);
        int photoX = PhotoXAt(index);
        DrawWindow(frame, photoX, PhotoY, PhotoWidth, PhotoHeight + 30, 0x3A3F4B);
        for (int y = 0; y < PhotoHeight; y++)
        {
            _photo.AsSpan(y * PhotoWidth, PhotoWidth).CopyTo(Pixels(frame, PhotoY + 30 + y).Slice(photoX, PhotoWidth));
        }

        Rect video = VideoArea(index);
        for (int y = 0; y < VideoHeight; y++)
        {
            Span<uint> row = Pixels(frame, video.Y + y).Slice(video.X, VideoWidth);
            for (int x = 0; x < VideoWidth; x++)
            {
                double v = Math.Sin((x + index * 9) * 0.05) * Math.Sin((y - index * 4) * 0.07);
                uint noise = Hash((uint)(index * 131071 + y * VideoWidth + x)) % 24;
                uint r = (uint)Math.Clamp(120 + v * 100 + noise, 0, 255);
                uint g = (uint)Math.Clamp(100 + v * 80 + noise, 0, 255);
                uint b = (uint)Math.Clamp(140 - v * 90 + noise, 0, 255);
                row[x] = r << 16 | g << 8 | b;
            }
        }

        // Taskbar with a clock that changes every 30 frames.
        for (int y = Height - 40; y < Height; y++)
        {
            Pixels(frame, y).Fill(0x202428);
        }

        DrawText(frame, Width - 100, Height - 28, $"12:{index / 30 % 60:D2}", 0xE0E0E0, 0x202428);
    }

    public static Rect VideoArea(int index) => new(PhotoXAt(index) + 80, PhotoY + 30 + 85, VideoWidth, VideoHeight);

    /// <summary>The photo window is dragged left by 8 px per frame during frames 40..49.</summary>
    public static int PhotoXAt(int index) => 1200 - 8 * Math.Clamp(index - 39, 0, 10);

    public static bool Scrolls(int index) => index > 0 && index % 15 == 0;

    public static Rect EditorBody => new(EditorX, EditorY + 30, EditorWidth, EditorHeight);

    private void DrawEditor(Framebuffer frame, int index)
    {
        DrawWindow(frame, EditorX, EditorY, EditorWidth, EditorHeight + 30, 0x2B5797);
        for (int y = EditorY + 30; y < EditorY + 30 + EditorHeight; y++)
        {
            Pixels(frame, y).Slice(EditorX, EditorWidth).Fill(0xFFFFFF);
        }

        int lines = EditorHeight / LineHeight;
        int firstLine = index / 15;
        for (int line = 0; line < lines; line++)
        {
            int number = firstLine + line;
            int length = (int)(Hash((uint)number) % 110);
            if (line == lines - 1)
            {
                length = index % 15 * 4 + 1; // the line being typed
            }

            char[] text = new char[length];
            for (int c = 0; c < length; c++)
            {
                uint h = Hash((uint)(number * 1000 + c));
                text[c] = h % 7 == 0 ? ' ' : (char)(33 + h % 94);
            }

            DrawText(frame, EditorX + 8, EditorY + 30 + line * LineHeight, new string(text), 0x202020, 0xFFFFFF);
        }
    }

    private static void DrawWindow(Framebuffer frame, int x, int y, int width, int height, uint title)
    {
        for (int row = y; row < y + height; row++)
        {
            Pixels(frame, row).Slice(x, width).Fill(row < y + 30 ? title : 0xF0F0F0);
        }
    }

    private void DrawText(Framebuffer frame, int x, int y, string text, uint ink, uint paper)
    {
        for (int i = 0; i < text.Length; i++)
        {
            int c = Math.Clamp((int)text[i], 0, 127);
            for (int row = 0; row < LineHeight; row++)
            {
                ulong bits = _glyphs[c * 2 + row / 8] >> (row % 8 * 8);
                Span<uint> pixels = Pixels(frame, y + row).Slice(x + i * CharWidth, CharWidth);
                for (int column = 0; column < CharWidth; column++)
                {
                    pixels[column] = (bits >> column & 1) != 0 ? ink : paper;
                }
            }
        }
    }

    private static Span<uint> Pixels(Framebuffer frame, int y) => MemoryMarshal.Cast<byte, uint>(frame.Row(y));

    private static uint Hash(uint x)
    {
        x ^= x >> 16;
        x *= 0x7FEB352D;
        x ^= x >> 15;
        x *= 0x846CA68B;
        x ^= x >> 16;
        return x;
    }
}
