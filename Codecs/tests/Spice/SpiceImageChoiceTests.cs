using System.Buffers.Binary;
using Codecs.Spice.Choice;
using Codecs.Spice.Glz;
using Codecs.Spice.Jpeg;
using Codecs.Spice.Lz;
using Codecs.Spice.Lz4Image;
using Codecs.Spice.Quic;
using Codecs.Trace;
using Xunit;

namespace Codecs.Tests.Spice;

public sealed class SpiceImageChoiceTests
{
    private static readonly SpiceImageRequest s_autoGlz = new() { Compression = SpiceImageCompression.AutoGlz, GlzAvailable = true };

    [Fact]
    public void Graduality_TextIsLow_PhotoIsHigh_DegenerateIsLow()
    {
        byte[] text = SpiceTestImages.Make("text", 200, 100, 1);
        Graduality g = GradualityEstimator.Measure(new SpiceBitmap(text, 200, 100, 800, SpiceBitmapFormat.Rgb32));
        Assert.Equal(GradualityLevel.Low, g.Level);
        Assert.True(g.Samples > 1000);

        Graduality photo = GradualityEstimator.Measure(new SpiceBitmap(PhotoTile(256, 256), 256, 256, 1024, SpiceBitmapFormat.Rgb32));
        Assert.Equal(GradualityLevel.High, photo.Level);
        Assert.True(photo.Score < GradualityEstimator.HighThreshold);

        // One row or one column: the server scores 1.0 without sampling.
        Assert.Equal(new Graduality(1.0, GradualityLevel.Low, 1), GradualityEstimator.Measure(new SpiceBitmap(new byte[400], 100, 1, 400, SpiceBitmapFormat.Rgb32)));

        // A flat image: every square identical scores 0, which is MEDIUM (below 0.002), as in the server.
        Assert.Equal(GradualityLevel.Medium, GradualityEstimator.Measure(new SpiceBitmap(new byte[64 * 64 * 4], 64, 64, 256, SpiceBitmapFormat.Rgb32)).Level);
    }

    [Fact]
    public void Graduality_ScoresPairsAsTheServer()
    {
        // 16×2 pixels; the only sample (jump 15 from x = 8) is (8, 0) against (9, 0), (8, 1), (9, 1).
        var px = new byte[16 * 2 * 4];
        void Set(int x, int y, byte v) => px.AsSpan(((y * 16) + x) * 4, 3).Fill(v);
        Set(8, 0, 100);
        Set(9, 0, 100); // identical: +0.5
        Set(8, 1, 160); // contrast (|Δ| ≥ 60): +1
        Set(9, 1, 110); // small step: −0.25
        Graduality g = GradualityEstimator.Measure(new SpiceBitmap(px, 16, 2, 64, SpiceBitmapFormat.Rgb32));
        Assert.Equal(1, g.Samples);
        Assert.Equal((0.5 + 1 - 0.25) / 3, g.Score, 12);

        // x555: contrast is a step of 8 in 5-bit units.
        var px16 = new byte[16 * 2 * 2];
        BinaryPrimitives.WriteUInt16LittleEndian(px16.AsSpan((16 + 8) * 2), 8 << 10);
        BinaryPrimitives.WriteUInt16LittleEndian(px16.AsSpan((16 + 9) * 2), 1);
        Graduality g16 = GradualityEstimator.Measure(new SpiceBitmap(px16, 16, 2, 32, SpiceBitmapFormat.Rgb16));
        Assert.Equal((0.5 + 1 - 0.25) / 3, g16.Score, 12);
    }

