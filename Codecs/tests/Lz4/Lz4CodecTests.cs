using Codecs.Lz4;
using Xunit;

namespace Codecs.Tests.Lz4;

public sealed class Lz4CodecTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(255)]
    [InlineData(4096)]
    [InlineData(65536)]
    [InlineData(65537)]
    [InlineData(1 << 20)]
    public void RoundTrip_AllModes(int length)
    {
        foreach (byte[] input in Inputs(length, seed: length))
        {
            byte[] encoded = new byte[Lz4Codec.GetMaxEncodedLength(input.Length)];
            foreach (int acceleration in new[] { 1, 8, Lz4Codec.MaxAcceleration })
            {
                Assert.True(Lz4Codec.TryEncode(input, encoded, out int written, acceleration));
                AssertDecodes(input, encoded.AsSpan(0, written));
            }

            foreach (int level in new[] { 1, Lz4Codec.DefaultHighCompressionLevel, Lz4Codec.MaxHighCompressionLevel })
            {
                Assert.True(Lz4Codec.TryEncodeHighCompression(input, encoded, out int written, level));
                AssertDecodes(input, encoded.AsSpan(0, written));
            }
        }
    }

    [Fact]
    public unsafe void GetMaxEncodedLength_MatchesLibrary()
    {
        foreach (int length in new[] { 0, 1, 254, 255, 256, 100_000, Lz4Codec.MaxInputLength })
        {
            Assert.Equal(Lz4Library.Instance.CompressBound(length), Lz4Codec.GetMaxEncodedLength(length));
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => Lz4Codec.GetMaxEncodedLength(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Lz4Codec.GetMaxEncodedLength(Lz4Codec.MaxInputLength + 1));
    }

    [Fact]
    public void Compressible_Shrinks_HighCompressionShrinksMore()
    {
        byte[] input = DesktopLike(256 * 1024, seed: 3);
        byte[] encoded = new byte[Lz4Codec.GetMaxEncodedLength(input.Length)];
        Assert.True(Lz4Codec.TryEncode(input, encoded, out int fast));
        Assert.True(Lz4Codec.TryEncodeHighCompression(input, encoded, out int high));
        Assert.True(fast < input.Length / 2, $"fast {fast}");
        Assert.True(high <= fast, $"high {high} fast {fast}");
    }

    [Fact]
    public void TryEncode_DestinationTooSmall_ReturnsFalse()
    {
        byte[] input = Noise(10_000, seed: 1);
        byte[] small = new byte[input.Length / 2];
        Assert.False(Lz4Codec.TryEncode(input, small, out int written));
        Assert.Equal(0, written);
        Assert.False(Lz4Codec.TryEncodeHighCompression(input, small, out written));
        Assert.Equal(0, written);
        Assert.False(Lz4Codec.TryEncode(input, [], out _));
    }

    [Fact]
    public void TryEncode_BadArguments_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Lz4Codec.TryEncode([1], new byte[32], out _, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Lz4Codec.TryEncode([1], new byte[32], out _, Lz4Codec.MaxAcceleration + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Lz4Codec.TryEncodeHighCompression([1], new byte[32], out _, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Lz4Codec.TryEncodeHighCompression([1], new byte[32], out _, 13));
    }

    [Fact]
    public void Decode_DestinationTooSmall_Throws()
    {
        byte[] input = DesktopLike(5000, seed: 2);
        byte[] encoded = Encode(input);
        CodecDataException ex = Assert.Throws<CodecDataException>(() => Lz4Codec.Decode(encoded, new byte[input.Length - 1]));
        Assert.Equal("lz4", ex.Format);
        Assert.InRange(ex.Offset, 0, encoded.Length);
    }

    [Fact]
    public void Decode_Empty_Throws()
    {
        CodecDataException ex = Assert.Throws<CodecDataException>(() => Lz4Codec.Decode([], new byte[10]));
        Assert.Equal(0, ex.Offset);
    }

    [Fact]
    public void Decode_TruncatedAtEveryLength_OnlyCodecDataExceptionOrShortOutput()
    {
        byte[] input = DesktopLike(3000, seed: 4);
        byte[] encoded = Encode(input);
        byte[] output = new byte[input.Length];
        for (int length = 0; length < encoded.Length; length++)
        {
            try
            {
                int produced = Lz4Codec.Decode(encoded.AsSpan(0, length), output);
                Assert.True(produced < input.Length, $"a truncated block of {length} bytes decoded to the whole input");
            }
            catch (CodecDataException ex)
            {
                Assert.InRange(ex.Offset, 0, length);
            }
        }
    }

    [Fact]
    public void Decode_RandomCorruption_OnlyCodecDataException()
    {
        byte[] input = DesktopLike(4096, seed: 5);
        byte[] encoded = Encode(input);
        byte[] output = new byte[input.Length + 64];
        var random = new Random(42);
        for (int trial = 0; trial < 5000; trial++)
        {
            byte[] corrupt = (byte[])encoded.Clone();
            int flips = random.Next(1, 8);
            for (int i = 0; i < flips; i++)
            {
                corrupt[random.Next(corrupt.Length)] ^= (byte)(1 << random.Next(8));
            }

            try
            {
                int produced = Lz4Codec.Decode(corrupt, output);
                Assert.InRange(produced, 0, output.Length);
            }
            catch (CodecDataException ex)
            {
                Assert.InRange(ex.Offset, 0, corrupt.Length);
            }
        }

        for (int trial = 0; trial < 2000; trial++)
        {
            byte[] garbage = Noise(random.Next(1, 300), seed: trial);
            try
            {
                Lz4Codec.Decode(garbage, output);
            }
            catch (CodecDataException)
            {
            }
        }
    }

    [Fact]
    public void LibraryVersion_IsDebians()
    {
        Assert.True(Lz4Codec.IsAvailable);
        Assert.StartsWith("1.", Lz4Codec.LibraryVersion, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingLibrary_ExplainsTheDebianPackage()
    {
        Assert.False(Lz4Library.TryLoad(["liblz4-does-not-exist.so.9"], out Lz4Library? library, out string? error));
        Assert.Null(library);
        Assert.Contains("liblz4-1", error, StringComparison.Ordinal);
        Assert.Contains("apt-get install", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Stream_RoundTrip_BlocksReferenceEarlierBlocks()
    {
        // Four blocks of the same 16 KiB content: continued blocks compress to almost nothing.
        byte[] chunk = Noise(16 * 1024, seed: 9);
        using var encoder = new Lz4StreamEncoder();
        using var decoder = new Lz4StreamDecoder();
        byte[] encoded = new byte[Lz4Codec.GetMaxEncodedLength(chunk.Length)];
        byte[] decoded = new byte[chunk.Length];
        var sizes = new List<int>();
        for (int block = 0; block < 4; block++)
        {
            // A fresh copy each time: the encoder must not depend on earlier source buffers staying in place.
            byte[] source = (byte[])chunk.Clone();
            Assert.True(encoder.TryEncode(source, encoded, out int written));
            Array.Clear(source);
            sizes.Add(written);
            Array.Clear(decoded);
            Assert.Equal(chunk.Length, decoder.Decode(encoded.AsSpan(0, written), decoded));
            Assert.Equal(chunk, decoded);
        }

        Assert.True(sizes[0] > chunk.Length, "noise does not compress on its own");
        Assert.All(sizes.Skip(1), s => Assert.True(s < 1024, $"continued block {s} bytes"));
    }

    [Fact]
    public void Stream_ManyBlocksOfVaryingSize_RoundTrip()
    {
        var random = new Random(7);
        byte[] all = DesktopLike(600_000, seed: 8);
        using var encoder = new Lz4StreamEncoder();
        using var decoder = new Lz4StreamDecoder();
        byte[] output = new byte[all.Length];
        int position = 0;
        while (position < all.Length)
        {
            int length = Math.Min(all.Length - position, random.Next(1, 100_000));
            byte[] encoded = new byte[Lz4Codec.GetMaxEncodedLength(length)];
            Assert.True(encoder.TryEncode(all.AsSpan(position, length), encoded, out int written, acceleration: random.Next(1, 4)));
            Assert.Equal(length, decoder.Decode(encoded.AsSpan(0, written), output.AsSpan(position)));
            position += length;
        }

        Assert.Equal(all, output);
    }

    [Fact]
    public void Stream_FailedEncode_LeavesEncoderUsable()
    {
        byte[] first = DesktopLike(20_000, seed: 10);
        byte[] second = Noise(20_000, seed: 11);
        using var encoder = new Lz4StreamEncoder();
        using var decoder = new Lz4StreamDecoder();
        byte[] encoded = new byte[Lz4Codec.GetMaxEncodedLength(20_000)];
        Assert.True(encoder.TryEncode(first, encoded, out int written));
        byte[] output = new byte[20_000];
        decoder.Decode(encoded.AsSpan(0, written), output);

        Assert.False(encoder.TryEncode(second, new byte[100], out _));
        Assert.True(encoder.TryEncode(second, encoded, out written));
        decoder.Decode(encoded.AsSpan(0, written), output);
        Assert.Equal(second, output);

        Assert.True(encoder.TryEncode(first, encoded, out written));
        decoder.Decode(encoded.AsSpan(0, written), output);
        Assert.Equal(first, output);
    }

    [Fact]
    public void Stream_Reset_MakesNextBlockIndependent()
    {
        byte[] chunk = Noise(8192, seed: 12);
        using var encoder = new Lz4StreamEncoder();
        byte[] encoded = new byte[Lz4Codec.GetMaxEncodedLength(chunk.Length)];
        Assert.True(encoder.TryEncode(chunk, encoded, out _));
        encoder.Reset();
        Assert.True(encoder.TryEncode(chunk, encoded, out int written));
        byte[] output = new byte[chunk.Length];
        Assert.Equal(chunk.Length, Lz4Codec.Decode(encoded.AsSpan(0, written), output));
        Assert.Equal(chunk, output);
    }

    [Fact]
    public void StreamDecoder_CorruptOrMissingHistory_OnlyCodecDataException()
    {
        byte[] chunk = DesktopLike(8192, seed: 13);
        using var encoder = new Lz4StreamEncoder();
        byte[] first = new byte[Lz4Codec.GetMaxEncodedLength(chunk.Length)];
        byte[] second = new byte[first.Length];
        Assert.True(encoder.TryEncode(chunk, first, out int firstLength));
        Assert.True(encoder.TryEncode(chunk, second, out int secondLength));

        // The second block references the first: without history it must be rejected, not read out of bounds.
        using var fresh = new Lz4StreamDecoder();
        Assert.Throws<CodecDataException>(() => fresh.Decode(second.AsSpan(0, secondLength), new byte[chunk.Length]));

        var random = new Random(14);
        for (int trial = 0; trial < 2000; trial++)
        {
            using var decoder = new Lz4StreamDecoder();
            byte[] output = new byte[chunk.Length];
            decoder.Decode(first.AsSpan(0, firstLength), output);
            byte[] corrupt = second.AsSpan(0, secondLength).ToArray();
            corrupt[random.Next(corrupt.Length)] ^= (byte)(1 << random.Next(8));
            try
            {
                decoder.Decode(corrupt, output);
            }
            catch (CodecDataException)
            {
            }
        }
    }

    [Fact]
    public void Disposed_Throws()
    {
        var encoder = new Lz4StreamEncoder();
        encoder.Dispose();
        encoder.Dispose();
        Assert.Throws<ObjectDisposedException>(() => encoder.TryEncode([1, 2, 3], new byte[64], out _));
        var decoder = new Lz4StreamDecoder();
        decoder.Dispose();
        Assert.Throws<ObjectDisposedException>(() => decoder.Decode([0x10, 1], new byte[64]));
    }

    private static void AssertDecodes(byte[] expected, ReadOnlySpan<byte> encoded)
    {
        byte[] output = new byte[expected.Length];
        Assert.Equal(expected.Length, Lz4Codec.Decode(encoded, output));
        Assert.Equal(expected, output);
        byte[] roomy = new byte[expected.Length + 100];
        Assert.Equal(expected.Length, Lz4Codec.Decode(encoded, roomy));
    }

    private static byte[] Encode(byte[] input)
    {
        byte[] encoded = new byte[Lz4Codec.GetMaxEncodedLength(input.Length)];
        Assert.True(Lz4Codec.TryEncode(input, encoded, out int written));
        return encoded[..written];
    }

    private static IEnumerable<byte[]> Inputs(int length, int seed)
    {
        yield return new byte[length];
        yield return Noise(length, seed);
        yield return DesktopLike(length, seed);
    }

    private static byte[] Noise(int length, int seed)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Runs of a few repeated BGRX pixels with occasional noise, like UI content.</summary>
    private static byte[] DesktopLike(int length, int seed)
    {
        var random = new Random(seed);
        byte[] bytes = new byte[length];
        int i = 0;
        while (i < length)
        {
            int run = random.Next(1, 200) * 4;
            uint pixel = random.Next(4) == 0 ? (uint)random.Next() : 0xFFF0F0F0u;
            for (int j = 0; j < run && i < length; j++, i++)
            {
                bytes[i] = (byte)(pixel >> (j % 4 * 8));
            }
        }

        return bytes;
    }
}
