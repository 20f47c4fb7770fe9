using Codecs.Pixels;
using FsCheck;
using FsCheck.Fluent;
using TestSupport;
using Xunit;

namespace Codecs.Tests.Pixels;

/// <summary>
/// <see cref="PixelConverter"/> against the independent <see cref="ReferencePixels"/> model, over every catalogued
/// format, every awkward row width, padded strides and random formats. <see cref="PixelConverterIsaTests"/> runs this
/// class again with AVX-512, AVX2 and all hardware intrinsics switched off, so each vector tier and the scalar path
/// pass the same checks.
/// </summary>
public class PixelConverterTests
{
    // Around every vector size of every tier (4, 8, 16, 32, 64 pixels), plus a full-HD row.
    private static readonly int[] s_widths = [0, 1, 2, 3, 7, 15, 16, 17, 31, 33, 63, 64, 65, 127, 1920];

    // (rows, bytes of padding after each row): contiguous, odd padding, a cache line of padding.
    private static readonly (int Height, int Padding)[] s_shapes = [(1, 0), (3, 0), (2, 5), (3, 64)];

    private const byte Sentinel = 0xA5;

    public static TheoryData<string> AllFormats => new(PixelFormatCatalog.AllKeys);

    public static TheoryData<string> ClientFormats => new(PixelFormatCatalog.ClientFormatNames);

    public static TheoryData<string, PixelConversionKernel> ClientKernels
    {
        get
        {
            var data = new TheoryData<string, PixelConversionKernel>();
            foreach ((string name, PixelFormat format) in PixelFormatCatalog.ClientFormats)
            {
                data.Add(name, format.BitsPerPixel == 32 ? PixelConversionKernel.ByteShuffle : PixelConversionKernel.BitPack);
            }

            return data;
        }
    }

    [Fact]
    public void Catalog_CoversTheSweep()
    {
        int formats = PixelFormatCatalog.AllKeys.Count();
        Assert.True(formats > 300, $"only {formats} formats");
        foreach (string key in PixelFormatCatalog.AllKeys)
        {
            Assert.True(PixelFormatCatalog.Get(key).TryValidate(out string? reason), $"{key}: {reason}");
        }

        PixelFormat[] sweep = PixelFormatCatalog.SweepKeys.Select(PixelFormatCatalog.Get).ToArray();
        foreach (int bpp in new[] { 8, 16, 32 })
        {
            Assert.Contains(sweep, f => f.BitsPerPixel == bpp && f.BigEndian);
            Assert.Contains(sweep, f => f.BitsPerPixel == bpp && !f.BigEndian);
        }
    }

    [Theory]
    [MemberData(nameof(AllFormats))]
    public void FromCanonical_MatchesReference_ForEveryWidthAndStride(string key)
    {
        PixelFormat format = PixelFormatCatalog.Get(key);
        PixelConverter converter = PixelConverter.Create(format);
        var random = new Random(StableSeed(key));
        foreach (int width in s_widths)
        {
            foreach ((int height, int padding) in s_shapes)
            {
                AssertFromCanonicalMatchesReference(converter, width, height, padding, random);
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllFormats))]
    public void ToCanonical_MatchesReference_ForEveryWidthAndStride(string key)
    {
        PixelFormat format = PixelFormatCatalog.Get(key);
        PixelConverter converter = PixelConverter.Create(format);
        var random = new Random(StableSeed(key) ^ 0x5EED);
        foreach (int width in s_widths)
        {
            foreach ((int height, int padding) in s_shapes)
            {
                AssertToCanonicalMatchesReference(converter, width, height, padding, random);
            }
        }
    }

