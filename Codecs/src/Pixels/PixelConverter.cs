using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Codecs.Pixels;

/// <summary>
/// Converts pixels between the canonical <see cref="PixelFormat.Bgrx32"/> layout and one RFB client pixel format:
/// canonical views to tightly packed client pixels (what encoders send) and packed client pixels back to canonical
/// views (what decoders produce).
/// </summary>
/// <remarks>
/// <para>
/// Build one converter per client format, once per connection and again on each SetPixelFormat, with
/// <see cref="Create"/>, and use it for every rectangle. It holds the lookup tables and shuffle controls of its format,
/// is immutable, and may be used from several threads at once.
/// </para>
/// <para>
/// <b>Channel scaling.</b> An 8-bit canonical channel value <c>c</c> becomes an n-bit channel with
/// <c>max = 2^n - 1</c> by rounding to nearest, exactly as TigerVNC's <c>downconvTable</c>
/// (common/rfb/PixelFormat.cxx) does: <c>(c * max + 128) / 255</c>, not by truncating <c>c >> (8 - n)</c>, which is
/// biased towards dark. An n-bit value becomes 8 bits by bit replication: the n bits are repeated from the
/// top down and cut to 8 (5-bit <c>10011</c> becomes <c>10011100</c>; 3-bit <c>010</c> becomes <c>01001001</c>),
/// which spreads 0..max over 0..255 with both ends exact and every value within 1 of <c>v * 255 / max</c> (it equals
/// TigerVNC's truncating <c>v * 255 / max</c> or is 1 above it). The pair is stable: every n-bit value
/// survives up-conversion then down-conversion, so client → canonical → client is the identity on every channel
/// value, and canonical → client → canonical → client repeats the first client pixels. 8-bit channels are copied.
/// </para>
/// <para>
/// <b>Unused bits.</b> Bits of a client pixel that belong to no channel are written as 0 and ignored on input; the
/// canonical X byte is ignored on input and written as 0.
/// </para>
/// <para>
/// <b>Colour maps.</b> A client that asks for a colour-mapped format (<c>trueColour = 0</c>) gets TigerVNC's
/// treatment: its pixels are produced as BGR233 true colour (red max 7 at shift 0, green max 7 at shift 3, blue max 3
/// at shift 6) in its bits per pixel and byte order, and the server sends once the 256-entry colour map that makes
/// those values mean those colours (<see cref="GetColourMap"/>).
/// </para>
/// <para>
/// <b>Buffers.</b> Source and destination must not overlap. Nothing outside the destination pixels is written: not
/// the bytes after a packed destination, not the padding between the rows of a destination view.
/// </para>
/// <para>
/// <b>Speed.</b> 32 bpp formats whose channels are whole bytes use one byte shuffle per vector; every other format
/// uses a packing kernel (<see cref="Kernel"/>). Each row runs in 512-, 256- and 128-bit vectors as far as the
/// hardware allows (<see cref="VectorBits"/>) and ends with a few pixels through lookup tables.
/// </para>
/// </remarks>
public sealed partial class PixelConverter
{
    /// <summary>Entries in the colour map of a colour-mapped client (<see cref="GetColourMap"/>).</summary>
    public const int ColourMapSize = 256;

    private const int CanonicalBytesPerPixel = 4;

    private readonly Channel _red;
    private readonly Channel _green;
    private readonly Channel _blue;
    private readonly int _bytesPerPixel;

    // Client pixels are in the opposite byte order to this machine's (16 and 32 bpp only).
    private readonly bool _swapBytes;

    // Canonical -> client: entry c of part k (k = 0 red, 1 green, 2 blue) is Down(c) << shift, already in the order
    // the pixel is stored in, so one OR of three entries is the stored pixel.
    private readonly uint[] _encodeTable;

    // Client -> canonical: entry i of part k is Up(i & max) at the channel's canonical bit position; it is indexed by
    // the byte (value >> shift), whose bits above the channel belong to other channels or to nothing.
    private readonly uint[] _decodeTable;

    // ByteShuffle only: the pshufb-style controls for one 16-byte lane (four pixels), 0x80 = write zero.
    private readonly Vector128<byte> _encodeControl;
    private readonly Vector128<byte> _decodeControl;

