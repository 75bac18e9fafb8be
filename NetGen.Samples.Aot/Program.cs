using NetGen.Checkpoints;
using NetGen.Samples.Aot;

// netgen-aot: the Fashion-MNIST MLP and the char-LSTM as a NativeAOT program (no JIT, no runtime code generation).
// Every failure ends as one line on stderr and a non-zero exit code.
const string Usage = """
    usage: netgen-aot VERB [options]
      classify --checkpoint FILE --images IDX --labels IDX [--count N]
          one batch-1 prediction per image (index, class, label), then the accuracy
      bench --checkpoint FILE --images IDX --labels IDX [--runs N] [--launches N]
          batch-1 forward latency (median of N runs) and cold start to the first prediction (median of N launches)
      train [--steps N] [--seed S] [--batch B] [--lr LR] [--every K] [--data DIR]
          SGD with momentum 0.9 on the training split (default: the Fashion-MNIST subset next to the program),
          printing the loss every K steps and a hash of the final parameters
      generate --checkpoint FILE --vocab FILE [--prompt TEXT] [--length N] [--temperature T] [--seed S]
          text sampled from a char-LSTM checkpoint of `netgen-samples train --model charlstm` (defaults: "", 500, 0.8, 1)
    """;

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine(Usage);
    return args.Length == 0 ? 1 : 0;
}
if (SimdCheck.Problem() is { } problem) Console.Error.WriteLine(problem);
try
{
    var rest = args.AsSpan(1);
    return args[0] switch
    {
        "classify" => Commands.Classify(new CommandLine("classify", rest, "--checkpoint", "--images", "--labels", "--count")),
        "bench" => Commands.Bench(new CommandLine("bench", rest, "--checkpoint", "--images", "--labels", "--runs", "--launches")),
        "train" => Commands.Train(new CommandLine("train", rest, "--steps", "--seed", "--batch", "--lr", "--every", "--data")),
        "generate" => Commands.Generate(new CommandLine("generate", rest, "--checkpoint", "--vocab", "--prompt", "--length", "--temperature", "--seed")),
        _ => throw new ArgumentException($"unknown verb '{args[0]}'; use classify, bench, train or generate (see --help)."),
    };
}
catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException
                              or CheckpointException or InvalidOperationException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