    [Fact]
    public void Chooser_FollowsTheServerRules()
    {
        var chooser = new SpiceImageChooser();
        byte[] text = SpiceTestImages.Make("text", 64, 64, 2);
        var textBitmap = new SpiceBitmap(text, 64, 64, 256, SpiceBitmapFormat.Rgb32);
        byte[] photo = PhotoTile(64, 64);
        var photoBitmap = new SpiceBitmap(photo, 64, 64, 256, SpiceBitmapFormat.Rgb32);

        // 3×4 32-bit pixels are 48 bytes < 54: raw whatever the mode.
        Assert.Equal(new SpiceImageChoice(SpiceImageType.Bitmap, SpiceImageType.Bitmap, SpiceChoiceReason.TooSmall, Graduality.NotMeasured), chooser.Choose(new SpiceBitmap(new byte[48], 3, 4, 12, SpiceBitmapFormat.Rgb32), s_autoGlz, true));
        Assert.Equal(SpiceChoiceReason.CompressionOff, chooser.Choose(textBitmap, s_autoGlz with { Compression = SpiceImageCompression.Off }, true).Reason);

        // Forced modes and their substitutes.
        Assert.Equal((SpiceImageType.Quic, SpiceChoiceReason.Forced), Plan(chooser.Choose(textBitmap, s_autoGlz with { Compression = SpiceImageCompression.Quic }, true)));
        Assert.Equal((SpiceImageType.LzRgb, SpiceChoiceReason.ForcedFallback), Plan(chooser.Choose(new SpiceBitmap(new byte[2 * 50 * 4], 2, 50, 8, SpiceBitmapFormat.Rgb32), s_autoGlz with { Compression = SpiceImageCompression.Quic }, true)));
        Assert.Equal((SpiceImageType.GlzRgb, SpiceChoiceReason.Forced), Plan(chooser.Choose(photoBitmap, s_autoGlz with { Compression = SpiceImageCompression.Glz }, true)));
        Assert.Equal((SpiceImageType.LzRgb, SpiceChoiceReason.ForcedFallback), Plan(chooser.Choose(photoBitmap, s_autoGlz with { Compression = SpiceImageCompression.Glz }, glzFits: false)));
        Assert.Equal((SpiceImageType.LzRgb, SpiceChoiceReason.ForcedFallback), Plan(chooser.Choose(photoBitmap, s_autoGlz with { Compression = SpiceImageCompression.Glz, GlzAvailable = false }, true)));
        Assert.Equal((SpiceImageType.Lz4, SpiceChoiceReason.Forced), Plan(chooser.Choose(photoBitmap, s_autoGlz with { Compression = SpiceImageCompression.Lz4, Lz4Supported = true }, true)));
        Assert.Equal((SpiceImageType.LzRgb, SpiceChoiceReason.ForcedFallback), Plan(chooser.Choose(photoBitmap, s_autoGlz with { Compression = SpiceImageCompression.Lz4 }, true)));
        Assert.Equal((SpiceImageType.LzRgb, SpiceChoiceReason.Forced), Plan(chooser.Choose(photoBitmap, s_autoGlz with { Compression = SpiceImageCompression.Lz }, true)));

        // Automatic: synthetic content to the dictionary codec, photographic to QUIC, JPEG only when lossy applies.
        Assert.Equal((SpiceImageType.GlzRgb, SpiceChoiceReason.Synthetic), Plan(chooser.Choose(textBitmap, s_autoGlz, true)));
        Assert.Equal((SpiceImageType.GlzRgb, SpiceChoiceReason.Synthetic), Plan(chooser.Choose(textBitmap, default(SpiceImageRequest) with { GlzAvailable = true }, true)));
        Assert.Equal((SpiceImageType.LzRgb, SpiceChoiceReason.Synthetic), Plan(chooser.Choose(textBitmap, s_autoGlz with { Compression = SpiceImageCompression.AutoLz }, true)));
        Assert.Equal((SpiceImageType.LzRgb, SpiceChoiceReason.Synthetic), Plan(chooser.Choose(textBitmap, s_autoGlz, glzFits: false)));
        Assert.Equal((SpiceImageType.LzRgb, SpiceChoiceReason.QuicImpossible), Plan(chooser.Choose(new SpiceBitmap(new byte[2 * 50 * 4], 2, 50, 8, SpiceBitmapFormat.Rgb32), s_autoGlz with { GlzAvailable = false }, true)));
        SpiceImageChoice photoChoice = chooser.Choose(photoBitmap, s_autoGlz, true);
        Assert.Equal((SpiceImageType.Quic, SpiceChoiceReason.Photographic), Plan(photoChoice));
        Assert.Equal(GradualityLevel.High, photoChoice.Graduality.Level);
        Assert.Equal(SpiceImageType.Quic, chooser.Choose(photoBitmap, s_autoGlz with { LossyAllowed = true }, true).Primary);
        Assert.Equal(SpiceImageType.Quic, chooser.Choose(photoBitmap, s_autoGlz with { LinkIsSlow = true }, true).Primary);
        Assert.Equal(SpiceImageType.Jpeg, chooser.Choose(photoBitmap, s_autoGlz with { LossyAllowed = true, LinkIsSlow = true }, true).Primary);
        Assert.Equal(SpiceImageType.JpegAlpha, chooser.Choose(new SpiceBitmap(photo, 64, 64, 256, SpiceBitmapFormat.Rgba), s_autoGlz with { LossyAllowed = true, LinkIsSlow = true }, true).Primary);
        Assert.Equal(SpiceImageType.Jpeg, new SpiceImageChooser { Jpeg = SpiceWanOption.Always }.Choose(photoBitmap, s_autoGlz with { LossyAllowed = true }, true).Primary);
        Assert.Equal(SpiceImageType.Quic, new SpiceImageChooser { Jpeg = SpiceWanOption.Never }.Choose(photoBitmap, s_autoGlz with { LossyAllowed = true, LinkIsSlow = true }, true).Primary);

        // The band between the thresholds is a trial of the dictionary codec against QUIC.
        var everythingAmbiguous = new SpiceImageChooser { PhotographicBelow = -10, SyntheticFrom = 10 };
        SpiceImageChoice trial = everythingAmbiguous.Choose(textBitmap, s_autoGlz, true);
        Assert.True(trial.IsTrial);
        Assert.Equal((SpiceImageType.GlzRgb, SpiceImageType.Quic, SpiceChoiceReason.SmallerInTrial), (trial.Primary, trial.Alternative, trial.Reason));
    }

