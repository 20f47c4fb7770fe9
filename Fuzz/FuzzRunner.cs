using System.Diagnostics;
using Codecs;
using Fuzz.Mutation;

namespace Fuzz;

/// <summary>How one input went.</summary>
public enum FuzzOutcome
{
    /// <summary>Decoded without complaint.</summary>
    Accepted,

    /// <summary>Rejected with the documented <see cref="CodecDataException"/>.</summary>
    Rejected,

    /// <summary>Anything else: another exception, a hang, too slow, or too much memory.</summary>
    Finding,
}

/// <param name="Outcome">What happened.</param>
/// <param name="Finding">For <see cref="FuzzOutcome.Finding"/>, what was wrong.</param>
/// <param name="Elapsed">Wall time of the input.</param>
/// <param name="AllocatedBytes">Managed bytes the target allocated for the input.</param>
public readonly record struct FuzzResult(FuzzOutcome Outcome, string? Finding, TimeSpan Elapsed, long AllocatedBytes);

/// <summary>Totals of a mutation run.</summary>
public sealed record MutationReport(string Target, int Inputs, int Accepted, int Rejected, IReadOnlyList<(byte[] Input, FuzzResult Result)> Findings);

/// <summary>Runs inputs through targets with the limits every decoder must keep: time, memory, one exception type.</summary>
public static class FuzzRunner
{
    /// <summary>An input that takes longer is a finding (a decoder loop not bounded by its input).</summary>
    public static TimeSpan PerInputLimit { get; } = TimeSpan.FromSeconds(10);

    /// <summary>An input that makes the target allocate more is a finding (a size field trusted before it was checked).</summary>
    public const long AllocationLimit = 256L << 20;

    public static IReadOnlyList<IFuzzer> DiscoverTargets() =>
        [.. typeof(FuzzRunner).Assembly.GetTypes()
            .Where(t => t.IsClass && !t.IsAbstract && typeof(IFuzzer).IsAssignableFrom(t))
            .Select(t => (IFuzzer)Activator.CreateInstance(t)!)
            .OrderBy(t => t.Name, StringComparer.Ordinal)];

    /// <summary>Runs one input on a worker thread so that a hang is reported rather than suffered.</summary>
    public static FuzzResult Run(IFuzzer target, byte[] input)
    {
        ArgumentNullException.ThrowIfNull(target);
        var stopwatch = Stopwatch.StartNew();
        long allocated = 0;
        Task<Exception?> run = Task.Factory.StartNew(
            () =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                try
                {
                    target.FuzzTarget(input);
                    return null;
                }
                catch (Exception ex)
                {
                    return ex;
                }
                finally
                {
                    allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        if (!run.Wait(PerInputLimit))
        {
            return new FuzzResult(FuzzOutcome.Finding, $"no result after {PerInputLimit.TotalSeconds:F0} s (hang)", stopwatch.Elapsed, 0);
        }

        Exception? exception = run.Result;
        TimeSpan elapsed = stopwatch.Elapsed;
        if (allocated > AllocationLimit)
        {
            return new FuzzResult(FuzzOutcome.Finding, $"allocated {allocated >> 20} MiB", elapsed, allocated);
        }

        return exception switch
        {
            null => new FuzzResult(FuzzOutcome.Accepted, null, elapsed, allocated),
            CodecDataException => new FuzzResult(FuzzOutcome.Rejected, null, elapsed, allocated),
            _ => new FuzzResult(FuzzOutcome.Finding, $"{exception.GetType().Name}: {exception.Message}\n{exception.StackTrace}", elapsed, allocated),
        };
    }

    /// <summary>
    /// Mutates the target's seeds (plus <paramref name="extraInputs"/>, e.g. its committed corpus) for
    /// <paramref name="iterations"/> inputs, deterministically for a given <paramref name="seed"/>.
    /// </summary>
    public static MutationReport Mutate(IFuzzer target, int iterations, int seed, IEnumerable<byte[]>? extraInputs = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        List<byte[]> pool = [.. target.CreateSeeds(), .. extraInputs ?? []];
        if (pool.Count == 0)
        {
            pool.Add([]);
        }

        var mutator = new InputMutator(seed);
        var choose = new Random(seed ^ 0x5EED);
        var findings = new List<(byte[], FuzzResult)>();
        int accepted = 0;
        int rejected = 0;
        for (int i = 0; i < iterations; i++)
        {
            byte[] input = mutator.Mutate(pool[choose.Next(pool.Count)], pool[choose.Next(pool.Count)]);
            FuzzResult result = Run(target, input);
            switch (result.Outcome)
            {
                case FuzzOutcome.Accepted:
                    accepted++;

                    // Accepted mutants reach deeper than the seeds they came from: keep a few as new starting points.
                    if (pool.Count < 256 && choose.Next(8) == 0)
                    {
                        pool.Add(input);
                    }

                    break;
                case FuzzOutcome.Rejected:
                    rejected++;
                    break;
                default:
                    findings.Add((input, result));
                    break;
            }
        }

        return new MutationReport(target.Name, iterations, accepted, rejected, findings);
    }

    /// <summary>The repository's <c>corpus/</c> directory, found from the executable or the working directory.</summary>
    public static string FindCorpusRoot()
    {
        foreach (string? start in (string?[])[AppContext.BaseDirectory, Directory.GetCurrentDirectory()])
        {
            for (string? dir = start; dir is not null; dir = Path.GetDirectoryName(dir))
            {
                if (File.Exists(Path.Combine(dir, "Codecs.sln")))
                {
                    return Path.Combine(dir, "corpus");
                }
            }
        }

        throw new DirectoryNotFoundException("No Codecs.sln above the executable or the working directory.");
    }

    /// <summary>Committed inputs of a target (<c>corpus/fuzz/&lt;Name&gt;/</c>), in a stable order.</summary>
    public static IEnumerable<string> CorpusFiles(IFuzzer target)
    {
        ArgumentNullException.ThrowIfNull(target);
        string directory = Path.Combine(FindCorpusRoot(), "fuzz", target.Name);
        return Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            : [];
    }
}
