using BenchmarkDotNet.Running;
using NetGen.Benchmarks;

// `--gpu-check [--small] [--steps N]` runs the GPU check instead of BenchmarkDotNet (see benchmarks/gpu/README.md).
if (args.Length > 0 && args[0] == "--gpu-check") return GpuCheck.Run(args[1..]);

// `--threads 1,2` (ours) runs every suite at each thread count; all other arguments go to BenchmarkDotNet,
// e.g. `--filter '*Gemm*' --job short`.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(BenchmarkOptions.Parse(args));
return 0;