    private PixelConverter(PixelFormat format, PixelFormat layout)
    {
        Format = format;
        TrueColourFormat = layout;
        _bytesPerPixel = layout.BytesPerPixel;
        _red = new Channel(layout.RedMax, layout.RedShift);
        _green = new Channel(layout.GreenMax, layout.GreenShift);
        _blue = new Channel(layout.BlueMax, layout.BlueShift);
        _swapBytes = _bytesPerPixel > 1 && layout.BigEndian == BitConverter.IsLittleEndian;

        _encodeTable = new uint[3 * 256];
        _decodeTable = new uint[3 * 256];
        for (int i = 0; i < 256; i++)
        {
            _encodeTable[i] = ToStoredOrder((uint)_red.Down(i) << _red.Shift);
            _encodeTable[256 + i] = ToStoredOrder((uint)_green.Down(i) << _green.Shift);
            _encodeTable[512 + i] = ToStoredOrder((uint)_blue.Down(i) << _blue.Shift);
            _decodeTable[i] = (uint)_red.Up(i) << 16;
            _decodeTable[256 + i] = (uint)_green.Up(i) << 8;
            _decodeTable[512 + i] = (uint)_blue.Up(i);
        }

        if (_bytesPerPixel == 4 && _red.IsWholeByte && _green.IsWholeByte && _blue.IsWholeByte)
        {
            Kernel = PixelConversionKernel.ByteShuffle;
            (_encodeControl, _decodeControl) = BuildShuffleControls(layout);
        }
        else
        {
            Kernel = PixelConversionKernel.BitPack;
        }
    }

    /// <summary>The format as the client asked for it (possibly colour-mapped).</summary>
    public PixelFormat Format { get; }

    /// <summary>
    /// The true-colour layout the converted pixels are in: <see cref="Format"/> itself for true-colour clients, the
    /// BGR233 layout in the client's bits per pixel and byte order for colour-mapped ones.
    /// </summary>
    public PixelFormat TrueColourFormat { get; }

    /// <summary>True when the client asked for a colour map; it must be sent <see cref="GetColourMap"/> once.</summary>
    public bool IsColourMapped => !Format.TrueColour;

    /// <summary>Bytes per client pixel: 1, 2 or 4.</summary>
    public int BytesPerPixel => _bytesPerPixel;

    /// <summary>The vector algorithm this format uses.</summary>
    public PixelConversionKernel Kernel { get; }

    /// <summary>
    /// The widest vectors the conversion kernels use on this machine: 512, 256, 128, or 0 when they run as scalar
    /// code (no hardware acceleration, or a big-endian machine). Set by the runtime from the CPU and the
    /// <c>DOTNET_EnableAVX512</c>, <c>DOTNET_EnableAVX2</c> and <c>DOTNET_EnableHWIntrinsic</c> switches.
    /// </summary>
    public static int VectorBits =>
        !BitConverter.IsLittleEndian ? 0
        : Vector512.IsHardwareAccelerated ? 512
        : Vector256.IsHardwareAccelerated ? 256
        : Vector128.IsHardwareAccelerated ? 128
        : 0;

    /// <summary>
    /// Builds the converter for a client's PIXEL_FORMAT. A colour-mapped format is accepted and converted as BGR233
    /// (see the type remarks).
    /// </summary>
    /// <exception cref="CodecDataException">The format is not one a server can produce (see <see cref="PixelFormat.TryValidate"/>).</exception>
    public static PixelConverter Create(PixelFormat format)
    {
        format.Validate();
        PixelFormat layout = format.TrueColour
            ? format
            : format with { TrueColour = true, RedMax = 7, GreenMax = 7, BlueMax = 3, RedShift = 0, GreenShift = 3, BlueShift = 6 };
        return new PixelConverter(format, layout);
    }

    /// <summary>Bytes of <paramref name="width"/> × <paramref name="height"/> tightly packed client pixels.</summary>
    public int GetPackedLength(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        ArgumentOutOfRangeException.ThrowIfNegative(height);
        return checked(width * height * _bytesPerPixel);
    }

