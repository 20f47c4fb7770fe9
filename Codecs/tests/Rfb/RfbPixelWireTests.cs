using Codecs.Pixels;
using Codecs.Rfb;
using Xunit;

namespace Codecs.Tests.Rfb;

/// <summary><see cref="RfbPixelWire.WriteMany"/> (vectorised for the 3-byte layouts) against one <see cref="RfbPixelWire.Write"/> per value.</summary>
public class RfbPixelWireTests
{
    /// <summary>One client format per wire layout: PIXEL 8/16/32 bpp both byte orders, CPIXEL low/high 3 bytes, TPIXEL RGB.</summary>
    public static TheoryData<string, int> Layouts()
    {
        var data = new TheoryData<string, int>();
        foreach (string wire in s_wires.Keys)
        {
            foreach (int length in (int[])[0, 1, 5, 6, 7, 8, 9, 15, 16, 17, 33, 64, 65, 255, 1000])
            {
                data.Add(wire, length);
            }
        }

        return data;
    }

    private static readonly Dictionary<string, (PixelFormat Format, Func<PixelConverter, RfbPixelWire> Wire, RfbPixelLayout Layout)> s_wires = new()
    {
        ["pixel8"] = (PixelFormat.Bgr233, RfbPixelWire.Pixel, RfbPixelLayout.Byte),
        ["pixel16le"] = (PixelFormat.Rgb565, RfbPixelWire.Pixel, RfbPixelLayout.UInt16LittleEndian),
        ["pixel16be"] = (new(16, 16, true, true, 31, 63, 31, 11, 5, 0), RfbPixelWire.Pixel, RfbPixelLayout.UInt16BigEndian),
        ["pixel32le"] = (PixelFormat.Rgbx32, RfbPixelWire.Pixel, RfbPixelLayout.UInt32LittleEndian),
        ["pixel32be"] = (new(32, 24, true, true, 255, 255, 255, 16, 8, 0), RfbPixelWire.Pixel, RfbPixelLayout.UInt32BigEndian),
        ["cpixelLow3le"] = (PixelFormat.Rgbx32, RfbPixelWire.CPixel, RfbPixelLayout.Low3LittleEndian),
        ["cpixelLow3be"] = (new(32, 24, true, true, 255, 255, 255, 16, 8, 0), RfbPixelWire.CPixel, RfbPixelLayout.Low3BigEndian),
        ["cpixelHigh3le"] = (new(32, 24, false, true, 255, 255, 255, 24, 16, 8), RfbPixelWire.CPixel, RfbPixelLayout.High3LittleEndian),
        ["cpixelHigh3be"] = (new(32, 24, true, true, 255, 255, 255, 24, 16, 8), RfbPixelWire.CPixel, RfbPixelLayout.High3BigEndian),
        ["tpixelRgbx"] = (PixelFormat.Rgbx32, RfbPixelWire.TPixel, RfbPixelLayout.Rgb888),
        ["tpixelBgrx"] = (PixelFormat.Bgrx32, RfbPixelWire.TPixel, RfbPixelLayout.Rgb888),
        ["tpixelXrgb"] = (new(32, 24, false, true, 255, 255, 255, 24, 16, 8), RfbPixelWire.TPixel, RfbPixelLayout.Rgb888),
    };

    [Theory]
    [MemberData(nameof(Layouts))]
    public void WriteMany_MatchesWritePerValue(string wireName, int length)
    {
        (PixelFormat format, Func<PixelConverter, RfbPixelWire> create, RfbPixelLayout layout) = s_wires[wireName];
        RfbPixelWire wire = create(PixelConverter.Create(format));
        Assert.Equal(layout, wire.Layout);
        var random = new Random(length * 31 + wireName.Length);
        uint[] values = new uint[length];
        for (int i = 0; i < length; i++)
        {
            // Every bit random: bytes a layout does not send must not leak into the output.
            values[i] = (uint)random.NextInt64(0, 1L << 32);
        }

        byte[] expected = new byte[length * wire.Size + 8];
        for (int i = 0; i < length; i++)
        {
            wire.Write(values[i], expected.AsSpan(i * wire.Size));
        }

        // Poisoned output with spare room: WriteMany must write exactly its bytes and nothing past them.
        byte[] actual = new byte[expected.Length];
        actual.AsSpan().Fill(0xA5);
        expected.AsSpan(length * wire.Size).Fill(0xA5);
        Assert.Equal(length * wire.Size, wire.WriteMany(values, actual));
        Assert.Equal(expected, actual);
    }
}
