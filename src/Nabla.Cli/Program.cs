using Nabla.Cli;
using Nabla.Cli.Commands;
using Nabla.Errors;

// The `nabla` command: train, eval, predict, summary, lr-search, gradcheck, export, import, lessons.
return Cli.Run(args);

namespace Nabla.Cli
{
    /// <summary>Dispatches a command and turns every error into one clear line on standard error and a non-zero exit code.</summary>
    internal static class Cli
    {
        public const string Usage = """
            usage: nabla <command> [options]

              train      train a model (default: LeNet-5 on the bundled MNIST)
              eval       evaluate a trained run:     nabla eval --run DIR|--model FILE.onnx [--dataset D] [--json]
              predict    classify images or CSV rows: nabla predict --run DIR|--model FILE.onnx FILE...
              summary    print a model's layers:     nabla summary --model lenet|FILE.json|FILE.onnx
              lr-search  log-scale learning-rate search and range test
              gradcheck  numerical gradient check of a model
              export     write a trained run as ONNX:  nabla export --run DIR [--out model.onnx] [--opset N]
              import     PyTorch weights into a run: nabla import --torch model.pt --model lenet --out DIR
              lessons    the lecture notes as a website computed live: nabla lessons [--out DIR] [--quick]

            'nabla <command> --help' lists a command's options; 'nabla --version' prints the version.
            Data: MNIST travels with nabla; other datasets are found in $NABLA_DATA/<name>, ~/.local/share/nabla/<name>,
            or wherever --dataset PATH points.
            """;

        /// <summary>The version of the command (the assembly's informational version).</summary>
        public static string Version =>
            typeof(Cli).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
                .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion.Split('+')[0]
            ?? typeof(Cli).Assembly.GetName().Version?.ToString() ?? "unknown";

        private static readonly string[] Commands = ["train", "eval", "predict", "summary", "lr-search", "gradcheck", "export", "import", "lessons"];

        public static int Run(string[] args)
        {
            if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
            {
                if (args.Length == 0) Console.Error.WriteLine(Usage); else Console.WriteLine(Usage);
                return args.Length == 0 ? 2 : 0;
            }
            if (args[0] is "--version" or "-V" or "version")
            {
                Console.WriteLine($"nabla {Version}");
                return 0;
            }
            try
            {
                string command = args[0];
                var rest = args[1..];
                if (!Commands.Contains(command))
                    throw new CliException($"unknown command '{command}'; commands: {string.Join(", ", Commands)} (see 'nabla --help')");
                if (rest.Contains("--help") || rest.Contains("-h"))
                {
                    Console.WriteLine(Help(command));
                    return 0;
                }
                int code = command switch
                {
                    "train" => TrainCommand.Run(rest),
                    "eval" => EvalCommand.Run(rest),
                    "predict" => PredictCommand.Run(rest),
                    "summary" => SummaryCommand.Run(rest),
                    "lr-search" => LrSearchCommand.Run(rest),
                    "gradcheck" => GradCheckCommand.Run(rest),
                    "export" => ExportCommand.Run(rest),
                    "import" => ImportCommand.Run(rest),
                    "lessons" => LessonsCommand.Run(rest),
                    _ => throw new CliException($"unknown command '{command}'"),
                };
                DistributedRun.Current?.Dispose();   // MPI_Finalize once this rank's part is done
                return code;
            }
            catch (CliException e) { return Fail(e.Message, e.ExitCode); }
            catch (NablaException e) { return Fail(e.Message, 1); }
            catch (IOException e) { return Fail(e.Message, 1); }
            catch (UnauthorizedAccessException e) { return Fail(e.Message, 1); }
            catch (OutOfMemoryException) { return Fail("out of memory: use a smaller --batch-size or --limit", 1); }
            catch (Exception e) when (Environment.GetEnvironmentVariable("NABLA_DEBUG") is null)
            {
                // A bug, not a user error: still one line, with the way to the stack trace.
                return Fail($"internal error ({e.GetType().Name}: {e.Message}); set NABLA_DEBUG=1 for the stack trace and please report it", 70);
            }
        }

        /// <summary>
        /// Writes the error as one line (an exception's message may hold line breaks) and returns the exit code. A rank
        /// of a distributed job names itself and ends the whole job (MPI_Abort), so no other rank waits for it forever.
        /// </summary>
        private static int Fail(string message, int code)
        {
            var line = string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            var job = DistributedRun.Current;
            string rank = job is null || line.StartsWith($"rank {job.Rank}:", StringComparison.Ordinal) ? "" : $"rank {job.Rank}: ";
            Console.Error.WriteLine($"nabla: error: {rank}{line}");
            job?.Abort(code);
            return code;
        }

        private static string Help(string command) => command switch
        {
            "train" => TrainCommand.Help,
            "eval" => EvalCommand.Help,
            "predict" => PredictCommand.Help,
            "summary" => SummaryCommand.Help,
            "lr-search" => LrSearchCommand.Help,
            "gradcheck" => GradCheckCommand.Help,
            "export" => ExportCommand.Help,
            "import" => ImportCommand.Help,
            "lessons" => LessonsCommand.Help,
            _ => Usage,
        };
    }
}