    [Fact]
    public void Compressor_CorpusFrames_PhotoToQuicTextToGlz_AndEveryPayloadDecodes()
    {
        using var compressor = new SpiceImageCompressor(new GlzEncoderWindow(1 << 22));
        var decoderWindow = new GlzDecoderWindow();
        var seen = new Dictionary<string, SpiceImageType>();
        foreach ((string name, byte[] frame, int width, int _) in SpiceTestImages.CorpusFrames)
        {
            (int x, int y) = name == "photo-viewer" ? (700, 300) : (100, 100);
            byte[] tile = SpiceTestImages.Crop(frame, width, x, y, 256, 128);
            SpiceImageDecision d = CompressAndCheck(compressor, decoderWindow, tile, 256, 128, SpiceBitmapFormat.Rgb32, topDown: true, s_autoGlz);
            seen[name] = d.Type;
        }

        Assert.Equal(SpiceImageType.Quic, seen["photo-viewer"]);
        Assert.Equal(SpiceImageType.GlzRgb, seen["terminal-scroll"]);
        Assert.Equal(SpiceImageType.GlzRgb, seen["browser-scroll"]);
    }

    [Theory]
    [InlineData(SpiceBitmapFormat.Rgb32, true)]
    [InlineData(SpiceBitmapFormat.Rgb32, false)]
    [InlineData(SpiceBitmapFormat.Rgba, false)]
    [InlineData(SpiceBitmapFormat.Rgb24, true)]
    [InlineData(SpiceBitmapFormat.Rgb16, false)]
    public void Compressor_EveryModeRoundTrips_InBothRowOrders(SpiceBitmapFormat format, bool topDown)
    {
        using var compressor = new SpiceImageCompressor(new GlzEncoderWindow(1 << 20));
        var decoderWindow = new GlzDecoderWindow();
        var types = new HashSet<SpiceImageType>();
        foreach (SpiceImageCompression mode in Enum.GetValues<SpiceImageCompression>())
        {
            foreach (string kind in new[] { "text", "gradient", "mixed" })
            {
                byte[] image = kind == "gradient" ? PhotoTile(97, 41) : SpiceTestImages.Make(kind, 97, 41, (int)mode, alpha: true);
                var request = s_autoGlz with { Compression = mode, Lz4Supported = true };
                types.Add(CompressAndCheck(compressor, decoderWindow, image, 97, 41, format, topDown, request).Type);
            }
        }

        Assert.Contains(SpiceImageType.Quic, types);
        Assert.Contains(SpiceImageType.LzRgb, types);
        Assert.Contains(SpiceImageType.Lz4, types);
        Assert.Contains(SpiceImageType.Bitmap, types); // mode Off
        Assert.Contains(SpiceImageType.GlzRgb, types);
    }