    /// <summary>Client → canonical → client gives back every pixel value, less the bits outside the channels.</summary>
    [Theory]
    [MemberData(nameof(AllFormats))]
    public void ClientToCanonicalToClient_KeepsEveryChannelValue(string key)
    {
        PixelFormat format = PixelFormatCatalog.Get(key);
        PixelConverter converter = PixelConverter.Create(format);
        int bytes = converter.BytesPerPixel;

        // Every value for 8 and 16 bpp; 65536 random ones plus the extremes for 32 bpp.
        var random = new Random(StableSeed(key));
        uint[] values = format.BitsPerPixel switch
        {
            8 => Enumerable.Range(0, 256).Select(v => (uint)v).ToArray(),
            16 => Enumerable.Range(0, 65536).Select(v => (uint)v).ToArray(),
            _ => [0, uint.MaxValue, ReferencePixels.ChannelMask(format), .. Enumerable.Range(0, 65536).Select(_ => (uint)random.NextInt64(0, 1L << 32))],
        };

        byte[] client = new byte[values.Length * bytes];
        for (int i = 0; i < values.Length; i++)
        {
            ReferencePixels.Store(format, values[i], client.AsSpan(i * bytes, bytes));
        }

        byte[] canonical = new byte[values.Length * 4];
        byte[] again = new byte[client.Length];
        Assert.Equal(canonical.Length, converter.ToCanonical(client, canonical));
        Assert.Equal(again.Length, converter.FromCanonical(canonical, again));

        uint mask = ReferencePixels.ChannelMask(format);
        for (int i = 0; i < values.Length; i++)
        {
            uint back = ReferencePixels.Load(format, again.AsSpan(i * bytes, bytes));
            if (back != (values[i] & mask))
            {
                Assert.Fail($"{format}: pixel value 0x{values[i]:X} came back as 0x{back:X}, expected 0x{values[i] & mask:X}.");
            }
        }
    }

    /// <summary>Canonical → client → canonical → client repeats the first client pixels, and canonical results are fixed points.</summary>
    [Theory]
    [MemberData(nameof(AllFormats))]
    public void CanonicalRoundTrips_AreStable(string key)
    {
        PixelConverter converter = PixelConverter.Create(PixelFormatCatalog.Get(key));
        var random = new Random(StableSeed(key));
        byte[] canonical = RandomBytes(random, 4 * 4099);
        byte[] client = new byte[4099 * converter.BytesPerPixel];
        byte[] canonical2 = new byte[canonical.Length];
        byte[] client2 = new byte[client.Length];
        byte[] canonical3 = new byte[canonical.Length];

        converter.FromCanonical(canonical, client);
        converter.ToCanonical(client, canonical2);
        converter.FromCanonical(canonical2, client2);
        converter.ToCanonical(client2, canonical3);

        AssertBytes(client, client2, converter.BytesPerPixel, "client after a second round trip");
        AssertBytes(canonical2, canonical3, 4, "canonical after a second round trip");
    }

    /// <summary>Formats with three 8-bit channels lose nothing: all 2^24 colours come back unchanged.</summary>
    [Theory]
    [InlineData("noVNC")]
    [InlineData("libvncclient-BE")]
    [InlineData("Bgrx32-canonical")]
    [InlineData("Xrgb32-BE")]
    [InlineData("sweep 32bpp LE r255<<1 g255<<9 b255<<17")]
    public void EightBitChannels_RoundTripEveryColourLosslessly(string key)
    {
        PixelConverter converter = PixelConverter.Create(PixelFormatCatalog.Get(key));
        const int Width = 4096;
        const int Height = 4096;
        byte[] canonical = new byte[Width * Height * 4];
        for (int colour = 0; colour < Width * Height; colour++)
        {
            canonical[4 * colour] = (byte)colour;
            canonical[4 * colour + 1] = (byte)(colour >> 8);
            canonical[4 * colour + 2] = (byte)(colour >> 16);
        }

        byte[] client = new byte[Width * Height * 4];
        byte[] back = new byte[canonical.Length];
        converter.FromCanonical(new ReadOnlyImageView(canonical, Width, Height, Width * 4, PixelFormat.Bgrx32), client);
        converter.ToCanonical(client, new ImageView(back, Width, Height, Width * 4, PixelFormat.Bgrx32));
        AssertBytes(canonical, back, 4, "all 2^24 colours");
    }

    [Theory]
    [MemberData(nameof(ClientKernels))]
    public void ClientFormats_UseTheExpectedKernel(string name, PixelConversionKernel kernel) =>
        Assert.Equal(kernel, PixelConverter.Create(PixelFormatCatalog.Get(name)).Kernel);

