using System.IO.Pipelines;

namespace Server.Hosting;

/// <summary>Serves one accepted connection (already unwrapped from WebSocket if it was one) until it ends.</summary>
/// <param name="transport">The connection's byte stream as a pipe; the handler completes it.</param>
/// <param name="remote">The peer, for logs (address:port, with " (websocket)" for WebSocket connections).</param>
/// <param name="cancellationToken">Host shutdown.</param>
public delegate Task ConnectionHandler(IDuplexPipe transport, string remote, CancellationToken cancellationToken);
