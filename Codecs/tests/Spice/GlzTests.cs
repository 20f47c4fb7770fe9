using Codecs.Spice.Glz;
using Codecs.Spice.Lz;
using Codecs.Trace;
using Xunit;

namespace Codecs.Tests.Spice;

public sealed class GlzTests
{
    [Fact]
    public void Header_IsBigEndianWithPackedTypeAndTopDown()
    {
        var window = new GlzEncoderWindow(1 << 20);
        byte[] encoded = Encode(new GlzEncoder(window), LzImageType.Rgb32, SpiceTestImages.Make("text", 5, 3, 1), 5, 3, topDown: true, out ulong id);
        Assert.Equal(0UL, id);
        Assert.Equal(new byte[] { 0x20, 0x20, 0x5A, 0x4C, 0, 1, 0, 1, 0x18, 0, 0, 0, 5, 0, 0, 0, 3, 0, 0, 0, 20 }, encoded[..21]);
        GlzHeader h = GlzDecoder.ReadHeader(encoded);
        Assert.Equal(new GlzHeader(LzImageType.Rgb32, true, 5, 3, 20, 0, 0), h);
    }

    [Fact]
    public void Session_OverCorpusTrace_DecodesEveryRectangleAndFrame()
    {
        var encoderWindow = new GlzEncoderWindow(8 << 20);
        var encoder = new GlzEncoder(encoderWindow);
        var decoderWindow = new GlzDecoderWindow();
        long glzBytes = 0;
        long lzBytes = 0;
        var lz = new LzEncoder();
        using FileStream stream = File.OpenRead(Path.Combine(SpiceTestImages.CorpusDirectory(), "terminal-scroll.fbt"));
        using var reader = new TraceReader(stream);
        for (int f = 0; f < 40 && reader.ReadFrame(); f++)
        {
            var fb = reader.Framebuffer;
            var frame = new byte[fb.Width * fb.Height * 4];
            for (int y = 0; y < fb.Height; y++)
            {
                fb.Row(y)[..(fb.Width * 4)].CopyTo(frame.AsSpan(y * fb.Width * 4));
            }

            var images = new List<(byte[] Pixels, int W, int H)>();
            if (f % 10 == 0)
            {
                images.Add((frame, fb.Width, fb.Height));
            }

            foreach (TraceRect rect in reader.Frame.Rects)
            {
                images.Add((SpiceTestImages.Crop(frame, fb.Width, rect.Area.X, rect.Area.Y, rect.Area.Width, rect.Area.Height), rect.Area.Width, rect.Area.Height));
            }

            foreach ((byte[] pixels, int w, int h) in images)
            {
                byte[] encoded = Encode(encoder, LzImageType.Rgb32, pixels, w, h, topDown: true, out ulong id);
                GlzImage decoded = GlzDecoder.Decode(encoded, decoderWindow);
                Assert.Equal(id, decoded.Header.ImageId);
                AssertPixels(pixels, decoded.Pixels, alpha: false);
                if (f > 0 && w == fb.Width && h == fb.Height)
                {
                    // Full frames after the first: the scrolled content is in the window.
                    glzBytes += encoded.Length;
                    lzBytes += LzTests.Encode(LzImageType.Rgb32, pixels, w, h, w * 4, topDown: true).Length;
                }
            }
        }

        Assert.True(encoderWindow.NextImageId > 10);
        // GLZ's in-image matches cost a byte more than LZ's; cross-image references must at least make up for it.
        Assert.True(glzBytes < lzBytes * 1.15, $"GLZ {glzBytes} vs LZ {lzBytes} on full frames of a scrolling trace");
        Assert.True(decoderWindow.RetainedPixels <= (8 << 20) + (1920 * 1080));
    }