    [Fact]
    public void Compressor_LossyOnSlowLink_JpegAndJpegAlpha_ZlibGlzForText()
    {
        using var compressor = new SpiceImageCompressor(new GlzEncoderWindow(1 << 20));
        var decoderWindow = new GlzDecoderWindow();
        var slow = s_autoGlz with { LossyAllowed = true, LinkIsSlow = true };
        byte[] photo = PhotoTile(128, 96);
        Assert.Equal(SpiceImageType.Jpeg, CompressAndCheck(compressor, decoderWindow, photo, 128, 96, SpiceBitmapFormat.Rgb32, true, slow).Type);
        Assert.Equal(SpiceImageType.JpegAlpha, CompressAndCheck(compressor, decoderWindow, photo, 128, 96, SpiceBitmapFormat.Rgba, false, slow).Type);
        byte[] text = SpiceTestImages.Make("text", 300, 200, 5);
        SpiceImageDecision zlib = CompressAndCheck(compressor, decoderWindow, text, 300, 200, SpiceBitmapFormat.Rgb32, true, slow);
        Assert.Equal(SpiceImageType.ZlibGlzRgb, zlib.Type);
        Assert.True(zlib.GlzLength > zlib.DataLength);

        // The same on a fast link: lossless, no zlib.
        Assert.Equal(SpiceImageType.Quic, CompressAndCheck(compressor, decoderWindow, photo, 128, 96, SpiceBitmapFormat.Rgb32, true, s_autoGlz with { LossyAllowed = true }).Type);
        Assert.Equal(SpiceImageType.GlzRgb, CompressAndCheck(compressor, decoderWindow, text, 300, 200, SpiceBitmapFormat.Rgb32, true, s_autoGlz).Type);
    }

    [Fact]
    public void Compressor_IncompressibleImage_GoesRaw()
    {
        using var compressor = new SpiceImageCompressor(null);
        var rng = new Random(7);
        var noise = new byte[50 * 40 * 3];
        rng.NextBytes(noise);
        var dst = new byte[SpiceImageCompressor.GetMaxEncodedLength(new SpiceBitmap(noise, 50, 40, 150, SpiceBitmapFormat.Rgb24))];
        SpiceImageDecision d = compressor.Compress(new SpiceBitmap(noise, 50, 40, 150, SpiceBitmapFormat.Rgb24), s_autoGlz with { Compression = SpiceImageCompression.Lz }, dst);
        Assert.Equal((SpiceImageType.Bitmap, SpiceChoiceReason.NotSmallerThanRaw, 0), (d.Type, d.Reason, d.DataLength));
        Assert.Equal(1, compressor.Stats.NotSmallerThanRaw);
        Assert.Equal(0, d.PayloadPrefixLength);
    }

