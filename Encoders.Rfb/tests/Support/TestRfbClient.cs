using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Security.Cryptography;
using System.Text;
using Codecs.Pixels;
using Codecs.Rfb;
using Codecs.Rfb.Decoders;
using Xunit;

namespace Encoders.Rfb.Tests.Support;

/// <summary>
/// A minimal RFB client for in-memory tests: negotiates any version and security type, keeps a picture in its pixel
/// format decoded with the independent <see cref="RfbDecoder"/>, and records what the server sent.
/// </summary>
internal sealed class TestRfbClient : IAsyncDisposable
{
    private PipeReader _input;
    private PipeWriter _output;
    private RfbDecoder? _decoder;

    public TestRfbClient(IDuplexPipe pipe)
    {
        _input = pipe.Input;
        _output = pipe.Output;
    }

    public static TimeSpan ReadTimeout { get; } = TimeSpan.FromSeconds(60);

    public int Width { get; private set; }
    public int Height { get; private set; }
    public PixelFormat Format { get; private set; }
    public string DesktopName { get; private set; } = "";
    public byte[] Picture { get; private set; } = [];
    public PixelFormat ServerFormat { get; private set; }

    /// <summary>Encodings of the rectangles received (pseudo-rectangles included), in order.</summary>
    public List<int> RectangleEncodings { get; } = [];
    public int Updates { get; private set; }
    public int ColourMaps { get; private set; }
    public int EndOfContinuousUpdates { get; private set; }
    public List<(uint Flags, byte[] Payload)> Fences { get; } = [];
    public List<(int Reason, int Status, int Width, int Height)> DesktopSizes { get; } = [];
    public int CursorShapes { get; private set; }

    /// <summary>Negotiates <paramref name="version"/> and <paramref name="securityType"/>; throws <see cref="AuthenticationFailedException"/> when the server refuses.</summary>
    public async Task HandshakeAsync(string version = "RFB 003.008\n", byte securityType = 1, string? password = null, CancellationToken cancellationToken = default)
    {
        byte[] serverVersion = await ReadAsync(12, cancellationToken);
        Assert.Equal("RFB 003.008\n", Encoding.ASCII.GetString(serverVersion));
        await WriteAsync(Encoding.ASCII.GetBytes(version), cancellationToken);
        // The version both sides then speak: 3.3 for 3.3-3.6 and Apple's 3.889, 3.8 for 3.8 and later.
        int major = int.Parse(version.AsSpan(4, 3), System.Globalization.CultureInfo.InvariantCulture);
        int minor = int.Parse(version.AsSpan(8, 3), System.Globalization.CultureInfo.InvariantCulture);
        bool v33 = major == 3 && (minor < 7 || minor == 889);
        bool v38 = major > 3 || (minor >= 8 && minor != 889);
        byte chosen;
        if (v33)
        {
            chosen = (byte)BinaryPrimitives.ReadUInt32BigEndian(await ReadAsync(4, cancellationToken));
            Assert.Equal(securityType, chosen);
        }
        else
        {
            byte count = (await ReadAsync(1, cancellationToken))[0];
            await ReadAsync(count, cancellationToken);
            chosen = securityType;
            await WriteAsync([chosen], cancellationToken);
        }

        if (chosen == 19)
        {
            await VeNCryptAsync(password, cancellationToken);
        }

        if (chosen == 2)
        {
            byte[] challenge = await ReadAsync(16, cancellationToken);
            await WriteAsync(DesResponse(password ?? "", challenge), cancellationToken);
        }

        if (chosen != 1 || v38)
        {
            uint result = BinaryPrimitives.ReadUInt32BigEndian(await ReadAsync(4, cancellationToken));
            if (result != 0)
            {
                string reason = "";
                if (v38)
                {
                    int length = (int)BinaryPrimitives.ReadUInt32BigEndian(await ReadAsync(4, cancellationToken));
                    reason = Encoding.UTF8.GetString(await ReadAsync(length, cancellationToken));
                }

                throw new AuthenticationFailedException(reason);
            }
        }

        await WriteAsync([1], cancellationToken);
        byte[] init = await ReadAsync(24, cancellationToken);
        Width = BinaryPrimitives.ReadUInt16BigEndian(init);
        Height = BinaryPrimitives.ReadUInt16BigEndian(init.AsSpan(2));
        ServerFormat = PixelFormat.ReadWire(init.AsSpan(4, 16));
        int nameLength = (int)BinaryPrimitives.ReadUInt32BigEndian(init.AsSpan(20));
        DesktopName = Encoding.UTF8.GetString(await ReadAsync(nameLength, cancellationToken));
        UseFormat(ServerFormat);
    }

