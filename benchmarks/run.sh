#!/usr/bin/env bash
# NetGen vs PyTorch on this machine, side by side: runs the NetGen benchmarks (BenchmarkDotNet) and then the PyTorch
# baseline (benchmarks/torch_baseline.py, same shapes, 1 and 2 threads) back to back in this one invocation, records
# the load before, between and after, and prints the ratio table (benchmarks/compare.py).
# Usage: benchmarks/run.sh [BenchmarkDotNet job arguments]   (default: 30 iterations of ~25 ms, 5 warm-up)
# Needs: .NET SDK, Debian's python3-torch and OpenBLAS as the system BLAS:
#   apt-get install -y python3-torch libopenblas0-openmp
set -euo pipefail
cd "$(dirname "$0")/.."
out="benchmarks/out/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"

blas=$(readlink -f /etc/alternatives/libblas.so.3-x86_64-linux-gnu 2>/dev/null || true)
if [[ "$blas" != *openblas* ]]; then
  echo "run.sh: the system BLAS is '$blas', not OpenBLAS; Debian's torch would run its products on the netlib reference BLAS." >&2
  echo "        Install it first: apt-get install -y libopenblas0-openmp" >&2
  exit 1
fi

{ date -u; lscpu | grep 'Model name'; nproc; } > "$out/machine.txt"
uptime > "$out/load.txt"
# Many short iterations: compare.py reads each side's minimum, the least-disturbed figure on a shared machine.
job=("$@")
[[ ${#job[@]} -eq 0 ]] && job=(--launchCount 1 --warmupCount 5 --iterationCount 30 --iterationTime 25)
dotnet run -c Release --project NetGen.Benchmarks -- --threads 1,2 \
  --filter '*NetworkBenchmarks*' '*NetworkSmallBenchmarks*' '*NetworkModelBenchmarks*' '*GemmBenchmarks.MatMul' '*PeakBenchmarks*' \
  "${job[@]}" --exporters json --artifacts "$out/netgen" | tee "$out/netgen.log"
uptime >> "$out/load.txt"
# Debian's OpenBLAS 0.3.21 does not know this Xeon's model and falls back to its SSE3 (Prescott) kernels, ~5×
# slower than its AVX-512 ones; name the newest core it supports so that PyTorch's products run at full speed.
OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-Cooperlake} /usr/bin/python3 benchmarks/torch_baseline.py --threads 1,2 | tee "$out/torch.jsonl"
uptime >> "$out/load.txt"
echo
echo "Load (1/5/15-minute averages) before NetGen, between, after PyTorch:"
cat "$out/load.txt"
echo
/usr/bin/python3 benchmarks/compare.py "$out" | tee "$out/table.md"