    [Fact]
    public void ConsecutiveScrolledFrames_AreMostlyCrossImageReferences()
    {
        var frames = new List<byte[]>();
        using (FileStream stream = File.OpenRead(Path.Combine(SpiceTestImages.CorpusDirectory(), "terminal-scroll.fbt")))
        using (var reader = new TraceReader(stream))
        {
            for (int f = 0; f < 4 && reader.ReadFrame(); f++)
            {
                var fb = reader.Framebuffer;
                var frame = new byte[fb.Width * fb.Height * 4];
                for (int y = 0; y < fb.Height; y++)
                {
                    fb.Row(y)[..(fb.Width * 4)].CopyTo(frame.AsSpan(y * fb.Width * 4));
                }

                frames.Add(frame);
            }
        }

        var encoder = new GlzEncoder(new GlzEncoderWindow(8 << 20));
        var decoderWindow = new GlzDecoderWindow();
        long glz = 0;
        long lz = 0;
        for (int f = 0; f < frames.Count; f++)
        {
            byte[] encoded = Encode(encoder, LzImageType.Rgb32, frames[f], 1920, 1080, true, out _);
            AssertPixels(frames[f], GlzDecoder.Decode(encoded, decoderWindow).Pixels, alpha: false);
            if (f >= 2)
            {
                glz += encoded.Length;
                lz += LzTests.Encode(LzImageType.Rgb32, frames[f], 1920, 1080, 1920 * 4, true).Length;
            }
        }

        Assert.True(glz < lz / 2, $"GLZ {glz} vs LZ {lz}");
    }

    [Fact]
    public void RepeatedImage_IsReferencedAcrossImages()
    {
        var window = new GlzEncoderWindow(1 << 20);
        var encoder = new GlzEncoder(window);
        var decoderWindow = new GlzDecoderWindow();
        foreach (LzImageType type in new[] { LzImageType.Rgb32, LzImageType.Rgba, LzImageType.Rgb24 })
        {
            byte[] bgra = SpiceTestImages.Make("noise", 100, 60, 4, alpha: true);
            byte[] img = type == LzImageType.Rgb24 ? ToRgb24(bgra) : bgra;
            byte[] first = Encode(encoder, type, img, 100, 60, topDown: false, out _);
            byte[] second = Encode(encoder, type, img, 100, 60, topDown: false, out _);
            Assert.True(second.Length < first.Length / 50, $"{type}: {second.Length} vs {first.Length}");
            GlzImage a = GlzDecoder.Decode(first, decoderWindow);
            GlzImage b = GlzDecoder.Decode(second, decoderWindow);
            byte[] expected = type == LzImageType.Rgb24 ? bgra : img;
            AssertPixels(expected, a.Pixels, alpha: type == LzImageType.Rgba);
            AssertPixels(expected, b.Pixels, alpha: type == LzImageType.Rgba);
        }
    }

    [Fact]
    public void Rgb16_RoundTripsAsTheClientExpands_AndReferencesOnlyRgb16Images()
    {
        var window = new GlzEncoderWindow(1 << 20);
        var encoder = new GlzEncoder(window);
        var decoderWindow = new GlzDecoderWindow();
        foreach (string kind in new[] { "text", "noise", "mixed" })
        {
            byte[] bgra = SpiceTestImages.Make(kind, 90, 50, 6);
            var x555 = new byte[90 * 50 * 2];
            for (int i = 0; i < 90 * 50; i++)
            {
                int v = (bgra[i * 4] >> 3) | ((bgra[(i * 4) + 1] >> 3) << 5) | ((bgra[(i * 4) + 2] >> 3) << 10);
                x555[i * 2] = (byte)v;
                x555[(i * 2) + 1] = (byte)(v >> 8);
            }

            // The same picture as RGB32 first: a different type, so the RGB16 images cannot reference it.
            byte[] asRgb32 = Encode(encoder, LzImageType.Rgb32, bgra, 90, 50, topDown: true, out _);
            byte[] first = Encode(encoder, LzImageType.Rgb16, x555, 90, 50, topDown: false, out _);
            byte[] second = Encode(encoder, LzImageType.Rgb16, x555, 90, 50, topDown: false, out _);
            GlzDecoder.Decode(asRgb32, decoderWindow);
            GlzImage a = GlzDecoder.Decode(first, decoderWindow);
            GlzImage b = GlzDecoder.Decode(second, decoderWindow);
            Assert.Equal(new GlzHeader(LzImageType.Rgb16, false, 90, 50, 180, a.Header.ImageId, a.Header.WindowHeadDistance), a.Header);
            if (kind == "noise")
            {
                Assert.True(first.Length > 90 * 50 * 2, $"noise RGB16 took {first.Length} bytes: it referenced the RGB32 image");
                Assert.True(second.Length < first.Length / 50, $"{second.Length} vs {first.Length}");
            }

            var expected = new byte[90 * 50 * 4];
            for (int i = 0; i < 90 * 50; i++)
            {
                int v = x555[i * 2] | (x555[(i * 2) + 1] << 8);
                for (int c = 0; c < 3; c++)
                {
                    int five = (v >> (5 * c)) & 31;
                    expected[(i * 4) + c] = (byte)((five << 3) | (five >> 2));
                }
            }

            AssertPixels(expected, a.Pixels, alpha: false);
            AssertPixels(expected, b.Pixels, alpha: false);
        }
    }