    /// <summary>
    /// Converts a canonical view into tightly packed client pixels (rows follow each other with no padding).
    /// </summary>
    /// <param name="source">Pixels in <see cref="PixelFormat.Bgrx32"/>; any stride.</param>
    /// <param name="destination">At least <see cref="GetPackedLength"/> bytes; nothing after them is written.</param>
    /// <returns>The number of bytes written.</returns>
    public int FromCanonical(ReadOnlyImageView source, Span<byte> destination)
    {
        if (!source.Format.IsCanonical)
        {
            ThrowNotCanonical(nameof(source), source.Format);
        }

        int width = source.Width;
        int height = source.Height;
        int written = GetPackedLength(width, height);
        if (destination.Length < written)
        {
            ThrowTooShort(nameof(destination), written, destination.Length);
        }

        if (written == 0)
        {
            return 0;
        }

        ref byte sourceStart = ref source.GetReference();
        ref byte destinationStart = ref MemoryMarshal.GetReference(destination);
        if (source.IsContiguous)
        {
            FromCanonicalPixels(ref sourceStart, ref destinationStart, (nuint)width * (nuint)height);
            return written;
        }

        nuint rowBytes = (nuint)width * (nuint)_bytesPerPixel;
        for (int y = 0; y < height; y++)
        {
            FromCanonicalPixels(
                ref Unsafe.Add(ref sourceStart, (nint)y * source.Stride),
                ref Unsafe.Add(ref destinationStart, (nuint)y * rowBytes),
                (nuint)width);
        }

        return written;
    }

    /// <summary>Converts a run of canonical pixels (<c>source.Length / 4</c> of them) into packed client pixels.</summary>
    /// <returns>The number of bytes written: <c>source.Length / 4 * BytesPerPixel</c>.</returns>
    public int FromCanonical(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (source.Length % CanonicalBytesPerPixel != 0)
        {
            throw new ArgumentException($"A run of canonical pixels is a multiple of 4 bytes, not {source.Length}.", nameof(source));
        }

        int pixels = source.Length / CanonicalBytesPerPixel;
        int written = pixels * _bytesPerPixel;
        if (destination.Length < written)
        {
            ThrowTooShort(nameof(destination), written, destination.Length);
        }

        if (pixels != 0)
        {
            FromCanonicalPixels(ref MemoryMarshal.GetReference(source), ref MemoryMarshal.GetReference(destination), (nuint)pixels);
        }

        return written;
    }

    /// <summary>
    /// Converts tightly packed client pixels into a canonical view; the bytes between the view's rows are not written.
    /// </summary>
    /// <param name="source">At least <see cref="GetPackedLength"/> bytes of client pixels; extra bytes are ignored.</param>
    /// <param name="destination">A <see cref="PixelFormat.Bgrx32"/> view; any stride.</param>
    /// <returns>The number of source bytes consumed.</returns>
    public int ToCanonical(ReadOnlySpan<byte> source, ImageView destination)
    {
        if (!destination.Format.IsCanonical)
        {
            ThrowNotCanonical(nameof(destination), destination.Format);
        }

        int width = destination.Width;
        int height = destination.Height;
        int consumed = GetPackedLength(width, height);
        if (source.Length < consumed)
        {
            ThrowTooShort(nameof(source), consumed, source.Length);
        }

        if (consumed == 0)
        {
            return 0;
        }

        ref byte sourceStart = ref MemoryMarshal.GetReference(source);
        ref byte destinationStart = ref MemoryMarshal.GetReference(destination.Data);
        if (destination.AsReadOnly().IsContiguous)
        {
            ToCanonicalPixels(ref sourceStart, ref destinationStart, (nuint)width * (nuint)height);
            return consumed;
        }

        nuint rowBytes = (nuint)width * (nuint)_bytesPerPixel;
        for (int y = 0; y < height; y++)
        {
            ToCanonicalPixels(
                ref Unsafe.Add(ref sourceStart, (nuint)y * rowBytes),
                ref Unsafe.Add(ref destinationStart, (nint)y * destination.Stride),
                (nuint)width);
        }

        return consumed;
    }

    /// <summary>Converts a run of packed client pixels (<c>source.Length / BytesPerPixel</c> of them) into canonical pixels.</summary>
    /// <returns>The number of bytes written: 4 per pixel.</returns>
    public int ToCanonical(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (source.Length % _bytesPerPixel != 0)
        {
            throw new ArgumentException($"A run of {_bytesPerPixel}-byte pixels cannot be {source.Length} bytes long.", nameof(source));
        }

        int pixels = source.Length / _bytesPerPixel;
        int written = pixels * CanonicalBytesPerPixel;
        if (destination.Length < written)
        {
            ThrowTooShort(nameof(destination), written, destination.Length);
        }

        if (pixels != 0)
        {
            ToCanonicalPixels(ref MemoryMarshal.GetReference(source), ref MemoryMarshal.GetReference(destination), (nuint)pixels);
        }

        return written;
    }

