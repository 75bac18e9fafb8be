using BenchmarkDotNet.Running;
using NetGen.Benchmarks;

// `--threads 1,2` (ours) runs every suite at each thread count; all other arguments go to BenchmarkDotNet,
// e.g. `--filter '*Gemm*' --job short`.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(BenchmarkOptions.Parse(args));
