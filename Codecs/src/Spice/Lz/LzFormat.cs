namespace Codecs.Spice.Lz;

/// <summary>Constants of the spice-common LZ format.</summary>
internal static class LzFormat
{
    public const uint Magic = 0x20205A4C; // wire bytes 20 20 5A 4C, big-endian
    public const uint Version = 0x00010001;
    public const int HeaderLength = 28;

    /// <summary>Longest literal run (MAX_COPY).</summary>
    public const int MaxCopy = 32;

    /// <summary>Biased distances below this use the 13-bit near form (MAX_DISTANCE).</summary>
    public const int MaxNearDistance = 8191;

    /// <summary>Largest biased distance of the far form: 8191 + 65535.</summary>
    public const int MaxFarDistance = MaxNearDistance + 65535;

    /// <summary>The reference's SPICE_MAX_IMAGE_SIZE for stride × height.</summary>
    public const long MaxImageBytes = (1L << 30) - 1;
}
