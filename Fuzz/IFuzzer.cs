namespace Fuzz;

/// <summary>
/// One fuzz target: a parser or decoder fed arbitrary bytes. It may throw only the library's documented
/// <see cref="Codecs.CodecDataException"/>; any other exception, a hang or unbounded memory is a finding.
/// </summary>
public interface IFuzzer
{
    /// <summary>Target name; its seed and regression inputs live in <c>corpus/fuzz/&lt;Name&gt;/</c>.</summary>
    string Name { get; }

    void FuzzTarget(ReadOnlySpan<byte> input);
}