    [Fact]
    public void Compressor_TrialsNeverLeaveGapsInGlzIds_AndStatsAddUp()
    {
        // Every image in the band: QUIC wins on photos (their GLZ encode is dropped), GLZ on text.
        var chooser = new SpiceImageChooser { PhotographicBelow = -10, SyntheticFrom = 10 };
        using var compressor = new SpiceImageCompressor(new GlzEncoderWindow(1 << 20), chooser);
        var decoderWindow = new GlzDecoderWindow(waitTimeout: TimeSpan.FromMilliseconds(100));
        var ids = new List<ulong>();
        long data = 0;
        for (int i = 0; i < 12; i++)
        {
            byte[] image = i % 3 == 0 ? PhotoTile(80, 60) : SpiceTestImages.Make("text", 80, 60, i % 2);
            SpiceImageDecision d = CompressAndCheck(compressor, decoderWindow, image, 80, 60, SpiceBitmapFormat.Rgb32, true, s_autoGlz);
            Assert.Equal(SpiceChoiceReason.SmallerInTrial, d.Reason);
            Assert.NotEqual(d.Type, d.Alternative);
            if (d.Type == SpiceImageType.GlzRgb)
            {
                ids.Add(d.GlzImageId);
            }

            data += d.DataLength;
        }

        Assert.Equal(Enumerable.Range(0, ids.Count).Select(i => (ulong)i), ids);
        SpiceImageStats stats = compressor.Stats;
        Assert.Equal(12, stats.Trials);
        Assert.Equal(4, stats.TrialsWonByAlternative);
        Assert.Equal(4, stats[SpiceImageType.Quic].Images);
        Assert.Equal(8, stats[SpiceImageType.GlzRgb].Images);
        Assert.Equal(data, stats.Snapshot().Sum(s => s.DataBytes));
        Assert.Equal(12 * 80 * 60 * 4, stats.Snapshot().Sum(s => s.RawBytes));
    }

    [Fact]
    public void Decision_PayloadPrefix_MatchesSpiceProto()
    {
        var prefix = new byte[16];
        var quic = new SpiceImageDecision(SpiceImageType.Quic, SpiceChoiceReason.Forced, Graduality.NotMeasured, 100, 0x1234, 0, 0, 0, true, SpiceImageType.Bitmap, 0);
        Assert.Equal(4, quic.WritePayloadPrefix(prefix));
        Assert.Equal([0x34, 0x12, 0, 0], prefix[..4]);
        var zlib = quic with { Type = SpiceImageType.ZlibGlzRgb, GlzLength = 0x500 };
        Assert.Equal(8, zlib.PayloadPrefixLength);
        Assert.Equal(8, zlib.WritePayloadPrefix(prefix));
        Assert.Equal([0, 5, 0, 0, 0x34, 0x12, 0, 0], prefix[..8]);
        var alpha = quic with { Type = SpiceImageType.JpegAlpha, JpegLength = 0x1000, TopDown = false };
        Assert.Equal(9, alpha.WritePayloadPrefix(prefix));
        Assert.Equal([0, 0, 0x10, 0, 0, 0x34, 0x12, 0, 0], prefix[..9]);
    }

    /// <summary>
    /// The target: on every corpus trace the automatic choice is at least as small as the better of QUIC
    /// alone and GLZ alone over the same changed rectangles (each mode with its own fresh dictionary).
    /// </summary>
    [Theory]
    [InlineData("terminal-scroll")]
    [InlineData("browser-scroll")]
    [InlineData("photo-viewer")]
    [InlineData("video-window")]
    [InlineData("window-drag")]
    [InlineData("gl-anim")]
    public void Corpus_AutoIsAtMostTheBetterOfQuicAndGlz(string trace)
    {
        long[] bytes = TraceBytes(trace, frames: 30, SpiceImageCompression.AutoGlz, SpiceImageCompression.Quic, SpiceImageCompression.Glz);
        Assert.True(bytes[1] > 0, $"{trace}: no changed rectangles in the frames replayed");
        Assert.True(bytes[0] <= Math.Min(bytes[1], bytes[2]), $"{trace}: auto {bytes[0]}, QUIC {bytes[1]}, GLZ {bytes[2]}");
    }

    /// <summary>Bytes of the changed rectangles of frames 1..<paramref name="frames"/> of a trace under each mode.</summary>
    internal static long[] TraceBytes(string trace, int frames, params SpiceImageCompression[] modes)
    {
        var compressors = modes.Select(_ => new SpiceImageCompressor(new GlzEncoderWindow(1 << 22))).ToArray();
        var bytes = new long[modes.Length];
        var dst = new byte[1920 * 1080 * 4];
        using FileStream stream = File.OpenRead(Path.Combine(SpiceTestImages.CorpusDirectory(), trace + ".fbt"));
        using var reader = new TraceReader(stream);
        for (int f = 0; f <= frames && reader.ReadFrame(); f++)
        {
            var fb = reader.Framebuffer;
            if (f == 0)
            {
                continue;
            }

            foreach (TraceRect rect in reader.Frame.Rects)
            {
                var bitmap = SpiceBitmap.FromView(fb.ReadOnlyView.Slice(rect.Area));
                for (int m = 0; m < modes.Length; m++)
                {
                    SpiceImageDecision d = compressors[m].Compress(bitmap, s_autoGlz with { Compression = modes[m] }, dst);
                    bytes[m] += d.Type == SpiceImageType.Bitmap ? d.RawLength : d.DataLength;
                }
            }
        }

        foreach (SpiceImageCompressor c in compressors)
        {
            c.Dispose();
        }

        return bytes;
    }

