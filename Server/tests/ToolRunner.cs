using System.Diagnostics;

namespace Server.Tests;

/// <summary>Runs the host (Server.dll beside the tests) and ffmpeg as real child processes, piping between them.</summary>
internal static class ToolRunner
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(5);

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static ProcessStartInfo Server(params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Server.dll"));
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }

    public static ProcessStartInfo Tool(string fileName, params string[] arguments)
    {
        var info = new ProcessStartInfo(fileName) { UseShellExecute = false };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }

    /// <summary>Runs <paramref name="producer"/> | <paramref name="consumer"/>; returns the consumer's stdout and both results.</summary>
    public static async Task<PipeResult> PipeAsync(ProcessStartInfo producer, ProcessStartInfo consumer)
    {
        producer.RedirectStandardOutput = true;
        producer.RedirectStandardError = true;
        consumer.RedirectStandardInput = true;
        consumer.RedirectStandardOutput = true;
        consumer.RedirectStandardError = true;
        using Process first = Process.Start(producer)!;
        using Process second = Process.Start(consumer)!;
        using var cancel = new CancellationTokenSource(s_timeout);
        Task<string> firstErrors = first.StandardError.ReadToEndAsync(cancel.Token);
        Task<string> secondErrors = second.StandardError.ReadToEndAsync(cancel.Token);
        Task<string> output = second.StandardOutput.ReadToEndAsync(cancel.Token);
        try
        {
            await first.StandardOutput.BaseStream.CopyToAsync(second.StandardInput.BaseStream, cancel.Token);
        }
        catch (IOException)
        {
            // The consumer stopped reading (it failed); its exit code tells.
        }

        second.StandardInput.Close();
        await first.WaitForExitAsync(cancel.Token);
        await second.WaitForExitAsync(cancel.Token);
        return new PipeResult(first.ExitCode, await firstErrors, second.ExitCode, await secondErrors, await output);
    }

    public static async Task<RunResult> RunAsync(ProcessStartInfo info, byte[]? input = null)
    {
        info.RedirectStandardInput = input is not null;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        using Process process = Process.Start(info)!;
        using var cancel = new CancellationTokenSource(s_timeout);
        Task<string> errors = process.StandardError.ReadToEndAsync(cancel.Token);
        Task<string> output = process.StandardOutput.ReadToEndAsync(cancel.Token);
        if (input is not null)
        {
            try
            {
                await process.StandardInput.BaseStream.WriteAsync(input, cancel.Token);
            }
            catch (IOException)
            {
                // The process exited early; its exit code tells.
            }

            process.StandardInput.Close();
        }

        await process.WaitForExitAsync(cancel.Token);
        return new RunResult(process.ExitCode, await output, await errors);
    }

    private static string FindRepositoryRoot()
    {
        for (string? dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(Path.Combine(dir, "Codecs.sln")))
            {
                return dir;
            }
        }

        throw new InvalidOperationException("Codecs.sln not found above " + AppContext.BaseDirectory);
    }
}

internal sealed record PipeResult(int ProducerExitCode, string ProducerErrors, int ConsumerExitCode, string ConsumerErrors, string Output);

internal sealed record RunResult(int ExitCode, string Output, string Errors);
