using System.Globalization;

namespace Server.Cli;

/// <summary>A "WIDTHxHEIGHT" command-line value.</summary>
internal readonly record struct FrameSize(int Width, int Height)
{
    public static bool TryParse(string text, out FrameSize size)
    {
        size = default;
        string[] parts = text.Split('x', 'X');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int width)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int height)
            && width > 0 && height > 0)
        {
            size = new FrameSize(width, height);
            return true;
        }

        return false;
    }

    public override string ToString() => $"{Width}x{Height}";
}
