using TestSupport;

namespace Codecs.Tests.Deflate;

/// <summary>
/// <see cref="RunHuffmanDeflaterTests"/> under each ISA ceiling: the tokenizer's Vector256 and Vector128 run search and
/// the gradient filter's Vector128 path must give what their scalar loops give.
/// </summary>
public class DeflateIsaTests : IsaRerunTests<RunHuffmanDeflaterTests>
{
    protected override int MinimumTests => 10;

    protected override string? VectorBitsReport => "Deflate.VectorBits";
}
