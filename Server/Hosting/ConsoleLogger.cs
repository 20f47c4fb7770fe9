using Microsoft.Extensions.Logging;

namespace Server.Hosting;

/// <summary>
/// The host's logger: one line per event on stderr with a UTC timestamp and level. The libraries only see
/// <see cref="ILogger"/>, so a real logging stack can replace this without touching them.
/// </summary>
public sealed class ConsoleLogger(LogLevel minimum, TextWriter? output = null) : ILogger
{
    private readonly TextWriter _output = output ?? Console.Error;
    private readonly Lock _gate = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (!IsEnabled(logLevel))
        {
            return;
        }

        string line = $"{DateTime.UtcNow:HH:mm:ss.fff} {Level(logLevel)} {formatter(state, exception)}";
        lock (_gate)
        {
            _output.WriteLine(line);
            if (exception is not null)
            {
                _output.WriteLine(exception);
            }
        }
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        _ => "crit",
    };
}