    [Fact]
    public void Window_EvictsOldImagesAndAnnouncesHeadDistance()
    {
        var window = new GlzEncoderWindow(10_000);
        var encoder = new GlzEncoder(window);
        var decoderWindow = new GlzDecoderWindow();
        Assert.False(window.CanEncode(100, 100));
        Assert.True(window.CanEncode(99, 100));
        for (int k = 0; k < 6; k++)
        {
            byte[] img = SpiceTestImages.Make("noise", 60, 60, k % 2);
            byte[] encoded = Encode(encoder, LzImageType.Rgb32, img, 60, 60, topDown: true, out ulong id);
            GlzHeader h = GlzDecoder.ReadHeader(encoded);
            Assert.Equal(id == 0 ? 0u : 1u, h.WindowHeadDistance);
            AssertPixels(img, GlzDecoder.Decode(encoded, decoderWindow).Pixels, alpha: false);
            Assert.True(decoderWindow.Count <= 2);
        }
    }

    [Fact]
    public void Decoder_WaitsForImageFromAnotherChannel()
    {
        var window = new GlzEncoderWindow(1 << 20);
        var encoder = new GlzEncoder(window);
        byte[] img = SpiceTestImages.Make("noise", 50, 40, 8);
        byte[] first = Encode(encoder, LzImageType.Rgb32, img, 50, 40, true, out _);
        byte[] second = Encode(encoder, LzImageType.Rgb32, img, 50, 40, true, out _);
        var decoderWindow = new GlzDecoderWindow(waitTimeout: TimeSpan.FromSeconds(10));
        GlzImage? result = null;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = GlzDecoder.Decode(second, decoderWindow);
            }
            catch (CodecDataException e)
            {
                error = e;
            }
        });
        thread.Start();
        Thread.Sleep(100);
        Assert.True(thread.IsAlive);
        GlzDecoder.Decode(first, decoderWindow);
        Assert.True(thread.Join(TimeSpan.FromSeconds(10)));
        Assert.Null(error);
        AssertPixels(img, result!.Pixels, alpha: false);
    }

    [Fact]
    public void Decoder_ReferenceToImageThatNeverCame_Throws()
    {
        var window = new GlzEncoderWindow(1 << 20);
        var encoder = new GlzEncoder(window);
        byte[] img = SpiceTestImages.Make("noise", 50, 40, 8);
        _ = Encode(encoder, LzImageType.Rgb32, img, 50, 40, true, out _);
        byte[] second = Encode(encoder, LzImageType.Rgb32, img, 50, 40, true, out _);
        var decoderWindow = new GlzDecoderWindow(waitTimeout: TimeSpan.FromMilliseconds(200));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.Throws<CodecDataException>(() => GlzDecoder.Decode(second, decoderWindow));
        Assert.True(watch.ElapsedMilliseconds < 5000);
        Assert.Equal(0, decoderWindow.Count);
    }

    [Fact]
    public void Decode_TruncatedAtEveryOffset_AndMutations_ThrowOnlyCodecDataException()
    {
        byte[] img = SpiceTestImages.Make("mixed", 30, 20, 3, alpha: true);
        byte[] good = Encode(new GlzEncoder(new GlzEncoderWindow(1 << 20)), LzImageType.Rgba, img, 30, 20, true, out _);
        for (int len = 0; len < good.Length; len++)
        {
            Assert.Throws<CodecDataException>(() => GlzDecoder.Decode(good.AsSpan(0, len), new GlzDecoderWindow()));
        }

        Assert.Throws<CodecDataException>(() => GlzDecoder.Decode([.. good, 0], new GlzDecoderWindow()));
        var rng = new Random(9);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (int n = 0; n < 3000 && watch.ElapsedMilliseconds < 5000; n++)
        {
            byte[] bad = (byte[])good.Clone();
            for (int k = rng.Next(1, 4); k > 0; k--)
            {
                bad[rng.Next(8, bad.Length)] = (byte)rng.Next(256);
            }

            try
            {
                GlzDecoder.Decode(bad, new GlzDecoderWindow(maxRetainedPixels: 1 << 20, waitTimeout: TimeSpan.Zero), maxPixels: 1 << 16);
            }
            catch (CodecDataException)
            {
            }
        }
    }

    [Fact]
    public void ZlibWrap_RoundTripsAndRejectsBadLengths()
    {
        byte[] img = SpiceTestImages.Make("text", 200, 100, 3);
        byte[] glz = Encode(new GlzEncoder(new GlzEncoderWindow(1 << 20)), LzImageType.Rgb32, img, 200, 100, true, out _);
        var wrapped = new byte[glz.Length];
        Assert.True(GlzZlib.TryCompress(glz, wrapped, out int written));
        Assert.Equal(0x78, wrapped[0]);
        var inflated = new byte[glz.Length];
        GlzZlib.Decompress(wrapped.AsSpan(0, written), glz.Length, inflated);
        Assert.Equal(glz, inflated);
        Assert.Throws<CodecDataException>(() => GlzZlib.Decompress(wrapped.AsSpan(0, written), glz.Length - 1, inflated));
        Assert.Throws<CodecDataException>(() => GlzZlib.Decompress(wrapped.AsSpan(0, written / 2), glz.Length, inflated));
        Assert.Throws<CodecDataException>(() => GlzZlib.Decompress([], glz.Length, inflated));
        Assert.False(GlzZlib.TryCompress(glz.AsSpan(0, 99), wrapped, out _));
    }

    private static byte[] Encode(GlzEncoder encoder, LzImageType type, byte[] pixels, int w, int h, bool topDown, out ulong id)
    {
        int bpp = LzImageTypes.BytesPerPixel(type);
        var dst = new byte[GlzEncoder.GetMaxEncodedLength(type, w, h)];
        Assert.True(encoder.TryEncode(type, pixels, w, h, w * bpp, topDown, dst, out int written, out id));
        return dst[..written];
    }

    private static byte[] ToRgb24(byte[] bgra)
    {
        var t = new byte[bgra.Length / 4 * 3];
        for (int i = 0; i < bgra.Length / 4; i++)
        {
            t[3 * i] = bgra[4 * i];
            t[(3 * i) + 1] = bgra[(4 * i) + 1];
            t[(3 * i) + 2] = bgra[(4 * i) + 2];
        }

        return t;
    }

    private static void AssertPixels(byte[] expected, ReadOnlySpan<byte> actual, bool alpha)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            byte want = i % 4 == 3 && !alpha ? (byte)0 : expected[i];
            if (actual[i] != want)
            {
                Assert.Fail($"byte {i}: {actual[i]} != {want}");
            }
        }
    }
}
