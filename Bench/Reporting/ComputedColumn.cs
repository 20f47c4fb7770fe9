using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Bench.Reporting;

/// <summary>
/// A summary column computed from a benchmark case (its parameters) and the run's results, e.g. MPixel/s from a
/// workload size and the mean time, or bytes per changed pixel from an encoded size.
/// </summary>
public sealed class ComputedColumn(string id, string name, string legend, Func<Summary, BenchmarkCase, string> value) : IColumn
{
    public string Id => id;

    public string ColumnName => name;

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => legend;

    /// <summary>The mean time of <paramref name="benchmarkCase"/> in nanoseconds, if it ran.</summary>
    public static double? MeanNanoseconds(Summary summary, BenchmarkCase benchmarkCase) => summary[benchmarkCase]?.ResultStatistics?.Mean;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => value(summary, benchmarkCase);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => value(summary, benchmarkCase);

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
