using System.Diagnostics;
using Codecs;

namespace Fuzz;

/// <summary>
/// Replays inputs through fuzz targets with no instrumentation: <c>Fuzz &lt;Target|all&gt; [file|dir]</c>.
/// With no path, a target replays <c>corpus/fuzz/&lt;Target&gt;/</c>. Exit code 0 means every input was either
/// accepted or rejected with <see cref="CodecDataException"/>.
/// </summary>
public static class Program
{
    private static readonly TimeSpan s_perInputLimit = TimeSpan.FromSeconds(10);

    public static int Main(string[] args)
    {
        IFuzzer[] targets = [.. typeof(Program).Assembly.GetTypes()
            .Where(t => t.IsClass && !t.IsAbstract && typeof(IFuzzer).IsAssignableFrom(t))
            .Select(t => (IFuzzer)Activator.CreateInstance(t)!)
            .OrderBy(t => t.Name, StringComparer.Ordinal)];

        if (args.Length == 0)
        {
            Console.Error.WriteLine("usage: Fuzz <target|all> [file|dir]");
            Console.Error.WriteLine("targets: " + string.Join(", ", targets.Select(t => t.Name)));
            return 2;
        }

        IEnumerable<IFuzzer> selected = args[0] == "all" ? targets : targets.Where(t => t.Name == args[0]);
        int failures = 0;
        int inputs = 0;
        foreach (IFuzzer target in selected)
        {
            string path = args.Length > 1 ? args[1] : Path.Combine(FindCorpusRoot(), "fuzz", target.Name);
            foreach (string file in EnumerateInputs(path))
            {
                inputs++;
                if (!Replay(target, file))
                {
                    failures++;
                }
            }
        }

        Console.WriteLine($"{inputs} inputs replayed, {failures} failures");
        return failures == 0 ? 0 : 1;
    }

    private static bool Replay(IFuzzer target, string file)
    {
        byte[] input = File.ReadAllBytes(file);
        var stopwatch = Stopwatch.StartNew();
        try
        {
            target.FuzzTarget(input);
        }
        catch (CodecDataException)
        {
            // The documented rejection.
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Console.Error.WriteLine($"{target.Name} {file}: {ex.GetType().Name}: {ex.Message}");
            return false;
        }

        if (stopwatch.Elapsed > s_perInputLimit)
        {
            Console.Error.WriteLine($"{target.Name} {file}: took {stopwatch.Elapsed.TotalSeconds:F1} s");
            return false;
        }

        return true;
    }

    private static IEnumerable<string> EnumerateInputs(string path) =>
        File.Exists(path) ? [path]
        : Directory.Exists(path) ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
        : [];

    private static string FindCorpusRoot()
    {
        for (string? dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(Path.Combine(dir, "Codecs.sln")))
            {
                return Path.Combine(dir, "corpus");
            }
        }

        return Path.Combine(Directory.GetCurrentDirectory(), "corpus");
    }
}