    /// <summary>The client pixel value (as RFB defines it, before byte order) of an 8-bit-per-channel colour.</summary>
    public uint ToPixelValue(byte red, byte green, byte blue) =>
        ((uint)_red.Down(red) << _red.Shift) | ((uint)_green.Down(green) << _green.Shift) | ((uint)_blue.Down(blue) << _blue.Shift);

    /// <summary>The client pixel value of a canonical pixel read as a little-endian <see cref="uint"/> (<c>0xXXRRGGBB</c>).</summary>
    public uint ToPixelValue(uint canonical) =>
        ToPixelValue((byte)(canonical >> 16), (byte)(canonical >> 8), (byte)canonical);

    /// <summary>The 8-bit channels of a client pixel value; bits outside the channels are ignored.</summary>
    public void FromPixelValue(uint pixelValue, out byte red, out byte green, out byte blue)
    {
        red = (byte)_red.Up((int)(pixelValue >> _red.Shift));
        green = (byte)_green.Up((int)(pixelValue >> _green.Shift));
        blue = (byte)_blue.Up((int)(pixelValue >> _blue.Shift));
    }

    /// <summary>The canonical pixel (<c>0x00RRGGBB</c>, X zero) of a client pixel value.</summary>
    public uint ToCanonical(uint pixelValue)
    {
        FromPixelValue(pixelValue, out byte red, out byte green, out byte blue);
        return ((uint)red << 16) | ((uint)green << 8) | blue;
    }

