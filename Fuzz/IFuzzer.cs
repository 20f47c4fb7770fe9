namespace Fuzz;

/// <summary>
/// One fuzz target: a parser or decoder fed arbitrary bytes. It may throw only the library's documented
/// <see cref="Codecs.CodecDataException"/>; any other exception, a hang or unbounded memory is a finding.
/// </summary>
public interface IFuzzer
{
    /// <summary>Target name; its committed regression inputs live in <c>corpus/fuzz/&lt;Name&gt;/</c>.</summary>
    string Name { get; }

    void FuzzTarget(ReadOnlySpan<byte> input);

    /// <summary>
    /// Valid inputs made with the library's own encoders (deterministic): the starting points of mutation, so the
    /// mutator explores the decoder's deep paths rather than its header checks. Each must be accepted.
    /// </summary>
    IEnumerable<byte[]> CreateSeeds();
}
