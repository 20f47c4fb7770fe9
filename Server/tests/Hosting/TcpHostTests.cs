using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Codecs.Rfb;
using Damage.Device;
using Encoders.Rfb;
using Microsoft.Extensions.Logging;
using Server.Hosting;
using Xunit;

namespace Server.Tests.Hosting;

/// <summary>
/// The TCP host on a real socket: plain RFB (including gtk-vnc's early "RFB "), and WebSocket on the same port with
/// any path, with and without the "binary" subprotocol, through .NET's own WebSocket client.
/// </summary>
public sealed class TcpHostTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private static async Task<RfbHost> StartAsync()
    {
        var device = new SteppedDevice(new TraceReplayDevice(Path.Combine(ToolRunner.RepositoryRoot, "corpus", "terminal-scroll.fbt"), new TraceReplayOptions { RealTime = false }), initialSteps: 2);
        var host = new RfbHost(device, new IPEndPoint(IPAddress.Loopback, 0), new RfbServerOptions(), new ConsoleLogger(LogLevel.Information, TextWriter.Null),
            // .NET's WebSocket client sends its request well after connecting when the machine is busy (first use, JIT).
            sniffTimeout: TimeSpan.FromSeconds(3));
        await host.StartAsync(Cancellation);
        return host;
    }

    [Theory]
    [InlineData(null, "/websockify")]
    [InlineData("binary", "/")]
    [InlineData("binary", "/any/path?token=1")]
    public async Task WebSocket_OnTheRfbPort_CarriesTheHandshakeAndAnUpdate(string? subprotocol, string path)
    {
        await using RfbHost host = await StartAsync();
        using var socket = new ClientWebSocket();
        if (subprotocol is not null)
        {
            socket.Options.AddSubProtocol(subprotocol);
        }

        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{host.Port}{path}"), Cancellation);
        Assert.Equal(subprotocol, socket.SubProtocol);
        var stream = new WebSocketByteReader(socket);
        Assert.Equal("RFB 003.008\n", Encoding.ASCII.GetString(await stream.ReadAsync(12)));
        await SendAsync(socket, Encoding.ASCII.GetBytes("RFB 003.008\n"));
        Assert.Equal([1, 1], await stream.ReadAsync(2));
        await SendAsync(socket, [1]);
        Assert.Equal([0, 0, 0, 0], await stream.ReadAsync(4));
        await SendAsync(socket, [1]);
        byte[] init = await stream.ReadAsync(24);
        Assert.Equal(1920, BinaryPrimitives.ReadUInt16BigEndian(init));
        await stream.ReadAsync((int)BinaryPrimitives.ReadUInt32BigEndian(init.AsSpan(20)));
        // SetEncodings [Raw], then a full update request for a 16x16 corner: the reply arrives in binary messages.
        await SendAsync(socket, [2, 0, 0, 1, 0, 0, 0, 0]);
        await SendAsync(socket, [3, 0, 0, 0, 0, 0, 0, 16, 0, 16]);
        byte[] header = await stream.ReadAsync(4);
        Assert.Equal(0, header[0]);
        Assert.True(BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(2)) >= 1);
        RfbRectHeader rect = RfbRectHeader.Read(await stream.ReadAsync(12));
        Assert.Equal(RfbEncoding.Raw, rect.Encoding);
        Assert.Equal(1, Assert.Single(host.Server.Clients).Updates);
        Assert.EndsWith("(websocket)", host.Server.Clients[0].Remote, StringComparison.Ordinal);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", Cancellation);
    }

    [Fact]
    public async Task PlainTcp_ClientThatSpeaksFirst_IsServedAsRfb()
    {
        await using RfbHost host = await StartAsync();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, host.Port, Cancellation);
        NetworkStream stream = client.GetStream();
        // gtk-vnc writes "RFB " before it has read the server's greeting.
        await stream.WriteAsync("RFB "u8.ToArray(), Cancellation);
        byte[] greeting = new byte[12];
        await stream.ReadExactlyAsync(greeting, Cancellation);
        Assert.Equal("RFB 003.008\n", Encoding.ASCII.GetString(greeting));
        await stream.WriteAsync("003.008\n"u8.ToArray(), Cancellation);
        byte[] types = new byte[2];
        await stream.ReadExactlyAsync(types, Cancellation);
        Assert.Equal([1, 1], types);
    }

    [Fact]
    public async Task HttpRequestWithoutUpgrade_IsAnswered400()
    {
        await using RfbHost host = await StartAsync();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, host.Port, Cancellation);
        NetworkStream stream = client.GetStream();
        await stream.WriteAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray(), Cancellation);
        using var reader = new StreamReader(stream);
        Assert.StartsWith("HTTP/1.1 400", await reader.ReadLineAsync(Cancellation), StringComparison.Ordinal);
        Assert.Empty(host.Server.Clients);
    }

    private static Task SendAsync(WebSocket socket, byte[] bytes) =>
        socket.SendAsync(bytes, WebSocketMessageType.Binary, endOfMessage: true, Cancellation);

    /// <summary>Reads the byte stream inside binary messages, ignoring message boundaries.</summary>
    private sealed class WebSocketByteReader(WebSocket socket)
    {
        private readonly List<byte> _pending = [];

        public async Task<byte[]> ReadAsync(int count)
        {
            byte[] buffer = new byte[64 * 1024];
            while (_pending.Count < count)
            {
                WebSocketReceiveResult result = await socket.ReceiveAsync(buffer, Cancellation);
                Assert.Equal(WebSocketMessageType.Binary, result.MessageType);
                _pending.AddRange(buffer.AsSpan(0, result.Count).ToArray());
            }

            byte[] bytes = [.. _pending.GetRange(0, count)];
            _pending.RemoveRange(0, count);
            return bytes;
        }
    }
}
