using Spectre.Console;

namespace Server.Cli;

/// <summary>One progress bar on the given console (stderr for the verbs whose stdout carries data).</summary>
internal static class Progress
{
    public static void Run(IAnsiConsole console, string description, long? total, Action<ProgressTask> work)
    {
        console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .Start(context =>
            {
                ProgressTask task = context.AddTask(description, maxValue: total is > 0 ? total.Value : 1);
                task.IsIndeterminate = total is not > 0;
                work(task);
                task.Value = task.MaxValue;
                task.StopTask();
            });
    }
}