    /// <summary>The TLS version VeNCrypt negotiated (None before, or without VeNCrypt).</summary>
    public System.Security.Authentication.SslProtocols TlsProtocol { get; private set; }

    /// <summary>VeNCrypt 0.2: takes the one X509 subtype offered, runs TLS (trusting the test's self-signed CN=localhost) and continues on it.</summary>
    private async Task VeNCryptAsync(string? password, CancellationToken cancellationToken)
    {
        Assert.Equal([0, 2], await ReadAsync(2, cancellationToken));
        await WriteAsync([0, 2], cancellationToken);
        Assert.Equal(0, (await ReadAsync(1, cancellationToken))[0]);
        int count = (await ReadAsync(1, cancellationToken))[0];
        uint subtype = BinaryPrimitives.ReadUInt32BigEndian(await ReadAsync(4 * count, cancellationToken));
        Assert.Equal(password is null ? 260u : 262u, subtype);
        byte[] choice = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(choice, subtype);
        await WriteAsync(choice, cancellationToken);
        Assert.Equal(1, (await ReadAsync(1, cancellationToken))[0]);
        var tls = new System.Net.Security.SslStream(new Encoders.Rfb.Security.DuplexPipeStream(new PlainPipe(_input, _output)));
        await tls.AuthenticateAsClientAsync(
            new System.Net.Security.SslClientAuthenticationOptions { TargetHost = "localhost", RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.Subject == "CN=localhost" },
            cancellationToken);
        TlsProtocol = tls.SslProtocol;
        _input = PipeReader.Create(tls);
        _output = PipeWriter.Create(tls);
        if (password is not null)
        {
            byte[] user = "user"u8.ToArray();
            byte[] secret = Encoding.UTF8.GetBytes(password);
            byte[] plain = new byte[8 + user.Length + secret.Length];
            BinaryPrimitives.WriteUInt32BigEndian(plain, (uint)user.Length);
            BinaryPrimitives.WriteUInt32BigEndian(plain.AsSpan(4), (uint)secret.Length);
            user.CopyTo(plain, 8);
            secret.CopyTo(plain, 8 + user.Length);
            await WriteAsync(plain, cancellationToken);
        }
    }

    private sealed class PlainPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    /// <summary>DES-ECB of the challenge with the password's bytes bit-reversed as key, computed here independently of the server.</summary>
    public static byte[] DesResponse(string password, byte[] challenge)
    {
        byte[] key = new byte[8];
        byte[] bytes = Encoding.Latin1.GetBytes(password);
        for (int i = 0; i < 8 && i < bytes.Length; i++)
        {
            byte b = bytes[i];
            byte reversed = 0;
            for (int bit = 0; bit < 8; bit++)
            {
                if ((b & (1 << bit)) != 0)
                {
                    reversed |= (byte)(0x80 >> bit);
                }
            }

            key[i] = reversed;
        }

#pragma warning disable CA5351 // the protocol's cipher
        using var des = DES.Create();
        des.Key = key;
        return des.EncryptEcb(challenge, PaddingMode.None);
#pragma warning restore CA5351
    }

    public async Task SetPixelFormatAsync(PixelFormat format, CancellationToken cancellationToken = default)
    {
        byte[] message = new byte[20];
        format.WriteWire(message.AsSpan(4));
        await WriteAsync(message, cancellationToken);
        UseFormat(format);
    }

