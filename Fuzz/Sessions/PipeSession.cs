using System.IO.Pipelines;

namespace Fuzz.Sessions;

/// <summary>
/// Plays a fuzz input as everything one client sends on a connection, then end of stream, while draining what the
/// server answers, and waits for the server to finish with that connection.
/// </summary>
internal static class PipeSession
{
    /// <summary>A connection must be over well inside the runner's hang limit once its input has ended.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(5);

    public static void Run(ReadOnlySpan<byte> clientBytes, Func<IDuplexPipe, CancellationToken, Task> serve) =>
        Run([clientBytes.ToArray()], serve);

    /// <summary>Writes <paramref name="chunks"/> one flush each (so resumable parsers see partial messages).</summary>
    public static void Run(IReadOnlyList<byte[]> chunks, Func<IDuplexPipe, CancellationToken, Task> serve)
    {
        var toServer = new Pipe();
        var fromServer = new Pipe();
        using var stop = new CancellationTokenSource();
        Task drain = DrainAsync(fromServer.Reader);
        Task server = serve(new Connection(toServer.Reader, fromServer.Writer), stop.Token);
        foreach (byte[] chunk in chunks)
        {
            toServer.Writer.WriteAsync(chunk).AsTask().GetAwaiter().GetResult();
        }

        toServer.Writer.Complete();
        if (!server.Wait(Limit))
        {
            stop.Cancel();
            throw new TimeoutException($"the server still served the connection {Limit.TotalSeconds:F0} s after its input ended");
        }

        fromServer.Writer.Complete();
        drain.GetAwaiter().GetResult();
    }

    /// <summary>Reads and discards what the server sends until it completes its output.</summary>
    public static async Task DrainAsync(PipeReader reader)
    {
        while (true)
        {
            ReadResult read = await reader.ReadAsync().ConfigureAwait(false);
            reader.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted || read.IsCanceled)
            {
                await reader.CompleteAsync().ConfigureAwait(false);
                return;
            }
        }
    }

    /// <summary>One side of an in-memory connection.</summary>
    public sealed class Connection(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;

        public PipeWriter Output => output;
    }
}
