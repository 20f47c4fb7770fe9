using System.Buffers.Binary;

namespace Fuzz.Mutation;

/// <summary>
/// Deterministic structure-unaware mutations in the style of libFuzzer's default mutators: bit flips, interesting
/// values at random offsets (as 8/16/32-bit integers of either endianness, which is what size and length fields are),
/// byte runs inserted, erased, duplicated or spliced in from another input, and truncation.
/// </summary>
/// <remarks>Same seed, same inputs, same sequence of outputs: a finding reproduces from its iteration number.</remarks>
public sealed class InputMutator(int seed, int maxLength = 1 << 20)
{
    private static readonly uint[] s_interesting =
    [
        0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 63, 64, 127, 128, 255, 256, 511, 512, 1023, 1024, 2047, 2048, 4095, 4096,
        32767, 32768, 65535, 65536, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFFE, 0x00FFFFFF, 0x10000000,
    ];

    private readonly Random _random = new(seed);

    /// <summary>Returns a mutation of <paramref name="input"/> (1–4 stacked mutations); <paramref name="other"/> feeds splices.</summary>
    public byte[] Mutate(ReadOnlySpan<byte> input, ReadOnlySpan<byte> other)
    {
        var data = new List<byte>(input.Length + 64);
        foreach (byte b in input)
        {
            data.Add(b);
        }

        int steps = 1 + _random.Next(4);
        for (int step = 0; step < steps; step++)
        {
            MutateOnce(data, other);
        }

        if (data.Count > maxLength)
        {
            data.RemoveRange(maxLength, data.Count - maxLength);
        }

        return [.. data];
    }

    private void MutateOnce(List<byte> data, ReadOnlySpan<byte> other)
    {
        switch (_random.Next(data.Count == 0 ? 1 : 8))
        {
            case 0:
                InsertRandomBytes(data);
                break;
            case 1:
                data[_random.Next(data.Count)] ^= (byte)(1 << _random.Next(8));
                break;
            case 2:
                data[_random.Next(data.Count)] = (byte)_random.Next(256);
                break;
            case 3:
                WriteInterestingValue(data);
                break;
            case 4:
                EraseRange(data);
                break;
            case 5:
                DuplicateRange(data);
                break;
            case 6:
                Splice(data, other);
                break;
            default:
                Truncate(data);
                break;
        }
    }

    private void InsertRandomBytes(List<byte> data)
    {
        int at = _random.Next(data.Count + 1);
        int count = 1 + _random.Next(16);
        for (int i = 0; i < count; i++)
        {
            data.Insert(at, (byte)_random.Next(256));
        }
    }

    private void WriteInterestingValue(List<byte> data)
    {
        uint value = s_interesting[_random.Next(s_interesting.Length)];
        int width = 1 << _random.Next(3);
        int at = _random.Next(data.Count);
        Span<byte> bytes = stackalloc byte[4];
        if (_random.Next(2) == 0)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes, value << (8 * (4 - width)));
        }

        for (int i = 0; i < width && at + i < data.Count; i++)
        {
            data[at + i] = bytes[i];
        }
    }

    private void EraseRange(List<byte> data)
    {
        int at = _random.Next(data.Count);
        data.RemoveRange(at, 1 + _random.Next(Math.Min(64, data.Count - at)));
    }

    private void DuplicateRange(List<byte> data)
    {
        int at = _random.Next(data.Count);
        int count = 1 + _random.Next(Math.Min(256, data.Count - at));
        data.InsertRange(_random.Next(data.Count + 1), data.GetRange(at, count));
    }

    private void Splice(List<byte> data, ReadOnlySpan<byte> other)
    {
        if (other.IsEmpty)
        {
            InsertRandomBytes(data);
            return;
        }

        int from = _random.Next(other.Length);
        int count = 1 + _random.Next(Math.Min(512, other.Length - from));
        int at = _random.Next(data.Count + 1);
        data.InsertRange(at, other.Slice(from, count).ToArray());
    }

    private void Truncate(List<byte> data)
    {
        int keep = _random.Next(data.Count);
        data.RemoveRange(keep, data.Count - keep);
    }
}
