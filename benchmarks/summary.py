#!/usr/bin/python3
"""Sums up several benchmarks/run.sh runs: for each case, the median and range over the runs of the 1-thread ratios
libtorch / NetGen and PyTorch / NetGen, NetGen's 1-thread time, and NetGen's and libtorch's 1 -> 2 thread speed-ups,
read from the tables compare.py wrote (benchmarks/results/*-table.md). On a shared machine single runs swing; the
median over runs is the figure to quote, the range says how much to trust it.

Usage: summary.py TABLE.md [TABLE.md ...]"""
import re
import statistics
import sys


def rows(path):
    """{(case, threads): {column: text}} from the first table of a compare.py output, and the speed-up table."""
    main, speedup = {}, {}
    header = None
    with open(path) as f:
        for line in f:
            if not line.startswith("|") or line.startswith("|---"):
                header = None if not line.startswith("|") else header
                continue
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if cells[0] == "case":
                header = cells
                continue
            if header is None:
                continue
            record = dict(zip(header, cells))
            if "threads" in header:
                main[(record["case"], record["threads"])] = record
            else:
                speedup[record["case"]] = record
    return main, speedup


def number(text):
    """12.3 from '12.3×' or '1,234.5'; None for '—' or empty."""
    match = re.match(r"^[\d,.]+", text or "")
    return float(match.group(0).replace(",", "")) if match else None


def describe(values, unit):
    values = [v for v in values if v is not None]
    if not values:
        return "—"
    fmt = "{:,.2f}" if unit == "×" else "{:,.1f}"
    return f"{fmt.format(statistics.median(values))}{unit} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    runs = [rows(path) for path in sys.argv[1:]]
    cases = []
    for main_rows, _ in runs:
        for case, threads in main_rows:
            if case not in cases:
                cases.append(case)
    print(f"{len(runs)} runs: {', '.join(sys.argv[1:])}\n")
    print("| case | libtorch / NetGen, 1 thread | PyTorch / NetGen, 1 thread | NetGen µs, 1 thread | NetGen 1→2 threads | libtorch 1→2 threads |")
    print("|---|---:|---:|---:|---:|---:|")
    for case in cases:
        one = [m.get((case, "1"), {}) for m, _ in runs]
        up = [s.get(case, {}) for _, s in runs]
        print(f"| {case} | {describe([number(r.get('libtorch / NetGen')) for r in one], '×')} "
              f"| {describe([number(r.get('PyTorch / NetGen')) for r in one], '×')} "
              f"| {describe([number(r.get('NetGen µs')) for r in one], '')} "
              f"| {describe([number(r.get('NetGen 1→2 threads speed-up')) for r in up], '×')} "
              f"| {describe([number(r.get('libtorch 1→2 threads speed-up')) for r in up], '×')} |")


if __name__ == "__main__":
    main()
