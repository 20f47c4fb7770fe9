using System.Buffers.Binary;
using System.Numerics;

namespace Codecs.Trace;

/// <summary>
/// CRC-32C (Castagnoli; reflected polynomial 0x82F63B78, initial value and final XOR 0xFFFFFFFF; check value of
/// "123456789" is 0xE3069283), the checksum of every trace record. <see cref="BitOperations.Crc32C(uint, ulong)"/> uses
/// the SSE4.2 / ARMv8 CRC instructions where present.
/// </summary>
internal static class Crc32C
{
    public const uint Initial = 0xFFFFFFFF;

    public static uint Compute(ReadOnlySpan<byte> data) => ~Append(Initial, data);

    /// <summary>Continues a running (not yet final-XORed) CRC; start with <see cref="Initial"/> and complement the result.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        foreach (byte b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return crc;
    }
}
