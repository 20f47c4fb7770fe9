using System.Numerics;
using System.Runtime.CompilerServices;

namespace Damage;

/// <summary>Searches in one tile row's dirty bits (bit c of word c / 64 is tile column c).</summary>
internal static class TileBits
{
    /// <summary>The first column at or after <paramref name="column"/> whose dirty bit is clear (at most <paramref name="columns"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int NextClean(ReadOnlySpan<ulong> words, int column, int columns)
    {
        int w = column >> 6;
        if (w >= words.Length)
        {
            return columns;
        }

        ulong bits = ~words[w] & (ulong.MaxValue << column);
        while (bits == 0)
        {
            if (++w == words.Length)
            {
                return columns;
            }

            bits = ~words[w];
        }

        return Math.Min((w << 6) + BitOperations.TrailingZeroCount(bits), columns);
    }

    /// <summary>The first column at or after <paramref name="column"/> whose dirty bit is set, or <paramref name="columns"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int NextDirty(ReadOnlySpan<ulong> words, int column, int columns)
    {
        int w = column >> 6;
        if (w >= words.Length)
        {
            return columns;
        }

        ulong bits = words[w] & (ulong.MaxValue << column);
        while (bits == 0)
        {
            if (++w == words.Length)
            {
                return columns;
            }

            bits = words[w];
        }

        return (w << 6) + BitOperations.TrailingZeroCount(bits);
    }
}
