using BenchmarkDotNet.Running;

namespace Bench;

/// <summary>
/// BenchmarkDotNet entry point: <c>dotnet run -c Release --project Bench -- --filter '*Name*'</c>.
/// Benchmark classes live in folders that mirror the product (Pixels/, Damage/, Codecs/...).
/// </summary>
public static class Program
{
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
