using Nabla.Cli;
using Nabla.Cli.Commands;
using Nabla.Errors;

// The `nabla` command: train, eval, predict, summary, lr-search, gradcheck.
return Cli.Run(args);

namespace Nabla.Cli
{
    /// <summary>Dispatches a command and turns every error into one clear line on standard error and a non-zero exit code.</summary>
    internal static class Cli
    {
        public const string Usage = """
            usage: nabla <command> [options]

              train      train a model (default: LeNet-5 on the bundled MNIST)
              eval       evaluate a trained run:     nabla eval --run DIR [--dataset D] [--json]
              predict    classify images or CSV rows: nabla predict --run DIR FILE...
              summary    print a model's layers:     nabla summary --model lenet
              lr-search  log-scale learning-rate search and range test
              gradcheck  numerical gradient check of a model

            'nabla <command> --help' lists a command's options.
            """;

        public static int Run(string[] args)
        {
            if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
            {
                Console.WriteLine(Usage);
                return args.Length == 0 ? 2 : 0;
            }
            try
            {
                string command = args[0];
                var rest = args[1..];
                if (rest.Contains("--help") || rest.Contains("-h"))
                {
                    Console.WriteLine(Help(command));
                    return 0;
                }
                return command switch
                {
                    "train" => TrainCommand.Run(rest),
                    "eval" => EvalCommand.Run(rest),
                    "predict" => PredictCommand.Run(rest),
                    "summary" => SummaryCommand.Run(rest),
                    "lr-search" => LrSearchCommand.Run(rest),
                    "gradcheck" => GradCheckCommand.Run(rest),
                    _ => throw new CliException($"unknown command '{command}'; commands: train, eval, predict, summary, lr-search, gradcheck"),
                };
            }
            catch (CliException e) { return Fail(e.Message, 2); }
            catch (NablaException e) { return Fail(e.Message, 1); }
            catch (IOException e) { return Fail(e.Message, 1); }
            catch (UnauthorizedAccessException e) { return Fail(e.Message, 1); }
        }

        private static int Fail(string message, int code)
        {
            Console.Error.WriteLine($"nabla: error: {message}");
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
            _ => Usage,
        };
    }
}
