#!/usr/bin/python3
"""PyTorch (CPU) side of benchmarks/run.sh: the same shapes as NetGen.Benchmarks, at 1 and 2 threads.

Prints one JSON object per line: {"case": ..., "threads": n, "us": minimum and "median_us": median microseconds per
call over 30 samples, "runs": calls timed}.
Run with Debian's python3-torch (`apt-get install -y python3-torch`, then /usr/bin/python3). Debian's torch calls
the system BLAS; with the default netlib reference BLAS torch.mm is ~20x slower, so run.sh checks that OpenBLAS
(libopenblas0-openmp) provides libblas.so.3.
"""
import argparse
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def timed(fn, sample_seconds=0.025, samples=30):
    """(minimum, median) over `samples` timings of a loop of n calls, n chosen so each timing lasts about
    sample_seconds: many short samples, so that on a shared machine some run undisturbed (run.sh compares minima,
    as BenchmarkDotNet's 30 iterations of ~25 ms on the NetGen side)."""
    for _ in range(5):
        fn()
    n = 1
    while True:
        start = time.perf_counter()
        for _ in range(n):
            fn()
        t = time.perf_counter() - start
        if t >= sample_seconds / 4:
            break
        n *= 2
    n = max(1, int(n * sample_seconds / max(t, 1e-9)))
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        times.append((time.perf_counter() - start) / n * 1e6)
    times.sort()
    return times[0], times[len(times) // 2], n * samples


def mlp():
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))


def lenet5():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


class CharLstm(nn.Module):
    """Vocabulary 65 → embedding 64 → LSTM 128 → logits over the vocabulary at every step."""

    def __init__(self, vocab=65, emb=64, hidden=128):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb)
        self.lstm = nn.LSTM(emb, hidden, batch_first=True)
        self.out = nn.Linear(hidden, vocab)

    def forward(self, tokens):
        h, _ = self.lstm(self.emb(tokens))
        return self.out(h)


def train_step(model, x, y, classes):
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

    def step():
        opt.zero_grad(set_to_none=False)
        loss = F.cross_entropy(model(x).reshape(-1, classes), y.reshape(-1))
        loss.backward()
        opt.step()
    return step, opt


def inference(model, x):
    def run():
        with torch.inference_mode():
            model(x)
    return run


def cases():
    g = torch.Generator().manual_seed(0)
    for batch in (64, 256):
        step, _ = train_step(mlp(), torch.rand(batch, 784, generator=g), torch.randint(0, 10, (batch,), generator=g), 10)
        yield f"mlp_train_b{batch}", step
    yield "mlp_infer_b1", inference(mlp(), torch.rand(1, 784, generator=g))
    model = mlp()
    step, opt = train_step(model, torch.rand(64, 784, generator=g), torch.randint(0, 10, (64,), generator=g), 10)
    step()  # gradients and momentum buffers exist
    yield "sgd_momentum_step", opt.step
    step, _ = train_step(lenet5(), torch.rand(64, 1, 28, 28, generator=g), torch.randint(0, 10, (64,), generator=g), 10)
    yield "lenet5_train_b64", step
    yield "lenet5_infer_b1", inference(lenet5(), torch.rand(1, 1, 28, 28, generator=g))
    step, _ = train_step(CharLstm(), torch.randint(0, 65, (32, 64), generator=g), torch.randint(0, 65, (32, 64), generator=g), 65)
    yield "charlstm_train_b32_t64", step
    for n in (512, 1024):
        a, b, c = torch.rand(n, n, generator=g), torch.rand(n, n, generator=g), torch.empty(n, n)
        yield f"mm_{n}", lambda a=a, b=b, c=c: torch.mm(a, b, out=c)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--threads", default="1,2", help="comma-separated thread counts (default 1,2)")
    parser.add_argument("--filter", default="", help="only cases whose name contains this")
    args = parser.parse_args()
    torch.set_grad_enabled(True)
    for threads in (int(t) for t in args.threads.split(",")):
        torch.set_num_threads(threads)
        for name, fn in cases():
            if args.filter in name:
                best, median, runs = timed(fn)
                print(json.dumps({"case": name, "threads": threads, "us": round(best, 3), "median_us": round(median, 3),
                                  "runs": runs}), flush=True)


if __name__ == "__main__":
    main()