    public Task SetEncodingsAsync(CancellationToken cancellationToken, params int[] encodings)
    {
        byte[] message = new byte[4 + 4 * encodings.Length];
        message[0] = 2;
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), (ushort)encodings.Length);
        for (int i = 0; i < encodings.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(4 + 4 * i), encodings[i]);
        }

        return WriteAsync(message, cancellationToken);
    }

    public Task RequestUpdateAsync(bool incremental, CancellationToken cancellationToken = default)
    {
        byte[] message = new byte[10];
        message[0] = 3;
        message[1] = incremental ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(6), (ushort)Width);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(8), (ushort)Height);
        return WriteAsync(message, cancellationToken);
    }

    public Task SendKeyAsync(bool down, uint keysym, CancellationToken cancellationToken = default)
    {
        byte[] message = new byte[8];
        message[0] = 4;
        message[1] = down ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(4), keysym);
        return WriteAsync(message, cancellationToken);
    }

    public Task SendPointerAsync(byte buttons, int x, int y, CancellationToken cancellationToken = default)
    {
        byte[] message = new byte[6];
        message[0] = 5;
        message[1] = buttons;
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(2), (ushort)x);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(4), (ushort)y);
        return WriteAsync(message, cancellationToken);
    }

    public Task SendCutTextAsync(string text, CancellationToken cancellationToken = default)
    {
        byte[] bytes = Encoding.Latin1.GetBytes(text);
        byte[] message = new byte[8 + bytes.Length];
        message[0] = 6;
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(4), (uint)bytes.Length);
        bytes.CopyTo(message, 8);
        return WriteAsync(message, cancellationToken);
    }

    public async Task WriteAsync(byte[] bytes, CancellationToken cancellationToken = default)
    {
        FlushResult result = await _output.WriteAsync(bytes, cancellationToken);
        if (result.IsCompleted)
        {
            throw new EndOfStreamException("the server stopped reading");
        }
    }

    /// <summary>Reads messages until a FramebufferUpdate that carried at least one pixel rectangle has been applied.</summary>
    public async Task ReadPixelUpdateAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            int pixelRects = await ReadMessageAsync(cancellationToken);
            if (pixelRects > 0)
            {
                return;
            }
        }
    }

    /// <summary>Reads one server message and applies it; returns the pixel rectangles of a FramebufferUpdate, else 0.</summary>
    public async Task<int> ReadMessageAsync(CancellationToken cancellationToken)
    {
        // A message that never comes fails the test instead of hanging it.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ReadTimeout);
        while (true)
        {
            ReadResult result = await _input.ReadAsync(timeout.Token);
            ReadOnlySequence<byte> buffer = result.Buffer;
            byte[] data = buffer.ToArray();
            int consumed;
            int pixelRects;
            try
            {
                consumed = TryApplyMessage(data, out pixelRects);
            }
            catch (Codecs.CodecDataException) when (!result.IsCompleted && data[0] == 0)
            {
                // Over TLS an update arrives in pieces (in-memory pipes deliver each flush whole); Raw and ZRLE
                // check lengths before touching state, so the update is simply decoded again with more bytes.
                consumed = 0;
                pixelRects = 0;
            }

            if (consumed > 0)
            {
                _input.AdvanceTo(buffer.GetPosition(consumed));
                return pixelRects;
            }

            _input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                throw new EndOfStreamException($"the server closed the connection ({data.Length} bytes unparsed)");
            }
        }
    }

    /// <summary>Whether the server has closed its side (reads the rest and discards it).</summary>
    public async Task<bool> WaitForCloseAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result = await _input.ReadAsync(cancellationToken);
            _input.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return true;
            }
        }
    }

    /// <summary>The client's picture equals <paramref name="expected"/> (packed pixels in the client's format).</summary>
    public bool PictureEquals(byte[] expected) => Picture.AsSpan().SequenceEqual(expected);

    /// <summary>The first differing pixel, for failure messages.</summary>
    public string FirstDifference(byte[] expected)
    {
        int bpp = Format.BitsPerPixel / 8;
        int index = Picture.AsSpan().CommonPrefixLength(expected);
        return index >= Picture.Length ? "none" : $"pixel ({index / bpp % Width}, {index / bpp / Width})";
    }

    private void UseFormat(PixelFormat format)
    {
        Format = format;
        _decoder?.Dispose();
        _decoder = new RfbDecoder(format);
        Picture = new byte[Width * Height * format.BitsPerPixel / 8];
    }

    private int TryApplyMessage(byte[] data, out int pixelRects)
    {
        pixelRects = 0;
        if (data.Length == 0)
        {
            return 0;
        }

        switch (data[0])
        {
            case 0:
                return data.Length < 4 ? 0 : ApplyUpdate(data, out pixelRects);
            case 1:
                if (data.Length < 6 || data.Length < 6 + 6 * BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(4)))
                {
                    return 0;
                }

                ColourMaps++;
                return 6 + 6 * BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(4));
            case 2:
                return 1;
            case 3:
                if (data.Length < 8 || data.Length < 8 + (int)BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(4)))
                {
                    return 0;
                }

                return 8 + (int)BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(4));
            case 150:
                EndOfContinuousUpdates++;
                return 1;
            case 248:
                if (data.Length < 9 || data.Length < 9 + data[8])
                {
                    return 0;
                }

                Fences.Add((BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(4)), data.AsSpan(9, data[8]).ToArray()));
                return 9 + data[8];
            default:
                throw new InvalidDataException($"unknown server message type {data[0]}");
        }
    }

    /// <summary>Applies a whole FramebufferUpdate (the server flushes each one at once, so it is complete here).</summary>
    private int ApplyUpdate(byte[] data, out int pixelRects)
    {
        pixelRects = 0;
        int count = BinaryPrimitives.ReadUInt16BigEndian(data.AsSpan(2));
        int position = 4;
        for (int i = 0; count == 0xFFFF || i < count; i++)
        {
            RfbRectHeader header = RfbRectHeader.Read(data.AsSpan(position));
            RectangleEncodings.Add(header.Encoding);
            Rect area = header.Area;
            switch (header.Encoding)
            {
                case RfbEncoding.LastRect:
                    Updates++;
                    return position + 12;
                case RfbEncoding.DesktopSize:
                    Resize(area.Width, area.Height);
                    DesktopSizes.Add((0, 0, area.Width, area.Height));
                    position += 12;
                    continue;
                case -308:
                    int screens = data[position + 12];
                    DesktopSizes.Add((area.X, area.Y, area.Width, area.Height));
                    if (area.Y == 0)
                    {
                        Resize(area.Width, area.Height);
                    }

                    position += 12 + 4 + 16 * screens;
                    continue;
                case -239:
                    CursorShapes++;
                    position += 12 + area.Width * area.Height * Format.BitsPerPixel / 8 + (area.Width + 7) / 8 * area.Height;
                    continue;
                case -240:
                    CursorShapes++;
                    position += 12 + (area.Width * area.Height > 0 ? 6 + 2 * ((area.Width + 7) / 8 * area.Height) : 0);
                    continue;
                case -258:
                    position += 12;
                    continue;
                default:
                    var view = new ImageView(Picture, Width, Height, Width * Format.BitsPerPixel / 8, Format);
                    position += _decoder!.DecodeRectangle(data.AsSpan(position), view, out _);
                    pixelRects++;
                    continue;
            }
        }

        Updates++;
        return position;
    }

    private void Resize(int width, int height)
    {
        if (width == Width && height == Height)
        {
            return;
        }

        Width = width;
        Height = height;
        Picture = new byte[width * height * Format.BitsPerPixel / 8];
    }

    public async ValueTask DisposeAsync()
    {
        _decoder?.Dispose();
        await _input.CompleteAsync();
        await _output.CompleteAsync();
    }

    private async Task<byte[]> ReadAsync(int count, CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result = await _input.ReadAsync(cancellationToken);
            if (result.Buffer.Length >= count)
            {
                byte[] bytes = result.Buffer.Slice(0, count).ToArray();
                _input.AdvanceTo(result.Buffer.GetPosition(count));
                return bytes;
            }

            _input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            if (result.IsCompleted)
            {
                throw new EndOfStreamException($"the server closed the connection ({result.Buffer.Length} of {count} bytes)");
            }
        }
    }
}

internal sealed class AuthenticationFailedException(string reason) : Exception("authentication failed: " + reason);
