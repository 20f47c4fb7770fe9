using System.CommandLine;
using Codecs;
using Codecs.Trace;
using Spectre.Console;

namespace Server.Cli;

/// <summary>The <c>trace</c> verbs: import, export, info, record.</summary>
internal static class TraceCommands
{
    public static Command Create()
    {
        var trace = new Command("trace", "Capture, convert and inspect desktop traces (.fbt, see docs/trace-format.md).");
        trace.Subcommands.Add(CreateImport());
        trace.Subcommands.Add(CreateExport());
        trace.Subcommands.Add(CreateInfo());
        trace.Subcommands.Add(CreateRecord());
        return trace;
    }

    /// <summary>Progress and messages go to stderr: stdout may carry frames.</summary>
    private static IAnsiConsole ErrorConsole() =>
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });

    private static Option<string> CodecOption() =>
        new("--codec") { Description = "Pixel compression of the rectangles: zlib (smallest), lz4 (fastest) or raw.", DefaultValueFactory = _ => "zlib" };

    private static Option<int> LevelOption() =>
        new("--level") { Description = "zlib level 1-9, or LZ4 HC level 1-12 (0 = fast LZ4).", DefaultValueFactory = _ => -1 };

    private static Option<string[]> AnnotateOption() =>
        new("--annotate") { Description = "Ground truth for every frame, e.g. video:X,Y,W,H (repeatable).", AllowMultipleArgumentsPerToken = false };

    private static Option<string?> AnnotateFileOption() =>
        new("--annotate-file") { Description = "Per-frame ground truth: lines 'FRAME KIND X,Y,W,H [DX,DY]' (KIND video, move, scroll)." };

    private static TraceWriterOptions WriterOptions(string codecText, int level)
    {
        TraceCodec codec = CliValues.ParseCodec(codecText);
        var options = new TraceWriterOptions { Codec = codec };
        return (codec, level) switch
        {
            (_, -1) => options,
            (TraceCodec.Zlib, >= 1 and <= 9) => options with { ZlibLevel = level },
            (TraceCodec.Lz4, >= 0 and <= 12) => options with { Lz4HighCompressionLevel = level },
            _ => throw new UsageException($"--level {level} does not apply to {codecText}."),
        };
    }

    private static Command CreateImport()
    {
        var size = new Option<string>("--size") { Description = "Frame size WIDTHxHEIGHT of the raw input.", Required = true };
        var fps = new Option<string>("--fps") { Description = "Frame rate of the input (15 or 30000/1001).", Required = true };
        var input = new Option<string?>("--input") { Description = "Read frames from this file instead of stdin." };
        var codec = CodecOption();
        var level = LevelOption();
        var annotate = AnnotateOption();
        var annotateFile = AnnotateFileOption();
        var output = new Argument<string>("output") { Description = "The .fbt file to write." };
        var command = new Command("import", "Import raw bgr0 frames (ffmpeg -f rawvideo -pix_fmt bgr0 -) from stdin into a trace.")
        {
            size, fps, input, codec, level, annotate, annotateFile, output,
        };
        command.SetAction(result => Guarded(() =>
        {
            IAnsiConsole console = ErrorConsole();
            string? inputPath = result.GetValue(input);
            using Stream source = inputPath is null ? Console.OpenStandardInput(1 << 20) : File.OpenRead(inputPath);
            string outputPath = result.GetValue(output)!;
            ImportResult imported = TraceImport.Run(
                source,
                inputPath is null ? null : new FileInfo(inputPath).Length,
                CliValues.ParseSize(result.GetValue(size)!),
                CliValues.ParseFrameRate(result.GetValue(fps)!),
                WriterOptions(result.GetValue(codec)!, result.GetValue(level)),
                TraceAnnotations.Parse(result.GetValue(annotate) ?? [], result.GetValue(annotateFile)),
                outputPath,
                "Server trace import",
                console);
            TraceImport.Report(console, outputPath, imported);
        }));
        return command;
    }

    private static Command CreateExport()
    {
        var frames = new Option<string?>("--frames") { Description = "Output frames N, FIRST-LAST or FIRST- (0-based, inclusive)." };
        var everyFrame = new Option<bool>("--every-recorded-frame") { Description = "One output frame per recorded frame, instead of a constant-rate replay at the nominal fps." };
        var outputFile = new Option<string?>("--output") { Description = "Write to this file instead of stdout." };
        var input = new Argument<string>("trace") { Description = "The .fbt file to read." };
        var command = new Command("export", "Write a trace's frames to stdout as raw bgr0 frames (for ffmpeg -f rawvideo -pix_fmt bgr0).")
        {
            frames, everyFrame, outputFile, input,
        };
        command.SetAction(result => Guarded(() =>
        {
            (long first, long last) = TraceExport.ParseRange(result.GetValue(frames));
            string? outputPath = result.GetValue(outputFile);
            using Stream destination = outputPath is null ? Console.OpenStandardOutput(1 << 20) : File.Create(outputPath);
            TraceExport.Run(result.GetValue(input)!, destination, first, last, result.GetValue(everyFrame), ErrorConsole());
        }));
        return command;
    }

    private static Command CreateInfo()
    {
        var perFrame = new Option<bool>("--per-frame") { Description = "Also list every frame." };
        var input = new Argument<string>("trace") { Description = "The .fbt file to read." };
        var command = new Command("info", "Check a whole trace and print its frames, duration and changed-pixel statistics.") { perFrame, input };
        command.SetAction(result => Guarded(() => TraceInfo.Run(result.GetValue(input)!, result.GetValue(perFrame), AnsiConsole.Console)));
        return command;
    }

    private static Command CreateRecord()
    {
        var display = new Option<string>("--display") { Description = "The X display to grab, e.g. :99.", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("DISPLAY") ?? ":0" };
        var seconds = new Option<double>("--seconds") { Description = "How long to record.", DefaultValueFactory = _ => 10 };
        var fps = new Option<string>("--fps") { Description = "Capture frame rate.", DefaultValueFactory = _ => "15" };
        var drawPointer = new Option<bool>("--draw-pointer") { Description = "Paint the pointer into the frames (off: the frames show the desktop only)." };
        var keepCapture = new Option<string?>("--keep-capture") { Description = "Keep the lossless FFV1 capture at this path." };
        var codec = CodecOption();
        var level = LevelOption();
        var annotate = AnnotateOption();
        var annotateFile = AnnotateFileOption();
        var output = new Argument<string>("output") { Description = "The .fbt file to write." };
        var command = new Command("record", "Record an X display with ffmpeg x11grab for some seconds into a trace.")
        {
            display, seconds, fps, drawPointer, keepCapture, codec, level, annotate, annotateFile, output,
        };
        command.SetAction(result => Guarded(() =>
        {
            IAnsiConsole console = ErrorConsole();
            double duration = result.GetValue(seconds);
            if (duration is <= 0 or > 24 * 3600)
            {
                throw new UsageException($"--seconds {duration} is not between 0 and a day.");
            }

            string outputPath = result.GetValue(output)!;
            ImportResult imported = TraceRecord.Run(
                result.GetValue(display)!,
                duration,
                CliValues.ParseFrameRate(result.GetValue(fps)!),
                result.GetValue(drawPointer),
                WriterOptions(result.GetValue(codec)!, result.GetValue(level)),
                TraceAnnotations.Parse(result.GetValue(annotate) ?? [], result.GetValue(annotateFile)),
                outputPath,
                result.GetValue(keepCapture),
                console);
            TraceImport.Report(console, outputPath, imported);
        }));
        return command;
    }

    /// <summary>Runs a verb; bad arguments exit 2, a malformed trace or a failed tool exits 1, each with one line on stderr.</summary>
    private static int Guarded(Action action)
    {
        try
        {
            action();
            return 0;
        }
        catch (UsageException ex)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return 2;
        }
        catch (CodecDataException ex)
        {
            Console.Error.WriteLine($"error: malformed trace: {ex.Message}");
            return 1;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            Console.Error.WriteLine($"error: {ex.Message}");
            return 1;
        }
    }
}
