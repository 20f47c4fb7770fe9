using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Bench.Damage;

/// <summary>
/// Short, in-process runs (the machine is small and noisy): 3 warm-ups, 10 measured iterations, one launch. Ratios
/// against the baseline come from the same process and the same buffers, which is what the damage targets are about.
/// </summary>
public sealed class DamageBenchConfig : ManualConfig
{
    public DamageBenchConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(10)
            .WithId("short-inprocess"));
        AddColumn(StatisticColumn.Median, StatisticColumn.Min);
        HideColumns(Column.Error, Column.StdDev, Column.RatioSD);
        WithOptions(ConfigOptions.DisableOptimizationsValidator);
    }
}