    /// <summary>Stores a pixel value in <see cref="BytesPerPixel"/> bytes, in the client's byte order.</summary>
    public void WritePixelValue(uint pixelValue, Span<byte> destination)
    {
        bool bigEndian = TrueColourFormat.BigEndian;
        switch (_bytesPerPixel)
        {
            case 1:
                destination[0] = (byte)pixelValue;
                break;
            case 2 when bigEndian:
                BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)pixelValue);
                break;
            case 2:
                BinaryPrimitives.WriteUInt16LittleEndian(destination, (ushort)pixelValue);
                break;
            case 4 when bigEndian:
                BinaryPrimitives.WriteUInt32BigEndian(destination, pixelValue);
                break;
            default:
                BinaryPrimitives.WriteUInt32LittleEndian(destination, pixelValue);
                break;
        }
    }

    /// <summary>Reads a pixel value stored in <see cref="BytesPerPixel"/> bytes in the client's byte order.</summary>
    public uint ReadPixelValue(ReadOnlySpan<byte> source)
    {
        bool bigEndian = TrueColourFormat.BigEndian;
        return _bytesPerPixel switch
        {
            1 => source[0],
            2 => bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(source) : BinaryPrimitives.ReadUInt16LittleEndian(source),
            _ => bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(source) : BinaryPrimitives.ReadUInt32LittleEndian(source),
        };
    }

    /// <summary>
    /// The colour map a colour-mapped client needs, as SetColourMapEntries carries it from first colour 0: for each
    /// pixel value 0..255, its red, green and blue as 16-bit intensities (the 8-bit colour times 257).
    /// </summary>
    /// <param name="rgb">At least <c>3 * ColourMapSize</c> values, filled red, green, blue, red, ...</param>
    /// <exception cref="InvalidOperationException">The client asked for true colour.</exception>
    public void GetColourMap(Span<ushort> rgb)
    {
        if (!IsColourMapped)
        {
            throw new InvalidOperationException($"{Format} is true colour; only colour-mapped clients get a colour map.");
        }

        if (rgb.Length < 3 * ColourMapSize)
        {
            ThrowTooShort(nameof(rgb), 3 * ColourMapSize, rgb.Length);
        }

        for (uint i = 0; i < ColourMapSize; i++)
        {
            FromPixelValue(i, out byte red, out byte green, out byte blue);
            rgb[(int)(3 * i)] = (ushort)(red * 257);
            rgb[(int)(3 * i + 1)] = (ushort)(green * 257);
            rgb[(int)(3 * i + 2)] = (ushort)(blue * 257);
        }
    }

    public override string ToString() => $"{Format} ({Kernel}, {VectorBits}-bit vectors)";

    private void FromCanonicalPixels(ref byte source, ref byte destination, nuint pixelCount)
    {
        nuint done = 0;
        if (VectorBits != 0)
        {
            done = Kernel == PixelConversionKernel.ByteShuffle
                ? ShuffleBytes(ref source, ref destination, pixelCount, _encodeControl)
                : PackFromCanonical(ref source, ref destination, pixelCount);
        }

        if (done < pixelCount)
        {
            FromCanonicalScalar(
                ref Unsafe.Add(ref source, done * CanonicalBytesPerPixel),
                ref Unsafe.Add(ref destination, done * (nuint)_bytesPerPixel),
                pixelCount - done);
        }
    }

    private void ToCanonicalPixels(ref byte source, ref byte destination, nuint pixelCount)
    {
        nuint done = 0;
        if (VectorBits != 0)
        {
            done = Kernel == PixelConversionKernel.ByteShuffle
                ? ShuffleBytes(ref source, ref destination, pixelCount, _decodeControl)
                : UnpackToCanonical(ref source, ref destination, pixelCount);
        }

        if (done < pixelCount)
        {
            ToCanonicalScalar(
                ref Unsafe.Add(ref source, done * (nuint)_bytesPerPixel),
                ref Unsafe.Add(ref destination, done * CanonicalBytesPerPixel),
                pixelCount - done);
        }
    }

    private uint ToStoredOrder(uint value) => !_swapBytes ? value
        : _bytesPerPixel == 2 ? BinaryPrimitives.ReverseEndianness((ushort)value)
        : BinaryPrimitives.ReverseEndianness(value);

    private static (Vector128<byte> Encode, Vector128<byte> Decode) BuildShuffleControls(PixelFormat layout)
    {
        // Byte position, inside one stored 4-byte client pixel, of the channel at this shift.
        int ClientByte(int shift) => layout.BigEndian ? 3 - shift / 8 : shift / 8;

        Span<byte> encode = stackalloc byte[16];
        Span<byte> decode = stackalloc byte[16];
        encode.Fill(0x80);
        decode.Fill(0x80);
        ReadOnlySpan<(int CanonicalByte, int Shift)> channels =
        [
            (2, layout.RedShift),
            (1, layout.GreenShift),
            (0, layout.BlueShift),
        ];
        for (int pixel = 0; pixel < 16; pixel += 4)
        {
            foreach ((int canonicalByte, int shift) in channels)
            {
                int clientByte = ClientByte(shift);
                encode[pixel + clientByte] = (byte)(pixel + canonicalByte);
                decode[pixel + canonicalByte] = (byte)(pixel + clientByte);
            }
        }

        return (Vector128.Create((ReadOnlySpan<byte>)encode), Vector128.Create((ReadOnlySpan<byte>)decode));
    }

    [DoesNotReturn]
    private static void ThrowNotCanonical(string parameter, PixelFormat format) =>
        throw new ArgumentException($"The canonical side must be {PixelFormat.Bgrx32}, not {format}.", parameter);

    [DoesNotReturn]
    private static void ThrowTooShort(string parameter, int needed, int actual) =>
        throw new ArgumentException($"{needed} elements needed, {actual} given.", parameter);

    /// <summary>One channel of a true-colour layout: where it sits in the pixel value and how it scales to and from 8 bits.</summary>
    private readonly struct Channel
    {
        public Channel(int max, int shift)
        {
            Max = max;
            Shift = shift;
            Bits = BitOperations.PopCount((uint)max);

            // Bit replication as one multiply: copies of the n-bit value at bits 0, n, 2n... (n * copies >= 8 bits),
            // then the top 8 bits. The product is at most 127 * 129 = 16383, so it fits 16-bit vector lanes.
            int copies = (8 + Bits - 1) / Bits;
            int multiplier = 0;
            for (int k = 0; k < copies; k++)
            {
                multiplier |= 1 << (k * Bits);
            }

            ReplicateMultiplier = multiplier;
            ReplicateShift = copies * Bits - 8;
        }

        /// <summary>2^n − 1 for an n-bit channel.</summary>
        public int Max { get; }

        /// <summary>Bit position of the channel's least significant bit in the pixel value.</summary>
        public int Shift { get; }

        public int Bits { get; }

        public int ReplicateMultiplier { get; }

        public int ReplicateShift { get; }

        public bool IsWholeByte => Bits == 8 && Shift % 8 == 0;

        /// <summary>8-bit <paramref name="c"/> to this width, rounded to nearest (TigerVNC's downconvTable).</summary>
        public int Down(int c) => (c * Max + 128) / 255;

        /// <summary>This width to 8 bits by bit replication; bits of <paramref name="v"/> above the channel are ignored.</summary>
        public int Up(int v) => ((v & Max) * ReplicateMultiplier) >> ReplicateShift;
    }
}
