using Xunit;

namespace Fuzz.Tests;

/// <summary>
/// Every fuzz target, in CI: its encoder-made seeds decode, its committed corpus replays clean, and a deterministic
/// mutation run finds nothing (only the documented exception, bounded time and memory).
/// </summary>
public sealed class FuzzTargetTests
{
    /// <summary>Mutations per target per CI run; <c>FUZZ_ITERATIONS</c> raises it for a longer local run.</summary>
    private static int Iterations =>
        int.TryParse(Environment.GetEnvironmentVariable("FUZZ_ITERATIONS"), out int n) && n > 0 ? n : 1500;

    public static TheoryData<string> Targets() => [.. FuzzRunner.DiscoverTargets().Select(t => t.Name)];

    [Fact]
    public void EveryDecoderHasATarget()
    {
        string[] expected = ["GlzSession", "Jpeg", "Lz", "Lz4Image", "Quic", "RfbRectangles", "RfbSession", "SpiceChannels", "SpiceJpegAlpha", "SpiceLink", "TraceReader"];
        Assert.Subset(FuzzRunner.DiscoverTargets().Select(t => t.Name).ToHashSet(), expected.ToHashSet());
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Seeds_AreAccepted(string name)
    {
        IFuzzer target = Find(name);
        int count = 0;
        foreach (byte[] seed in target.CreateSeeds())
        {
            FuzzResult result = FuzzRunner.Run(target, seed);
            Assert.True(result.Outcome == FuzzOutcome.Accepted, $"{name} seed {count}: {result.Outcome} {result.Finding}");
            count++;
        }

        Assert.True(count >= 3, $"{name} has only {count} seeds");
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void CommittedCorpus_ReplaysWithoutFindings(string name)
    {
        IFuzzer target = Find(name);
        foreach (string file in FuzzRunner.CorpusFiles(target))
        {
            FuzzResult result = FuzzRunner.Run(target, File.ReadAllBytes(file));
            Assert.True(result.Outcome != FuzzOutcome.Finding, $"{file}: {result.Finding}");
        }
    }

    [Theory]
    [MemberData(nameof(Targets))]
    public void Mutations_FindNothing(string name)
    {
        IFuzzer target = Find(name);
        byte[][] corpus = [.. FuzzRunner.CorpusFiles(target).Select(File.ReadAllBytes)];
        MutationReport report = FuzzRunner.Mutate(target, Iterations, seed: 20261122, corpus);
        TestContext.Current.SendDiagnosticMessage($"{name}: {report.Accepted} accepted, {report.Rejected} rejected of {report.Inputs}");
        if (report.Findings.Count > 0)
        {
            (byte[] input, FuzzResult first) = report.Findings[0];
            string hex = Convert.ToHexString(input.AsSpan(0, Math.Min(input.Length, 100)));
            Assert.Fail($"{name}: {report.Findings.Count} findings; first ({input.Length} bytes, starts {hex}): {first.Finding}");
        }

        // A run that only ever hits the first header check explores nothing.
        Assert.True(report.Accepted + report.Rejected == report.Inputs);
        Assert.True(report.Accepted > 0 || name == "Jpeg", $"{name}: no mutant was accepted; mutations never got past the header");
    }

    [Fact]
    public void Mutator_IsDeterministic()
    {
        IFuzzer target = Find("Lz");
        byte[] seed = target.CreateSeeds().First();
        var a = new Mutation.InputMutator(7);
        var b = new Mutation.InputMutator(7);
        for (int i = 0; i < 100; i++)
        {
            Assert.Equal(a.Mutate(seed, seed), b.Mutate(seed, seed));
        }
    }

    private static IFuzzer Find(string name) => FuzzRunner.DiscoverTargets().Single(t => t.Name == name);
}