    /// <summary>Long contiguous runs (what a whole-frame conversion is) in both directions.</summary>
    [Theory]
    [MemberData(nameof(ClientFormats))]
    public void FullHdRows_BothDirections_MatchReference(string name)
    {
        PixelFormat format = PixelFormatCatalog.Get(name);
        PixelConverter converter = PixelConverter.Create(format);
        const int Width = 1920;
        const int Height = 135;
        var random = new Random(StableSeed(name));
        byte[] canonical = DesktopLikeFrame(random, Width, Height);
        byte[] client = new byte[converter.GetPackedLength(Width, Height)];
        converter.FromCanonical(new ReadOnlyImageView(canonical, Width, Height, Width * 4, PixelFormat.Bgrx32), client);
        AssertBytes(ReferencePixels.Encode(format, canonical, Width, Height, Width * 4), client, converter.BytesPerPixel, $"{format} encode");

        byte[] decoded = new byte[canonical.Length];
        converter.ToCanonical(client, new ImageView(decoded, Width, Height, Width * 4, PixelFormat.Bgrx32));
        AssertBytes(ReferencePixels.Decode(format, client, Width * Height), decoded, 4, $"{format} decode");
    }

    /// <summary>A sub-rectangle of a framebuffer: the usual source of an encoder, with the framebuffer's stride.</summary>
    [Theory]
    [InlineData("Rgb565-LE")]
    [InlineData("noVNC")]
    [InlineData("TigerVNC-medium")]
    public void FramebufferSlice_ConvertsOnlyTheRectangle(string name)
    {
        PixelFormat format = PixelFormatCatalog.Get(name);
        PixelConverter converter = PixelConverter.Create(format);
        using Framebuffer framebuffer = Framebuffer.Allocate(100, 50);
        new Random(7).NextBytes(framebuffer.Span);
        var area = new Rect(3, 5, 77, 11);
        ReadOnlyImageView slice = framebuffer.ReadOnlyView.Slice(area);

        byte[] client = new byte[converter.GetPackedLength(area.Width, area.Height)];
        converter.FromCanonical(slice, client);

        byte[] whole = framebuffer.Span.ToArray();
        byte[] cropped = whole.AsSpan(area.Y * framebuffer.Stride + area.X * 4).ToArray();
        AssertBytes(ReferencePixels.Encode(format, cropped, area.Width, area.Height, framebuffer.Stride), client, converter.BytesPerPixel, "slice");

        // And back into the same rectangle: everything outside it stays as it was.
        converter.ToCanonical(client, framebuffer.View.Slice(area));
        byte[] after = framebuffer.Span.ToArray();
        for (int y = 0; y < framebuffer.Height; y++)
        {
            for (int x = 0; x < framebuffer.Width; x++)
            {
                int at = y * framebuffer.Stride + x * 4;
                if (x < area.X || x >= area.Right || y < area.Y || y >= area.Bottom)
                {
                    Assert.True(whole.AsSpan(at, 4).SequenceEqual(after.AsSpan(at, 4)), $"pixel ({x},{y}) outside {area} changed");
                }
            }
        }
    }

