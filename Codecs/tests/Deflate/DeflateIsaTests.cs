using System.Globalization;
using TestSupport;
using Xunit;

namespace Codecs.Tests.Deflate;

/// <summary>
/// Runs <see cref="RunHuffmanDeflaterTests"/> again with AVX-512, then AVX2, then every hardware intrinsic switched
/// off: the tokenizer's Vector256 and Vector128 run search and the gradient filter's Vector128 path must give what
/// their scalar loops give.
/// </summary>
public class DeflateIsaTests
{
    public static TheoryData<IsaConfiguration> Configurations => IsaPaths.Configurations;

    [Theory]
    [MemberData(nameof(Configurations))]
    public void RunHuffmanDeflaterTests_PassUnder(IsaConfiguration configuration)
    {
        Assert.SkipWhen(IsaPaths.IsChild, "already in an ISA child process");
        IsaRunResult result = IsaPaths.RunTestClass(typeof(RunHuffmanDeflaterTests), configuration);
        result.AssertPassed(minimumTests: 10);
        Assert.True(result.Reports.TryGetValue("Deflate.VectorBits", out string? reported), result.OutputTail);
        Assert.Equal(IsaPaths.ExpectedVectorBits(configuration).ToString(CultureInfo.InvariantCulture), reported);
    }
}
