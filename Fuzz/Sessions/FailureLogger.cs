using Microsoft.Extensions.Logging;

namespace Fuzz.Sessions;

/// <summary>Counts what a server logs at Error or above: its own failures, as opposed to a client it dropped.</summary>
internal sealed class FailureLogger : ILogger
{
    private int _failures;

    public int Failures => Volatile.Read(ref _failures);

    public string? LastFailure { get; private set; }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (logLevel >= LogLevel.Error)
        {
            LastFailure = formatter(state, exception) + (exception is null ? "" : $": {exception}");
            Interlocked.Increment(ref _failures);
        }
    }
}