    /// <summary>Random valid formats, sizes and paddings (FsCheck), both directions against the reference.</summary>
    [Fact]
    public void RandomFormats_MatchReference()
    {
        Gen<PixelFormat> formats =
            from bpp in Gen.Elements(8, 16, 32)
            from bigEndian in Gen.Elements(false, true)
            from redBits in Gen.Choose(1, bpp == 8 ? 3 : 8)
            from greenBits in Gen.Choose(1, bpp == 8 ? 3 : 8)
            from blueBits in Gen.Choose(1, bpp == 8 ? 3 : 8)
            from redShift in Gen.Choose(0, bpp - redBits)
            from greenShift in Gen.Choose(0, bpp - greenBits)
            from blueShift in Gen.Choose(0, bpp - blueBits)
            select new PixelFormat(
                (byte)bpp, (byte)bpp, bigEndian, true,
                (ushort)((1 << redBits) - 1), (ushort)((1 << greenBits) - 1), (ushort)((1 << blueBits) - 1),
                (byte)redShift, (byte)greenShift, (byte)blueShift);

        Gen<ConversionCase> cases =
            from format in formats.Where(IsValid)
            from width in Gen.Choose(0, 300)
            from height in Gen.Choose(1, 4)
            from padding in Gen.Choose(0, 40)
            from seed in Gen.Choose(0, int.MaxValue)
            select new ConversionCase(format, width, height, padding, seed);

        Property property = Prop.ForAll(Arb.From(cases), testCase =>
        {
            PixelConverter converter = PixelConverter.Create(testCase.Format);
            var random = new Random(testCase.Seed);
            AssertFromCanonicalMatchesReference(converter, testCase.Width, testCase.Height, testCase.Padding, random);
            AssertToCanonicalMatchesReference(converter, testCase.Width, testCase.Height, testCase.Padding, random);
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(400), property);
    }

    [Theory]
    [MemberData(nameof(AllFormats))]
    public void SinglePixelHelpers_MatchReference(string key)
    {
        PixelFormat format = PixelFormatCatalog.Get(key);
        PixelConverter converter = PixelConverter.Create(format);
        var random = new Random(StableSeed(key));
        int bytes = converter.BytesPerPixel;
        Span<byte> stored = stackalloc byte[4];
        Span<byte> expectedBytes = stackalloc byte[4];
        for (int i = 0; i < 2000; i++)
        {
            byte r = (byte)random.Next(256);
            byte g = (byte)random.Next(256);
            byte b = (byte)random.Next(256);
            uint value = ReferencePixels.PixelValue(format, r, g, b);
            Assert.Equal(value, converter.ToPixelValue(r, g, b));
            Assert.Equal(value, converter.ToPixelValue((uint)((random.Next(256) << 24) | (r << 16) | (g << 8) | b)));

            uint any = (uint)random.NextInt64(0, 1L << format.BitsPerPixel);
            (byte er, byte eg, byte eb) = ReferencePixels.Colour(format, any);
            converter.FromPixelValue(any, out byte ar, out byte ag, out byte ab);
            Assert.Equal((er, eg, eb), (ar, ag, ab));
            Assert.Equal(((uint)er << 16) | ((uint)eg << 8) | eb, converter.ToCanonical(any));

            converter.WritePixelValue(any, stored);
            ReferencePixels.Store(format, any, expectedBytes);
            Assert.True(stored[..bytes].SequenceEqual(expectedBytes[..bytes]), $"{format}: 0x{any:X} stored as {Convert.ToHexString(stored[..bytes])}");
            Assert.Equal(any, converter.ReadPixelValue(expectedBytes[..bytes]));
        }
    }

    /// <summary>The rounding rule, on values worked out by hand.</summary>
    [Fact]
    public void ChannelScaling_FollowsTheDocumentedRule()
    {
        PixelConverter rgb565 = PixelConverter.Create(PixelFormat.Rgb565);

        // Down: (c * max + 128) / 255. 5 bits: 4 -> 252/255 = 0, 5 -> 283/255 = 1, 127 -> 4065/255 = 15,
        // 128 -> 4096/255 = 16, 255 -> 31. 6 bits: 2 -> 254/255 = 0, 3 -> 317/255 = 1, 255 -> 63.
        Assert.Equal(new[] { 0, 0, 1, 15, 16, 31 }, new byte[] { 0, 4, 5, 127, 128, 255 }.Select(c => (int)(rgb565.ToPixelValue(c, 0, 0) >> 11)));
        Assert.Equal(new[] { 0, 0, 1, 63 }, new byte[] { 0, 2, 3, 255 }.Select(c => (int)((rgb565.ToPixelValue(0, c, 0) >> 5) & 63)));

        // Up: bit replication. 5 bits: 1 -> 00001000 = 8, 15 -> 01111011 = 123, 16 -> 10000100 = 132, 31 -> 255.
        // 6 bits: 1 -> 00000100 = 4, 32 -> 10000010 = 130, 63 -> 255.
        Assert.Equal(new byte[] { 0, 8, 123, 132, 255 }, new uint[] { 0, 1, 15, 16, 31 }.Select(v => Red(rgb565, v << 11)));
        Assert.Equal(new byte[] { 0, 4, 130, 255 }, new uint[] { 0, 1, 32, 63 }.Select(v => Green(rgb565, v << 5)));

        // 3 bits: 2 -> 010 010 01 = 73 (TigerVNC's 2 * 255 / 7 gives 72); 2 bits: 1 -> 85; 1 bit: 1 -> 255.
        PixelConverter bgr233 = PixelConverter.Create(PixelFormat.Bgr233);
        Assert.Equal(73, Red(bgr233, 2));
        Assert.Equal(85, Blue(bgr233, 1 << 6));
        PixelConverter oneBit = PixelConverter.Create(new PixelFormat(8, 3, false, true, 1, 1, 1, 2, 1, 0));
        Assert.Equal(255, Red(oneBit, 4));

        // TigerVNC's +128 rounds 127/255 up to 1 in a 1-bit channel; we match it.
        Assert.Equal(4u, oneBit.ToPixelValue(127, 0, 0));
        Assert.Equal(0u, oneBit.ToPixelValue(126, 0, 0));

        static byte Red(PixelConverter converter, uint value)
        {
            converter.FromPixelValue(value, out byte red, out _, out _);
            return red;
        }

        static byte Green(PixelConverter converter, uint value)
        {
            converter.FromPixelValue(value, out _, out byte green, out _);
            return green;
        }

        static byte Blue(PixelConverter converter, uint value)
        {
            converter.FromPixelValue(value, out _, out _, out byte blue);
            return blue;
        }
    }

    /// <summary>Bit replication is within 1 of the exact <c>v * 255 / max</c>, and equals TigerVNC's truncated value or is 1 above it.</summary>
    [Fact]
    public void BitReplication_StaysWithinOneOfExactAndTigerVnc()
    {
        for (int bits = 1; bits <= 8; bits++)
        {
            int max = (1 << bits) - 1;
            PixelConverter converter = PixelConverter.Create(new PixelFormat(16, 16, false, true, (ushort)max, 1, 1, 0, 14, 15));
            for (int v = 0; v <= max; v++)
            {
                converter.FromPixelValue((uint)v, out byte up, out _, out _);
                double exact = v * 255.0 / max;
                int tiger = v * 255 / max;
                Assert.InRange(up - tiger, 0, 1);
                Assert.True(Math.Abs(up - exact) < 1, $"{bits} bits, {v}: {up}, exact {exact}");
            }
        }
    }

    [Theory]
    [InlineData(8, false)]
    [InlineData(16, false)]
    [InlineData(16, true)]
    [InlineData(32, true)]
    public void ColourMappedClients_GetBgr233AndItsColourMap(int bitsPerPixel, bool bigEndian)
    {
        var requested = new PixelFormat((byte)bitsPerPixel, 8, bigEndian, false, 0, 0, 0, 0, 0, 0);
        PixelConverter converter = PixelConverter.Create(requested);
        Assert.True(converter.IsColourMapped);
        Assert.Equal(requested, converter.Format);
        PixelFormat layout = PixelFormat.Bgr233 with { BitsPerPixel = (byte)bitsPerPixel, BigEndian = bigEndian };
        Assert.Equal(layout, converter.TrueColourFormat);

        ushort[] map = new ushort[3 * PixelConverter.ColourMapSize];
        converter.GetColourMap(map);
        for (int i = 0; i < 256; i++)
        {
            int r = ReferencePixels.Up(i & 7, 7);
            int g = ReferencePixels.Up((i >> 3) & 7, 7);
            int b = ReferencePixels.Up(i >> 6, 3);
            Assert.Equal((r * 257, g * 257, b * 257), (map[3 * i], map[3 * i + 1], map[3 * i + 2]));
        }

        // Pure red, green, blue, white and black map to the obvious entries.
        Assert.Equal(7u, converter.ToPixelValue(255, 0, 0));
        Assert.Equal(7u << 3, converter.ToPixelValue(0, 255, 0));
        Assert.Equal(3u << 6, converter.ToPixelValue(0, 0, 255));
        Assert.Equal(255u, converter.ToPixelValue(255, 255, 255));
        Assert.Equal(0u, converter.ToPixelValue(0, 0, 0));

        var random = new Random(bitsPerPixel);
        foreach (int width in s_widths)
        {
            AssertFromCanonicalMatchesReference(converter, width, 2, 3, random, layout);
            AssertToCanonicalMatchesReference(converter, width, 2, 3, random, layout);
        }
    }

    [Fact]
    public void GetColourMap_RejectsTrueColourAndShortSpans()
    {
        Assert.Throws<InvalidOperationException>(() => PixelConverter.Create(PixelFormat.Rgb565).GetColourMap(new ushort[768]));
        PixelConverter mapped = PixelConverter.Create(new PixelFormat(8, 8, false, false, 0, 0, 0, 0, 0, 0));
        Assert.Throws<ArgumentException>(() => mapped.GetColourMap(new ushort[767]));
    }

    public static TheoryData<PixelFormat> InvalidFormats => new(
        PixelFormat.Bgrx32 with { BitsPerPixel = 24 },
        PixelFormat.Bgrx32 with { BitsPerPixel = 0 },
        PixelFormat.Rgb565 with { Depth = 17 },
        PixelFormat.Rgb565 with { Depth = 0 },
        PixelFormat.Rgb565 with { RedMax = 30 },
        PixelFormat.Rgb565 with { GreenMax = 0 },
        PixelFormat.Bgrx32 with { RedMax = 511 },
        PixelFormat.Rgb565 with { RedShift = 12 },
        PixelFormat.Rgb565 with { GreenShift = 6 },
        PixelFormat.Bgr233 with { BlueShift = 7 });

    [Theory]
    [MemberData(nameof(InvalidFormats))]
    public void Create_RejectsFormatsNoServerCanProduce(PixelFormat format) =>
        Assert.Throws<CodecDataException>(() => PixelConverter.Create(format));

    [Fact]
    public void Conversions_RejectBadArgumentsWithoutWriting()
    {
        PixelConverter converter = PixelConverter.Create(PixelFormat.Rgb565);
        byte[] canonical = new byte[8 * 4 * 4];
        byte[] destination = Enumerable.Repeat(Sentinel, 8 * 4 * 2 - 1).ToArray();

        Assert.Throws<ArgumentException>(() => converter.FromCanonical(new ReadOnlyImageView(canonical, 8, 4, 32, PixelFormat.Bgrx32), destination));
        Assert.Throws<ArgumentException>(() => converter.FromCanonical(new ReadOnlyImageView(canonical, 8, 4, 16, PixelFormat.Rgb565), new byte[64]));
        Assert.Throws<ArgumentException>(() => converter.FromCanonical(canonical.AsSpan(0, 6), destination));
        Assert.Throws<ArgumentException>(() => converter.FromCanonical(canonical.AsSpan(0, 128), new byte[63]));
        Assert.All(destination, b => Assert.Equal(Sentinel, b));

        byte[] view = Enumerable.Repeat(Sentinel, 8 * 4 * 4).ToArray();
        Assert.Throws<ArgumentException>(() => converter.ToCanonical(new byte[63], new ImageView(view, 8, 4, 32, PixelFormat.Bgrx32)));
        Assert.Throws<ArgumentException>(() => converter.ToCanonical(new byte[64], new ImageView(view, 8, 4, 16, PixelFormat.Rgb565)));
        Assert.Throws<ArgumentException>(() => converter.ToCanonical(new byte[5], view));
        Assert.Throws<ArgumentException>(() => converter.ToCanonical(new byte[64], new byte[127]));
        Assert.All(view, b => Assert.Equal(Sentinel, b));
    }

    [Fact]
    public void EmptyInputs_WriteNothing()
    {
        PixelConverter converter = PixelConverter.Create(PixelFormat.Rgb555);
        Assert.Equal(0, converter.FromCanonical(new ReadOnlyImageView(default, 0, 0, 0, PixelFormat.Bgrx32), default));
        Assert.Equal(0, converter.ToCanonical(default, new ImageView(default, 0, 5, 0, PixelFormat.Bgrx32)));
        Assert.Equal(0, converter.FromCanonical(ReadOnlySpan<byte>.Empty, default));
        Assert.Equal(0, converter.ToCanonical(ReadOnlySpan<byte>.Empty, Span<byte>.Empty));
        Assert.Equal(0, converter.GetPackedLength(0, 100));
    }

    /// <summary>
    /// The converter's vector width is the runtime's; under <see cref="IsaPaths"/> it is reported to the parent,
    /// which checks that the switch really took the kernels down a tier.
    /// </summary>
    [Fact]
    public void VectorBits_FollowsRuntimeAcceleration()
    {
        Assert.Equal(BitConverter.IsLittleEndian ? IsaPaths.AcceleratedVectorBits : 0, PixelConverter.VectorBits);
        IsaPaths.Report("PixelConverter.VectorBits", PixelConverter.VectorBits);
        if (IsaPaths.Current is { } configuration)
        {
            Assert.True(PixelConverter.VectorBits <= IsaPaths.ExpectedVectorBits(configuration), $"{PixelConverter.VectorBits} bits under {configuration}");
        }
    }

    internal static void AssertFromCanonicalMatchesReference(
        PixelConverter converter, int width, int height, int padding, Random random, PixelFormat? layout = null)
    {
        PixelFormat format = layout ?? converter.Format;
        int stride = width * 4 + padding;
        byte[] canonical = RandomBytes(random, stride * height);
        byte[] expected = ReferencePixels.Encode(format, canonical, width, height, stride);

        const int Slack = 67;
        byte[] destination = Enumerable.Repeat(Sentinel, expected.Length + Slack).ToArray();
        int written = converter.FromCanonical(new ReadOnlyImageView(canonical, width, height, stride, PixelFormat.Bgrx32), destination);

        string context = $"{format}, {width}x{height}, stride {stride}";
        Assert.Equal(expected.Length, written);
        AssertBytes(expected, destination.AsSpan(0, written), converter.BytesPerPixel, context);
        for (int i = written; i < destination.Length; i++)
        {
            Assert.True(destination[i] == Sentinel, $"{context}: byte {i}, after the {written} written, changed");
        }
    }

    internal static void AssertToCanonicalMatchesReference(
        PixelConverter converter, int width, int height, int padding, Random random, PixelFormat? layout = null)
    {
        PixelFormat format = layout ?? converter.Format;
        int bytes = converter.BytesPerPixel;
        int stride = width * 4 + padding;

        // Random bytes, so the unused bits and bytes of client pixels hold junk the conversion must ignore; three
        // bytes more than the pixels, which must be ignored too.
        byte[] client = RandomBytes(random, width * height * bytes + 3);
        byte[] destination = Enumerable.Repeat(Sentinel, stride * height).ToArray();
        int consumed = converter.ToCanonical(client, new ImageView(destination, width, height, stride, PixelFormat.Bgrx32));

        string context = $"{format}, {width}x{height}, stride {stride}";
        Assert.Equal(width * height * bytes, consumed);
        for (int y = 0; y < height; y++)
        {
            byte[] expected = ReferencePixels.Decode(format, client.AsSpan(y * width * bytes), width);
            AssertBytes(expected, destination.AsSpan(y * stride, width * 4), 4, $"{context}, row {y}");
            for (int i = y * stride + width * 4; i < (y + 1) * stride; i++)
            {
                Assert.True(destination[i] == Sentinel, $"{context}: padding byte {i} after row {y} changed");
            }
        }
    }

    /// <summary>Equality with the first differing pixel named, instead of two huge arrays printed.</summary>
    internal static void AssertBytes(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual, int bytesPerPixel, string context)
    {
        Assert.True(expected.Length == actual.Length, $"{context}: {actual.Length} bytes, expected {expected.Length}");
        int mismatch = expected.CommonPrefixLength(actual);
        if (mismatch < expected.Length)
        {
            int pixel = mismatch / bytesPerPixel;
            Assert.Fail(
                $"{context}: pixel {pixel} is {Convert.ToHexString(actual.Slice(pixel * bytesPerPixel, bytesPerPixel))}, "
                + $"expected {Convert.ToHexString(expected.Slice(pixel * bytesPerPixel, bytesPerPixel))}");
        }
    }

    internal static byte[] RandomBytes(Random random, int length)
    {
        byte[] bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>
    /// A desktop-like canonical frame: flat window areas, gradients, text-like strokes and some noise, with junk in X.
    /// </summary>
    internal static byte[] DesktopLikeFrame(Random random, int width, int height)
    {
        byte[] frame = new byte[width * height * 4];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int at = (y * width + x) * 4;
                (byte r, byte g, byte b) = (x / 320) switch
                {
                    0 => ((byte)(x * 255 / 319), (byte)(y * 255 / Math.Max(1, height - 1)), (byte)128),
                    1 => ((x + y) % 7 == 0 ? (byte)20 : (byte)240, (x + y) % 7 == 0 ? (byte)20 : (byte)240, (x + y) % 7 == 0 ? (byte)30 : (byte)240),
                    2 => ((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)),
                    _ => ((byte)(40 + x / 320 * 30), (byte)90, (byte)(200 - x / 320 * 20)),
                };
                frame[at] = b;
                frame[at + 1] = g;
                frame[at + 2] = r;
                frame[at + 3] = (byte)random.Next(256);
            }
        }

        return frame;
    }

    private static bool IsValid(PixelFormat format) => format.TryValidate(out _);

    /// <summary>A seed that, unlike string.GetHashCode, is the same in every process.</summary>
    private static int StableSeed(string key)
    {
        int seed = 17;
        foreach (char c in key)
        {
            seed = unchecked(seed * 31 + c);
        }

        return seed;
    }

    public sealed record ConversionCase(PixelFormat Format, int Width, int Height, int Padding, int Seed);
}
