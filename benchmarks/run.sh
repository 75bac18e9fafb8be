#!/usr/bin/env bash
# NetGen vs libtorch and PyTorch on this machine, side by side: runs the NetGen benchmarks (BenchmarkDotNet), the
# PyTorch baseline (benchmarks/torch_baseline.py) and the libtorch baseline (benchmarks/torchsharp: TorchSharp-cpu
# 0.107.0 = libtorch 2.10, issue 6's baseline), same shapes, 1 and 2 threads, back to back in this one invocation;
# records the load before, between and after, and prints the ratio table (benchmarks/compare.py).
#
# Usage: benchmarks/run.sh [--only SIDES] [--into DIR] [--netgen-table TABLE.md] [BenchmarkDotNet job arguments]
#   --only SIDES           comma-separated subset of netgen,pytorch,libtorch (default: all three), e.g. to re-run one side
#   --into DIR             write into DIR (e.g. an earlier run's folder, to redo one side of it) instead of a new
#                          benchmarks/out/<UTC time>; the table is then computed from whatever DIR holds
#   --netgen-table FILE    take NetGen's figures from a table compare.py printed before (benchmarks/results/*-table.md)
#                          instead of BenchmarkDotNet reports: checks the baselines without a slow BenchmarkDotNet
#                          run, at the price of comparing across runs
#   job arguments          default: 30 iterations of ~25 ms, 5 warm-up (both baselines sample the same way)
# Needs: .NET SDK; for pytorch, Debian's python3-torch with OpenBLAS as the system BLAS
#   (apt-get install -y python3-torch libopenblas0-openmp); for libtorch, patchelf (apt-get install -y patchelf) and
#   shared/tools/torchsharp-fix/fix_torchsharp_glibcxx.sh beside the repository, or its path in $TorchSharpFix.
set -euo pipefail
cd "$(dirname "$0")/.."

sides=netgen,pytorch,libtorch
out=""
netgen_table=()
job=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --only) sides="$2"; shift 2 ;;
    --into) out="$2"; shift 2 ;;
    --netgen-table) netgen_table=(--netgen-table "$2"); shift 2 ;;
    *) job+=("$1"); shift ;;
  esac
done
for s in ${sides//,/ }; do
  [[ $s == netgen || $s == pytorch || $s == libtorch ]] || { echo "run.sh: unknown side '$s' (netgen, pytorch, libtorch)" >&2; exit 2; }
done
runs() { [[ ",$sides," == *",$1,"* ]]; }
out=${out:-"benchmarks/out/$(date -u +%Y%m%dT%H%M%SZ)"}
mkdir -p "$out"

if runs pytorch; then
  blas=$(readlink -f /etc/alternatives/libblas.so.3-x86_64-linux-gnu 2>/dev/null || true)
  if [[ "$blas" != *openblas* ]]; then
    echo "run.sh: the system BLAS is '$blas', not OpenBLAS; Debian's torch would run its products on the netlib reference BLAS." >&2
    echo "        Install it first: apt-get install -y libopenblas0-openmp" >&2
    exit 1
  fi
fi
if runs libtorch; then
  # Build (and patch, see its csproj) before anything is measured, so that a missing tool fails at once.
  dotnet build -c Release benchmarks/torchsharp -v quiet -nologo
fi

{ date -u; git rev-parse --short HEAD; lscpu | grep 'Model name'; nproc; } >> "$out/machine.txt"
load() { echo "$1: $(uptime)" >> "$out/load.txt"; }
if runs netgen; then
  load "before NetGen"
  # Many short iterations: compare.py reads each side's minimum, the least-disturbed figure on a shared machine.
  [[ ${#job[@]} -eq 0 ]] && job=(--launchCount 1 --warmupCount 5 --iterationCount 30 --iterationTime 25)
  dotnet run -c Release --project NetGen.Benchmarks -- --threads 1,2 \
    --filter '*NetworkBenchmarks*' '*NetworkSmallBenchmarks*' '*NetworkModelBenchmarks*' '*GemmBenchmarks.MatMul' '*PeakBenchmarks*' \
    "${job[@]}" --exporters json --artifacts "$out/netgen" | tee "$out/netgen.log"
fi
if runs pytorch; then
  load "before PyTorch"
  # Debian's OpenBLAS 0.3.21 does not know this Xeon's model and falls back to its SSE3 (Prescott) kernels, ~5×
  # slower than its AVX-512 ones; name the newest core it supports so that PyTorch's products run at full speed.
  OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-Cooperlake} /usr/bin/python3 benchmarks/torch_baseline.py --threads 1,2 | tee "$out/torch.jsonl"
fi
if runs libtorch; then
  load "before libtorch"
  # With glibc's default malloc thresholds libtorch gives freed buffers back to the kernel and faults them in again
  # on every step: its training steps ran up to 5× slower here.
  GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=134217728 \
    dotnet run --no-build -c Release --project benchmarks/torchsharp -- --threads 1,2 | tee "$out/libtorch.jsonl"
fi
load "after"
echo
echo "Load (1/5/15-minute averages):"
cat "$out/load.txt"
echo
/usr/bin/python3 benchmarks/compare.py "$out" "${netgen_table[@]}" | tee "$out/table.md"
