#!/usr/bin/python3
"""Reads one run.sh output folder and prints a Markdown table: NetGen, libtorch 2.10 (TorchSharp-cpu 0.107.0, issue 6's
baseline) and PyTorch 1.13 (Debian) times per case and thread count, each side's minimum over its ~25 ms samples; the
ratios libtorch/NetGen and PyTorch/NetGen (> 1: NetGen is faster); NetGen's allocation per call; each side's 2-thread
speed-up.

Usage: compare.py OUT_DIR [--netgen-table TABLE.md]
  OUT_DIR holds BenchmarkDotNet's JSON reports (NetGen), libtorch.jsonl and torch.jsonl (PyTorch); a missing side
  shows as "—". --netgen-table takes NetGen's figures from a table this script printed before (benchmarks/results/
  *-table.md) instead of BenchmarkDotNet reports: a comparison across runs, so only an indication on a shared machine."""
import argparse
import glob
import json
import os
import re

# (BenchmarkDotNet type, method, parameter filter) -> case name of the baselines; FLOP counts for GFLOP/s where meaningful.
CASES = [
    ("NetworkBenchmarks", "MlpTrainStep", {"Batch": "64"}, "mlp_train_b64"),
    ("NetworkBenchmarks", "MlpTrainStep", {"Batch": "256"}, "mlp_train_b256"),
    ("NetworkSmallBenchmarks", "MlpInference1", {}, "mlp_infer_b1"),
    ("NetworkSmallBenchmarks", "SgdMomentumStep", {}, "sgd_momentum_step"),
    ("NetworkModelBenchmarks", "LeNet5TrainStep", {}, "lenet5_train_b64"),
    ("NetworkSmallBenchmarks", "LeNet5Inference1", {}, "lenet5_infer_b1"),
    ("NetworkModelBenchmarks", "CharLstmTrainStep", {}, "charlstm_train_b32_t64"),
    ("GemmBenchmarks", "MatMul", {"Size": "512"}, "mm_512"),
    ("GemmBenchmarks", "MatMul", {"Size": "1024"}, "mm_1024"),
]
FLOPS = {"mm_512": 2 * 512 ** 3, "mm_1024": 2 * 1024 ** 3}
# PeakBenchmarks.FmaPeak: 24 independent zmm FMA chains of 2^14 FMAs, 16 lanes, 2 FLOP each.
PEAK_FLOPS = 2.0 * 24 * (1 << 14) * 16
BASELINES = [("libtorch", "libtorch.jsonl"), ("PyTorch", "torch.jsonl")]


def load_netgen(folder):
    """{(case, threads): (µs, bytes allocated per call)} and the FMA peak in GFLOP/s (or None) from BenchmarkDotNet."""
    rows, peak = {}, None
    for path in glob.glob(os.path.join(folder, "**", "*-report*.json"), recursive=True):
        with open(path) as f:
            report = json.load(f)
        for b in report.get("Benchmarks", []):
            params = dict(p.split("=", 1) for p in b.get("Parameters", "").split("&") if "=" in p)
            stats = b.get("Statistics") or {}
            if "Min" not in stats:
                continue
            us = stats["Min"] / 1000.0
            if b["Method"] == "FmaPeak" and params.get("Threads", "1") == "1":
                peak = PEAK_FLOPS / (us * 1e3)
            alloc = (b.get("Memory") or {}).get("BytesAllocatedPerOperation")
            for type_, method, want, case in CASES:
                if b["Type"] == type_ and b["Method"] == method and all(params.get(k) == v for k, v in want.items()):
                    rows[(case, int(params.get("Threads", "1")))] = (us, alloc)
    return rows, peak


def number(cell):
    cell = cell.strip().strip("()×")
    return None if cell in ("", "—") else float(cell.replace(",", ""))


def load_netgen_table(path):
    """The same as load_netgen, from the first table of a Markdown file this script printed (any earlier layout)."""
    rows, peak, header = {}, None, None
    with open(path) as f:
        for line in f:
            m = re.match(r"FMA peak.*?: ([\d.]+) GFLOP/s", line)
            if m:
                peak = float(m.group(1))
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not line.startswith("|"):
                if header and rows:
                    break
                continue
            if cells[:2] == ["case", "threads"]:
                header = cells
            elif header and not cells[0].startswith("-"):
                r = dict(zip(header, cells))
                alloc = number(r.get("NetGen B/op", "—"))
                rows[(r["case"], int(r["threads"]))] = (number(r["NetGen µs"]), None if alloc is None else int(alloc))
    return rows, peak


def load_baseline(path):
    times = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                if line.strip():
                    r = json.loads(line)
                    times[(r["case"], r["threads"])] = r["us"]
    return times


def fmt(us):
    return "—" if us is None else (f"{us:,.1f}" if us >= 10 else f"{us:.2f}")


def ratio(num, den):
    return f"{num / den:.2f}×" if num and den else "—"


def gflops(case, us):
    return f"{FLOPS[case] / (us * 1e3):.1f}" if case in FLOPS and us else ""


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder")
    parser.add_argument("--netgen-table", help="NetGen figures from this earlier table instead of BenchmarkDotNet reports")
    args = parser.parse_args()
    netgen, peak = load_netgen_table(args.netgen_table) if args.netgen_table else load_netgen(args.folder)
    bases = [(name, load_baseline(os.path.join(args.folder, file))) for name, file in BASELINES]
    if peak:
        print(f"FMA peak, 1 core (24 independent zmm FMA chains): {peak:.1f} GFLOP/s\n")
    print("Times: minimum per call over 30 samples of ~25 ms on each side, µs. libtorch: libtorch 2.10 through "
          "TorchSharp-cpu 0.107.0 (issue 6's baseline); PyTorch: Debian's python3-torch 1.13 with OpenBLAS.")
    if args.netgen_table:
        print(f"NetGen figures from {args.netgen_table}, an earlier run: a comparison across runs.")
    print()
    names = [n for n, _ in bases]
    print("| case | threads | NetGen µs | " + " | ".join(f"{n} µs" for n in names) + " | "
          + " | ".join(f"{n} / NetGen" for n in names) + " | NetGen B/op | NetGen GFLOP/s | "
          + " | ".join(f"{n} GFLOP/s" for n in names) + " |")
    print("|---|---:|" + "---:|" * (3 + 3 * len(names)))
    scaling = []
    for _, _, _, case in CASES:
        threads = sorted({t for _, times in bases for (c, t) in times if c == case}
                         or {t for (c, t) in netgen if c == case})
        for t in threads:
            ng, alloc = netgen.get((case, t), (None, None))
            base = [times.get((case, t)) for _, times in bases]
            print(f"| {case} | {t} | {fmt(ng)} | " + " | ".join(fmt(b) for b in base) + " | "
                  + " | ".join(ratio(b, ng) for b in base) + f" | {'—' if alloc is None else alloc} | {gflops(case, ng)} | "
                  + " | ".join(gflops(case, b) for b in base) + " |")
        if 1 in threads and 2 in threads:
            sides = [netgen.get((case, t), (None, None))[0] for t in (1, 2)]
            scaling.append((case, [sides] + [[times.get((case, t)) for t in (1, 2)] for _, times in bases]))
    print("\n| case | NetGen 1→2 threads speed-up | " + " | ".join(f"{n} 1→2 threads speed-up" for n in names) + " |")
    print("|---|" + "---:|" * (1 + len(names)))
    for case, sides in scaling:
        print(f"| {case} | " + " | ".join(ratio(one, two) for one, two in sides) + " |")


if __name__ == "__main__":
    main()
