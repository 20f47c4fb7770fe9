using System.Buffers;
using System.IO.Pipelines;
using System.Net.WebSockets;

namespace Server.Hosting;

/// <summary>
/// A byte stream carried in WebSocket binary messages, as an <see cref="IDuplexPipe"/>: received message payloads are
/// concatenated (frame boundaries mean nothing to RFB), and what the server writes goes out as binary messages.
/// Framing, masking, fragmentation, ping/pong and the close handshake are the in-box <see cref="WebSocket"/>'s.
/// </summary>
public sealed class WebSocketDuplexPipe : IDuplexPipe, IAsyncDisposable
{
    private readonly WebSocket _socket;
    private readonly Pipe _received;
    private readonly Pipe _toSend;
    private readonly Task _receiving;
    private readonly Task _sending;
    private readonly CancellationTokenSource _stop = new();

    public WebSocketDuplexPipe(WebSocket socket, PipeOptions? options = null)
    {
        _socket = socket;
        _received = new Pipe(options ?? PipeOptions.Default);
        _toSend = new Pipe(options ?? PipeOptions.Default);
        _receiving = ReceiveLoopAsync();
        _sending = SendLoopAsync();
    }

    public PipeReader Input => _received.Reader;

    public PipeWriter Output => _toSend.Writer;

    private async Task ReceiveLoopAsync()
    {
        Exception? error = null;
        try
        {
            while (true)
            {
                Memory<byte> memory = _received.Writer.GetMemory(16 * 1024);
                ValueWebSocketReceiveResult result = await _socket.ReceiveAsync(memory, _stop.Token).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                if (result.MessageType == WebSocketMessageType.Text)
                {
                    throw new InvalidDataException("text WebSocket message (the RFB stream travels in binary messages)");
                }

                _received.Writer.Advance(result.Count);
                FlushResult flushed = await _received.Writer.FlushAsync(_stop.Token).ConfigureAwait(false);
                if (flushed.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or InvalidDataException or IOException)
        {
            error = ex is OperationCanceledException ? null : ex;
        }

        await _received.Writer.CompleteAsync(error is null ? null : new IOException(error.Message, error)).ConfigureAwait(false);
    }

    private async Task SendLoopAsync()
    {
        PipeReader reader = _toSend.Reader;
        try
        {
            while (true)
            {
                ReadResult result = await reader.ReadAsync(_stop.Token).ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;
                foreach (ReadOnlyMemory<byte> segment in buffer)
                {
                    await _socket.SendAsync(segment, WebSocketMessageType.Binary, endOfMessage: true, _stop.Token).ConfigureAwait(false);
                }

                reader.AdvanceTo(buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }

            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token).ConfigureAwait(false);
            }

            await reader.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            await reader.CompleteAsync(ex is OperationCanceledException ? null : ex).ConfigureAwait(false);
        }
    }

    /// <summary>Waits for the send loop to drain (after the handler completed <see cref="Output"/>), then stops everything.</summary>
    public async ValueTask DisposeAsync()
    {
        using (var drain = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            await Task.WhenAny(_sending, Task.Delay(Timeout.Infinite, drain.Token)).ConfigureAwait(false);
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_receiving, _sending).ConfigureAwait(false);
        _socket.Dispose();
        _stop.Dispose();
    }
}
