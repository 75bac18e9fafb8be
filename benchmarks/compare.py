#!/usr/bin/python3
"""Reads one run.sh output folder (BenchmarkDotNet JSON reports + torch.jsonl) and prints a Markdown table:
NetGen and PyTorch times per case and thread count (each side's minimum over its ~25 ms samples), PyTorch/NetGen (> 1: NetGen is faster), NetGen's allocation
per call, and each side's 2-thread speed-up. Usage: compare.py OUT_DIR"""
import glob
import json
import os
import sys

# (BenchmarkDotNet type, method, parameter filter) -> torch case name; FLOP counts for GFLOP/s where meaningful.
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


def load_netgen(folder):
    rows = []
    for path in glob.glob(os.path.join(folder, "**", "*-report*.json"), recursive=True):
        with open(path) as f:
            report = json.load(f)
        for b in report.get("Benchmarks", []):
            params = dict(p.split("=", 1) for p in b.get("Parameters", "").split("&") if "=" in p)
            stats = b.get("Statistics") or {}
            if "Min" not in stats:
                continue
            alloc = (b.get("Memory") or {}).get("BytesAllocatedPerOperation")
            rows.append((b["Type"], b["Method"], params, stats["Min"] / 1000.0, alloc))
    return rows


def load_torch(folder):
    times = {}
    with open(os.path.join(folder, "torch.jsonl")) as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                times[(r["case"], r["threads"])] = r["us"]
    return times


def fmt(us):
    return "—" if us is None else (f"{us:,.1f}" if us >= 10 else f"{us:.2f}")


def main():
    folder = sys.argv[1]
    netgen, torch = load_netgen(folder), load_torch(folder)
    peak = [r for r in netgen if r[1] == "FmaPeak"]
    if peak:
        flops = 2.0 * 24 * (1 << 14) * 16
        print(f"FMA peak, 1 core (24 independent zmm FMA chains): {flops / (peak[0][3] * 1e3):.1f} GFLOP/s\n")
    print("Times: minimum per call over 30 samples of ~25 ms on each side, µs.\n")
    print("| case | threads | NetGen µs | PyTorch µs | PyTorch / NetGen | NetGen B/op | NetGen GFLOP/s | PyTorch GFLOP/s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    scaling = []
    for type_, method, want, case in CASES:
        by_threads = {}
        for t in sorted({th for (c, th) in torch if c == case}):
            match = [r for r in netgen if r[0] == type_ and r[1] == method
                     and all(r[2].get(k) == v for k, v in want.items()) and r[2].get("Threads", "1") == str(t)]
            ng = match[0][3] if match else None
            alloc = match[0][4] if match else None
            tt = torch.get((case, t))
            by_threads[t] = (ng, tt)
            ratio = f"{tt / ng:.2f}×" if ng and tt else "—"
            gf = FLOPS.get(case)
            print(f"| {case} | {t} | {fmt(ng)} | {fmt(tt)} | {ratio} | {'—' if alloc is None else alloc} | "
                  f"{f'{gf / (ng * 1e3):.1f}' if gf and ng else ''} | {f'{gf / (tt * 1e3):.1f}' if gf and tt else ''} |")
        if 1 in by_threads and 2 in by_threads:
            (n1, t1), (n2, t2) = by_threads[1], by_threads[2]
            scaling.append((case, n1 / n2 if n1 and n2 else None, t1 / t2 if t1 and t2 else None))
    print("\n| case | NetGen 1→2 threads speed-up | PyTorch 1→2 threads speed-up |")
    print("|---|---:|---:|")
    for case, ng, tt in scaling:
        print(f"| {case} | {f'{ng:.2f}×' if ng else '—'} | {f'{tt:.2f}×' if tt else '—'} |")


if __name__ == "__main__":
    main()
