using System.Globalization;
using System.Security.Cryptography;

namespace Fuzz;

/// <summary>
/// The fuzzing front end. Verbs:
/// <list type="bullet">
/// <item><c>Fuzz list</c>: the targets.</item>
/// <item><c>Fuzz replay &lt;target|all&gt; [file|dir]</c>: replay inputs (default: the target's committed corpus).</item>
/// <item><c>Fuzz mutate &lt;target|all&gt; [iterations] [seed]</c>: mutate seeds and corpus; findings go to <c>fuzz-findings/</c>.</item>
/// <item><c>Fuzz seeds &lt;target|all&gt;</c>: write the encoder-made seeds into <c>corpus/fuzz/&lt;target&gt;/</c>.</item>
/// </list>
/// Exit code 0 means every input was either accepted or rejected with <see cref="Codecs.CodecDataException"/>.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        IReadOnlyList<IFuzzer> targets = FuzzRunner.DiscoverTargets();
        if (args.Length == 0 || args[0] == "list")
        {
            Console.Error.WriteLine("usage: Fuzz <list|replay|mutate|seeds> <target|all> [...]");
            Console.WriteLine(string.Join(Environment.NewLine, targets.Select(t => t.Name)));
            return args.Length == 0 ? 2 : 0;
        }

        string verb = args[0];
        string selector = args.Length > 1 ? args[1] : "all";
        IFuzzer[] selected = [.. targets.Where(t => selector == "all" || t.Name == selector)];
        if (selected.Length == 0)
        {
            Console.Error.WriteLine($"unknown target '{selector}'; targets: {string.Join(", ", targets.Select(t => t.Name))}");
            return 2;
        }

        return verb switch
        {
            "replay" => Replay(selected, args.Length > 2 ? args[2] : null),
            "mutate" => Mutate(
                selected,
                args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 10_000,
                args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : Environment.TickCount),
            "seeds" => WriteSeeds(selected),
            _ => Usage(verb),
        };
    }

    private static int Replay(IFuzzer[] targets, string? path)
    {
        int inputs = 0;
        int findings = 0;
        foreach (IFuzzer target in targets)
        {
            IEnumerable<string> files = path is null ? FuzzRunner.CorpusFiles(target)
                : File.Exists(path) ? [path]
                : Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal);
            foreach (string file in files)
            {
                inputs++;
                FuzzResult result = FuzzRunner.Run(target, File.ReadAllBytes(file));
                if (result.Outcome == FuzzOutcome.Finding)
                {
                    findings++;
                    Console.Error.WriteLine($"{target.Name} {file}: {result.Finding}");
                }
            }
        }

        Console.WriteLine($"{inputs} inputs replayed, {findings} findings");
        return findings == 0 ? 0 : 1;
    }

    private static int Mutate(IFuzzer[] targets, int iterations, int seed)
    {
        int findings = 0;
        foreach (IFuzzer target in targets)
        {
            byte[][] corpus = [.. FuzzRunner.CorpusFiles(target).Select(File.ReadAllBytes)];
            MutationReport report = FuzzRunner.Mutate(target, iterations, seed, corpus);
            Console.WriteLine($"{report.Target}: {report.Inputs} inputs (seed {seed}), {report.Accepted} accepted, {report.Rejected} rejected, {report.Findings.Count} findings");
            foreach ((byte[] input, FuzzResult result) in report.Findings)
            {
                string directory = Path.Combine("fuzz-findings", target.Name);
                Directory.CreateDirectory(directory);
                string file = Path.Combine(directory, Convert.ToHexStringLower(SHA256.HashData(input))[..16] + ".bin");
                File.WriteAllBytes(file, input);
                Console.Error.WriteLine($"  {file}: {result.Finding}");
            }

            findings += report.Findings.Count;
        }

        return findings == 0 ? 0 : 1;
    }

    private static int WriteSeeds(IFuzzer[] targets)
    {
        foreach (IFuzzer target in targets)
        {
            string directory = Path.Combine(FuzzRunner.FindCorpusRoot(), "fuzz", target.Name);
            Directory.CreateDirectory(directory);
            int count = 0;
            foreach (byte[] seed in target.CreateSeeds())
            {
                File.WriteAllBytes(Path.Combine(directory, $"seed-{count++:D3}.bin"), seed);
            }

            Console.WriteLine($"{target.Name}: {count} seeds in {directory}");
        }

        return 0;
    }

    private static int Usage(string verb)
    {
        Console.Error.WriteLine($"unknown verb '{verb}'; use list, replay, mutate or seeds");
        return 2;
    }
}
