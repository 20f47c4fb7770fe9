using Encoders.Spice;
using Fuzz.Sessions;

namespace Fuzz.Targets;

/// <summary>
/// Everything a SPICE client sends on one connection — the REDQ link message with its capabilities, the auth
/// mechanism, the 128-byte ticket, then channel messages in the mini or full header — played into a real
/// <see cref="SpiceServer"/> (no password, so any ticket links; the main channel then runs on the fuzzed messages).
/// The server must drop bad connections itself and never log a failure of its own (Error level).
/// </summary>
public sealed class SpiceLinkFuzzer : IFuzzer
{
    private const uint MiniHeaderCap = SpiceClientBytes.MiniHeaderCap;
    private const uint AuthSelectionCap = SpiceClientBytes.AuthSelectionCap;

    private static readonly Lazy<(SpiceServer Server, FailureLogger Log)> s_server = new(SpiceClientBytes.CreateServer);

    public string Name => "SpiceLink";

    public void FuzzTarget(ReadOnlySpan<byte> input)
    {
        (SpiceServer server, FailureLogger log) = s_server.Value;
        int failuresBefore = log.Failures;
        PipeSession.Run(input, (pipe, cancellationToken) => server.RunConnectionAsync(pipe, "fuzz", cancellationToken));
        if (log.Failures != failuresBefore)
        {
            throw new InvalidOperationException("the server logged a failure of its own: " + log.LastFailure);
        }
    }

    public IEnumerable<byte[]> CreateSeeds()
    {
        foreach (uint commonCaps in (uint[])[MiniHeaderCap | AuthSelectionCap, MiniHeaderCap, AuthSelectionCap, 0])
        {
            yield return Connection(1, commonCaps, MainMessages(commonCaps));
            yield return Connection(2, commonCaps, []); // a display channel without a session: refused at link
        }
    }

    private static byte[] Connection(byte channelType, uint commonCaps, byte[] messages) =>
        [.. SpiceClientBytes.Link(channelType, 0, commonCaps), .. messages];

    /// <summary>Main-channel client messages: attach channels, mouse mode request, pong, ack sync, ack, an unknown type.</summary>
    private static byte[] MainMessages(uint commonCaps)
    {
        var output = new List<byte>();
        Add(output, commonCaps, 104, []);
        Add(output, commonCaps, 105, [2, 0]);
        Add(output, commonCaps, 3, [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        Add(output, commonCaps, 1, [1, 0, 0, 0]);
        Add(output, commonCaps, 2, []);
        Add(output, commonCaps, 999, [1, 2, 3]);
        return [.. output];
    }

    private static void Add(List<byte> output, uint commonCaps, ushort type, byte[] body) => SpiceClientBytes.Message(output, commonCaps, type, body);
}