    private static (SpiceImageType, SpiceChoiceReason) Plan(SpiceImageChoice choice) => (choice.Primary, choice.Reason);

    /// <summary>A crop of the corpus photo frame (photographic content).</summary>
    private static byte[] PhotoTile(int w, int h)
    {
        (string _, byte[] frame, int width, int _) = SpiceTestImages.CorpusFrames.Single(f => f.Name == "photo-viewer");
        return SpiceTestImages.Crop(frame, width, 700, 300, w, h);
    }

    /// <summary>
    /// Compresses <paramref name="bgra"/> (top-down B,G,R,A) converted to <paramref name="format"/> in the given row
    /// order, decodes the payload with the type's decoder and checks it: exact for lossless types, PSNR for JPEG.
    /// </summary>
    private static SpiceImageDecision CompressAndCheck(SpiceImageCompressor compressor, GlzDecoderWindow glzWindow, byte[] bgra, int w, int h, SpiceBitmapFormat format, bool topDown, SpiceImageRequest request)
    {
        int bpp = Lz4ImageEncoder.BytesPerPixel(format);
        int stride = (w * bpp) + 4;
        var source = new byte[stride * h];
        var expected = new byte[w * h * 4]; // top-down B,G,R,A as the format can hold it
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                int s = ((y * w) + x) * 4;
                int d = ((topDown ? y : h - 1 - y) * stride) + (x * bpp);
                if (format == SpiceBitmapFormat.Rgb16)
                {
                    int v = (bgra[s] >> 3) | ((bgra[s + 1] >> 3) << 5) | ((bgra[s + 2] >> 3) << 10);
                    BinaryPrimitives.WriteUInt16LittleEndian(source.AsSpan(d), (ushort)v);
                    expected[s] = (byte)(v & 31);
                    expected[s + 1] = (byte)((v >> 5) & 31);
                    expected[s + 2] = (byte)(v >> 10);
                }
                else
                {
                    bgra.AsSpan(s, bpp).CopyTo(source.AsSpan(d));
                    bgra.AsSpan(s, 3).CopyTo(expected.AsSpan(s));
                    expected[s + 3] = format == SpiceBitmapFormat.Rgba ? bgra[s + 3] : (byte)0;
                }
            }
        }

        var bitmap = new SpiceBitmap(source, w, h, stride, format, topDown);
        var data = new byte[SpiceImageCompressor.GetMaxEncodedLength(bitmap)];
        SpiceImageDecision decision = compressor.Compress(bitmap, request, data);
        Assert.True(decision.Type == SpiceImageType.Bitmap || decision.DataLength < decision.RawLength);
        ReadOnlySpan<byte> payload = data.AsSpan(0, decision.DataLength);
        var decoded = new byte[w * h * 4];
        bool lossy = false;
        switch (decision.Type)
        {
            case SpiceImageType.Bitmap:
                return decision;
            case SpiceImageType.Quic:
                var quicOut = new byte[w * h * bpp];
                QuicHeader qh = new QuicDecoder().Decode(payload, quicOut, w * bpp);
                Assert.Equal((w, h), (qh.Width, qh.Height));
                decoded = Widen(quicOut, w, h, bpp, topDown: true);
                break;
            case SpiceImageType.LzRgb:
                var lzOut = new byte[w * h * 4];
                LzHeader lh = LzDecoder.Decode(payload, lzOut);
                Assert.Equal(topDown, lh.TopDown);
                decoded = Widen(lzOut, w, h, bpp, topDown);
                break;
            case SpiceImageType.GlzRgb or SpiceImageType.ZlibGlzRgb:
                byte[] glz = payload.ToArray();
                if (decision.Type == SpiceImageType.ZlibGlzRgb)
                {
                    glz = new byte[decision.GlzLength];
                    GlzZlib.Decompress(payload, decision.GlzLength, glz);
                }

                GlzImage image = GlzDecoder.Decode(glz, glzWindow);
                Assert.Equal((decision.GlzImageId, topDown), (image.Header.ImageId, image.Header.TopDown));
                decoded = Widen(image.Pixels.ToArray(), w, h, 4, topDown);
                if (format == SpiceBitmapFormat.Rgb16)
                {
                    // The client keeps GLZ images as 32-bit pixels, x555 expanded (v << 3) | (v >> 2).
                    for (int i = 0; i < decoded.Length; i++)
                    {
                        decoded[i] >>= 3;
                    }
                }

                break;
            case SpiceImageType.Lz4:
                using (var lz4 = new Lz4ImageDecoder())
                {
                    var lz4Out = new byte[w * h * bpp];
                    Assert.Equal((format, topDown), lz4.Decode(payload, w, h, lz4Out));
                    decoded = Widen(lz4Out, w, h, bpp, topDown);
                }

                break;
            case SpiceImageType.Jpeg or SpiceImageType.JpegAlpha:
                using (var jpeg = new SpiceJpegDecoder())
                {
                    if (decision.Type == SpiceImageType.Jpeg)
                    {
                        jpeg.Decode(payload, w, h, decoded, w * 4);
                    }
                    else
                    {
                        var header = new byte[SpiceJpegAlphaHeader.Length];
                        decision.WritePayloadPrefix(header);
                        jpeg.DecodeWithAlpha(SpiceJpegAlphaHeader.Read(header), payload, w, h, decoded, w * 4);
                    }
                }

                lossy = true;
                break;
        }

        if (lossy)
        {
            double sum = 0;
            for (int i = 0; i < expected.Length; i++)
            {
                if (i % 4 == 3)
                {
                    Assert.True(format != SpiceBitmapFormat.Rgba || expected[i] == decoded[i], "JPEG_ALPHA alpha must be exact");
                }
                else
                {
                    double e = expected[i] - decoded[i];
                    sum += e * e;
                }
            }

            double psnr = 10 * Math.Log10(255.0 * 255.0 / Math.Max(sum / (expected.Length * 3 / 4), 1e-9));
            Assert.True(psnr >= 28, $"JPEG PSNR {psnr:F1} dB");
        }
        else
        {
            for (int i = 0; i < expected.Length; i++)
            {
                if (i % 4 != 3 || format == SpiceBitmapFormat.Rgba)
                {
                    Assert.True(expected[i] == decoded[i], $"{decision.Type} byte {i}: expected {expected[i]}, got {decoded[i]}");
                }
            }
        }

        return decision;
    }

    /// <summary>
    /// Tight decoded rows of <paramref name="bpp"/> bytes (in memory order unless <paramref name="topDown"/>) to
    /// top-down 4-byte pixels; x555 pixels become their 5-bit channels, as the expected image holds them.
    /// </summary>
    private static byte[] Widen(byte[] rows, int w, int h, int bpp, bool topDown)
    {
        var result = new byte[w * h * 4];
        for (int y = 0; y < h; y++)
        {
            int srcRow = topDown ? y : h - 1 - y;
            for (int x = 0; x < w; x++)
            {
                int s = ((srcRow * w) + x) * bpp;
                int d = ((y * w) + x) * 4;
                if (bpp == 2)
                {
                    int v = rows[s] | (rows[s + 1] << 8);
                    result[d] = (byte)(v & 31);
                    result[d + 1] = (byte)((v >> 5) & 31);
                    result[d + 2] = (byte)((v >> 10) & 31);
                }
                else
                {
                    rows.AsSpan(s, Math.Min(bpp, 4)).CopyTo(result.AsSpan(d));
                }
            }
        }

        return result;
    }
}
